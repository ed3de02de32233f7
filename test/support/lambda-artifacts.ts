/**
 * Herold's Lambda functions as AWS runs them: the esbuild bundles of a synthesised cloud assembly,
 * found through the template, each started in a fresh Node 24 process from an empty directory (no
 * node_modules, no source tree beside it) with the environment the template gives it. Used by the
 * artifact test (test/integration/artifacts.test.ts) and the cold-start benchmark (bench/cold-start.ts).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthRequest } from './synth-bundled';

export type CfnValue = unknown;
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: CfnValue }>;
}
export interface AssemblyStack {
  stackName: string;
  template: CfnTemplate;
}

const SYNTH_SCRIPT = fileURLToPath(new URL('./synth-bundled.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Synthesises the app with bundling into `request.outdir` (in a child process) and returns its stacks. */
export async function synthesizeBundled(request: SynthRequest): Promise<AssemblyStack[]> {
  const child = fork(SYNTH_SCRIPT, [JSON.stringify(request)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`synth with bundling failed (${code}):\n${output.slice(-4000)}`);
  return readAssembly(request.outdir);
}

export function readAssembly(outdir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<
      string,
      { type: string; displayName?: string; properties?: { templateFile: string; stackName?: string } }
    >;
  };
  return Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => ({
      stackName: artifact.properties?.stackName ?? id,
      template: JSON.parse(readFileSync(path.join(outdir, artifact.properties!.templateFile), 'utf8')) as CfnTemplate,
    }));
}

/** One AWS::Lambda::Function of a template and the bundle its code comes from. */
export interface LambdaArtifact {
  stackName: string;
  logicalId: string;
  /** construct path without `/Resource`, e.g. `Herold/Jobs/Reconciler/Function` */
  path: string;
  /** the function name the template gives, else the logical id */
  name: string;
  /** e.g. `index.handler` */
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** the bundle: the asset directory in the cloud assembly */
  assetDir: string;
  /** the template's environment variables, CloudFormation references unresolved */
  environment: Record<string, CfnValue>;
  tracing: boolean;
  logFormat: string | undefined;
}

export function lambdaArtifacts(outdir: string, stack: AssemblyStack): LambdaArtifact[] {
  return Object.entries(stack.template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const constructPath = String(resource.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/\/Resource$/, '');
      return {
        stackName: stack.stackName,
        logicalId,
        path: constructPath,
        name: typeof properties.FunctionName === 'string' ? properties.FunctionName : logicalId,
        handler: String(properties.Handler),
        runtime: String(properties.Runtime),
        timeoutSeconds: Number(properties.Timeout ?? 3),
        memoryMb: Number(properties.MemorySize ?? 128),
        // a function without a file asset (inline code) has no bundle to run: it shows up as such
        assetDir: typeof assetPath === 'string' ? path.join(outdir, assetPath) : '',
        environment: ((properties.Environment as { Variables?: Record<string, CfnValue> } | undefined)?.Variables ??
          {}) as Record<string, CfnValue>,
        tracing: (properties.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
        logFormat: (properties.LoggingConfig as { LogFormat?: string } | undefined)?.LogFormat,
      };
    });
}

/** What a `Ref` or `Fn::GetAtt` to a resource stands for where the function runs. */
export type ResolveResource = (logicalId: string, attribute: string | undefined) => string;

export interface Pseudo {
  region: string;
  accountId: string;
  stackName: string;
}

/**
 * Resolves a CloudFormation value: literals, `Ref` (resources and pseudo parameters), `Fn::GetAtt`,
 * `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split`. Anything else throws, naming it.
 */
export function resolveValue(value: CfnValue, resource: ResolveResource, pseudo: Pseudo): string {
  const list = (v: CfnValue): string[] =>
    Array.isArray(v)
      ? v.map((item) => resolveValue(item, resource, pseudo))
      : resolveValue(v, resource, pseudo).split(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [[intrinsic, argument]] = Object.entries(value) as [[string, unknown]];
    switch (intrinsic) {
      case 'Ref':
        return refOf(String(argument), resource, pseudo);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return resource(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, CfnValue[]];
        return parts.map((part) => resolveValue(part, resource, pseudo)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = (Array.isArray(argument) ? argument : [argument]) as [
          string,
          Record<string, CfnValue>?,
        ];
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
          if (literal) return `\${${name}}`;
          if (name in variables) return resolveValue(variables[name], resource, pseudo);
          const dot = name.indexOf('.');
          return dot > 0 ? resource(name.slice(0, dot), name.slice(dot + 1)) : refOf(name, resource, pseudo);
        });
      }
      case 'Fn::Select': {
        const [index, items] = argument as [number, CfnValue];
        return list(items)[Number(index)] ?? '';
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, CfnValue];
        return resolveValue(text, resource, pseudo).split(separator).join(',');
      }
    }
    throw new Error(`no local meaning for ${intrinsic} in ${JSON.stringify(value)}`);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function refOf(name: string, resource: ResolveResource, pseudo: Pseudo): string {
  switch (name) {
    case 'AWS::Region':
      return pseudo.region;
    case 'AWS::AccountId':
      return pseudo.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return pseudo.stackName;
  }
  if (name.startsWith('AWS::')) throw new Error(`no local meaning for the pseudo parameter ${name}`);
  return resource(name, undefined);
}

/** A path under /var/task, where Lambda unpacks the bundle, points into the bundle's copy instead. */
export const inTaskRoot = (env: Record<string, string>, taskRoot: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value.replace(/^\/var\/task(?=\/|$)/, taskRoot)]),
  );

/** The variables the Lambda runtime itself sets for a function (docs: "Defined runtime environment variables"). */
export function lambdaRuntimeEnvironment(fn: LambdaArtifact, taskRoot: string, pseudo: Pseudo): Record<string, string> {
  const now = Math.floor(Date.now() / 1000).toString(16);
  return {
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
    ...(fn.logFormat ? { AWS_LAMBDA_LOG_FORMAT: fn.logFormat } : {}),
    AWS_REGION: pseudo.region,
    AWS_DEFAULT_REGION: pseudo.region,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: '/usr/local/bin:/usr/bin/:/bin',
    ...(fn.tracing
      ? {
          _X_AMZN_TRACE_ID: `Root=1-${now}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
        }
      : {}),
  };
}

const checkedBinaries = new Map<string, string>();

/** The Node.js binary of the `node` devDependency, checked against the runtime the template names. */
export function lambdaNodeBinary(runtime: string): string {
  const checked = checkedBinaries.get(runtime);
  if (checked) return checked;
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`runtime ${runtime} is not a Node.js runtime: this harness runs Node.js functions only`);
  const binary = path.join(path.dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith(`v${match[1]}.`))
    throw new Error(`the template runs ${runtime}, but the node devDependency is ${version}: keep them on one major`);
  checkedBinaries.set(runtime, binary);
  return binary;
}

/** A copy of the bundle in a new, empty directory, as /var/task holds it. */
export async function copyBundle(fn: LambdaArtifact): Promise<{ dir: string; remove(): Promise<void> }> {
  if (!fn.assetDir || !existsSync(fn.assetDir)) throw new Error(`${fn.path}: no bundle in the cloud assembly`);
  const dir = await mkdtemp(path.join(tmpdir(), 'herold-lambda-'));
  for (let parent = dir; parent !== path.dirname(parent);) {
    parent = path.dirname(parent);
    if (existsSync(path.join(parent, 'node_modules')))
      throw new Error(
        `${path.join(parent, 'node_modules')} exists: a bundle run below it could resolve packages from it`,
      );
  }
  await cp(fn.assetDir, dir, { recursive: true });
  await useThisMachinesNativeBuilds(fn, dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const LAMBDA_NATIVE = /-linux-arm64$/;

/**
 * A bundle may carry native packages built for Lambda's linux-arm64 (sharp in the card function's),
 * which cannot load on another architecture. Beside each, the copy gets this machine's build of the
 * same package and version from the repository's node_modules, which the package's own loader then
 * picks: everything in the bundle runs as built except that one binary.
 */
async function useThisMachinesNativeBuilds(fn: LambdaArtifact, dir: string): Promise<void> {
  if (process.arch === 'arm64') return;
  const scopes = path.join(dir, 'node_modules');
  if (!existsSync(scopes)) return;
  const packages = (await readdir(scopes)).flatMap((entry) =>
    entry.startsWith('@') ? readdirSync(path.join(scopes, entry)).map((name) => `${entry}/${name}`) : [entry],
  );
  for (const name of packages.filter((candidate) => LAMBDA_NATIVE.test(candidate))) {
    const { version } = JSON.parse(readFileSync(path.join(scopes, name, 'package.json'), 'utf8')) as {
      version: string;
    };
    const hostName = name.replace(LAMBDA_NATIVE, `-linux-${process.arch}`);
    // npm installs this machine's optional native packages at the top of node_modules
    const hostDir = path.join(REPOSITORY_ROOT, 'node_modules', hostName);
    const host = existsSync(path.join(hostDir, 'package.json'))
      ? (JSON.parse(readFileSync(path.join(hostDir, 'package.json'), 'utf8')) as { version: string })
      : undefined;
    if (host?.version !== version)
      throw new Error(
        `${fn.path}: the bundle carries ${name}@${version}; this machine needs ${hostName}@${version} in node_modules, found ${host?.version ?? 'none'}`,
      );
    await cp(hostDir, path.join(scopes, hostName), { recursive: true });
  }
}

/** Loads the handler module as Lambda's runtime does, invokes it once with the event, writes the result. */
const INVOKE = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [eventFile, resultFile, timeoutMs, invokedFunctionArn, awsRequestId] = process.argv.slice(1);
const setting = process.env._HANDLER;
const dot = setting.lastIndexOf('.');
const file = ['.js', '.mjs', '.cjs'].map((ext) => join(process.env.LAMBDA_TASK_ROOT, setting.slice(0, dot) + ext)).find(existsSync);
if (!file) throw new Error('the bundle has no module for the handler ' + setting);
const loading = performance.now();
const handler = (await import(pathToFileURL(file).href))[setting.slice(dot + 1)];
const initMs = performance.now() - loading;
if (typeof handler !== 'function') throw new Error(setting + ' is not a function');
const deadline = Date.now() + Number(timeoutMs);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  invokedFunctionArn,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
const invoking = performance.now();
const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
writeFileSync(resultFile, JSON.stringify({ result: result === undefined ? null : result, initMs, invokeMs: performance.now() - invoking }));
process.exit(0);
`;

export interface Invocation {
  result: unknown;
  /** time to import the handler's module: the init phase's own work */
  initMs: number;
  invokeMs: number;
  /** what the function wrote to stdout and stderr (its logs) */
  logs: string;
}

/**
 * Invokes the function's bundle once, in a fresh Node process, from a copy of the bundle in an
 * empty directory, with exactly `env` (plus the variables the Lambda runtime sets). Throws when the
 * process fails or runs past the function's timeout, with its output.
 */
export async function invokeArtifact(
  fn: LambdaArtifact,
  event: unknown,
  options: { env: Record<string, string>; pseudo: Pseudo; functionArn: string },
): Promise<Invocation> {
  const bundle = await copyBundle(fn);
  const io = await mkdtemp(path.join(tmpdir(), 'herold-invoke-'));
  try {
    const eventFile = path.join(io, 'event.json');
    const resultFile = path.join(io, 'result.json');
    await writeFile(eventFile, JSON.stringify(event));
    const timeoutMs = fn.timeoutSeconds * 1000;
    const child = spawn(
      lambdaNodeBinary(fn.runtime),
      [
        '--input-type=module',
        '-e',
        INVOKE,
        eventFile,
        resultFile,
        String(timeoutMs),
        options.functionArn,
        randomUUID(),
      ],
      {
        cwd: bundle.dir,
        env: { ...inTaskRoot(options.env, bundle.dir), ...lambdaRuntimeEnvironment(fn, bundle.dir, options.pseudo) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let logs = '';
    child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    // the function's own timeout, plus the process start a real cold start does not count against it
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    clearTimeout(timer);
    if (code !== 0)
      throw new Error(
        `${fn.path} (${fn.name}) failed: ${signal ? `killed (${signal})` : `exit ${code}`}\n${logs.slice(-6000)}`,
      );
    const { result, initMs, invokeMs } = JSON.parse(await readFile(resultFile, 'utf8')) as Omit<Invocation, 'logs'>;
    return { result, initMs, invokeMs, logs };
  } finally {
    await Promise.all([bundle.remove(), rm(io, { recursive: true, force: true })]);
  }
}

/**
 * Only the import of the handler's module, in a fresh process: wall-clock time, and the CPU time of
 * the main thread (the init phase's own work, without V8's background compiler and GC threads).
 */
const IMPORT = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const cpu = process.threadCpuUsage();
const started = performance.now();
await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT, process.argv[1])).href);
const wallMs = performance.now() - started;
const used = process.threadCpuUsage(cpu);
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000 }));
process.exit(0);
`;

/** Measures the import of an already copied bundle (see copyBundle) in a fresh process. */
export async function importTime(
  fn: LambdaArtifact,
  bundleDir: string,
  options: { env: Record<string, string>; pseudo: Pseudo },
): Promise<{ wallMs: number; cpuMs: number }> {
  const moduleName = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
  const file = ['.js', '.mjs', '.cjs']
    .map((ext) => moduleName + ext)
    .find((name) => existsSync(path.join(bundleDir, name)));
  if (!file) throw new Error(`${fn.path}: the bundle has no module for ${fn.handler}`);
  const result = spawnSync(lambdaNodeBinary(fn.runtime), ['--input-type=module', '-e', IMPORT, file], {
    cwd: bundleDir,
    env: { ...inTaskRoot(options.env, bundleDir), ...lambdaRuntimeEnvironment(fn, bundleDir, options.pseudo) },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${fn.path}: importing the bundle failed\n${result.stderr.slice(-4000)}`);
  return JSON.parse(result.stdout) as { wallMs: number; cpuMs: number };
}

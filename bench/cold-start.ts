/**
 * Cold-start benchmark: every function of the template, bundled as `cdk synth` bundles it, next to
 * the baseline measured in the same run: the smallest function Herold's architecture can have
 * (bench/cold-start-baseline.ts, a DynamoDB document client and an SQS client), bundled by the same
 * construct. Per function:
 * - the bundle's size: index.mjs raw and gzipped, and its source map (parsed at import, because the
 *   functions run with --enable-source-maps);
 * - the time to import its module in a fresh Node 24 process, from a copy of the bundle in an empty
 *   directory, with the template's environment: the init phase's own work. Median and p95 over
 *   --rounds processes; the functions take turns in a new order each round, so a change in the
 *   machine's load falls on all of them alike. The main thread's CPU time is shown beside the
 *   wall-clock time: on a busy machine it is the steadier of the two, and in Lambda's init phase,
 *   which has its CPU to itself, the two are close.
 * Then what fills the largest bundles, from esbuild's metafile. Targets: import ≤ 1.5 × the
 * baseline and ≤ 1 MB minified; a function that must carry more has its own budget below, with the
 * reason in docs/BENCHMARKS.md. `--against <cloud assembly>` measures another build's functions in the
 * same rotation (e.g. `npx cdk synth -o /tmp/before` on an older commit) for a before/after figure.
 *
 * Usage: npx tsx bench/cold-start.ts [--rounds 21] [--largest 3] [--against <dir>]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ALIASES, BUNDLING, REPO_ROOT } from '../infra/constructs/herold-function';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../local/aws';
import {
  copyBundle,
  importTime,
  lambdaArtifacts,
  readAssembly,
  resolveValue,
  synthesizeBundled,
  type AssemblyStack,
  type LambdaArtifact,
  type Pseudo,
} from '../test/support/lambda-artifacts';
import { triggersOf } from '../test/support/lambda-triggers';
import { deployedLikeResolver } from '../test/support/local-resources';
import { ENTRIES_FILE } from '../test/support/synth-bundled';
import { percentile } from './stats';

const TARGET = { ratio: 1.5, bytes: 1024 * 1024 };
/** Functions that must carry more, by name without `herold-` (docs/BENCHMARKS.md says why). */
const BUDGETS: Record<string, { ratio: number; bytes: number }> = {
  // satori's layout engine and font parser: it renders images
  cards: { ratio: 3.5, bytes: 3 * 1024 * 1024 },
};
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '21' },
    largest: { type: 'string', default: '3' },
    against: { type: 'string' },
  },
});
const rounds = Math.max(20, Number(values.rounds));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const directorySize = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, entry) =>
      sum +
      (entry.isDirectory() ? directorySize(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).size),
    0,
  );

interface Measured {
  fn: LambdaArtifact;
  label: string;
  /** from the build given with --against */
  against: boolean;
  dir: string;
  env: Record<string, string>;
  pseudo: Pseudo;
  raw: number;
  gzip: number;
  map: number;
  /** everything the function's zip holds: bundle, map, and any native modules or assets beside it */
  asset: number;
  wall: number[];
  cpu: number[];
}

const outdir = await mkdtemp(path.join(tmpdir(), 'herold-cold-start-'));
const measured: Measured[] = [];
try {
  console.log('synthesising with bundling …');
  const stacks = await synthesizeBundled({
    outdir,
    context: {},
    extraFunctions: [{ id: 'Baseline', entry: 'bench/cold-start-baseline.ts' }],
  });
  const add = async (assembly: string, stack: AssemblyStack, against: boolean) => {
    const pseudo: Pseudo = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, stackName: stack.stackName };
    const resolve = deployedLikeResolver(stack.template, pseudo);
    // Herold's Node.js functions; a provider CloudFormation calls at deploy time (CDK's own) is not Herold code
    const functions = lambdaArtifacts(assembly, stack).filter(
      (fn) =>
        fn.runtime.startsWith('nodejs') &&
        !triggersOf(stack.template, fn.logicalId).some((trigger) => trigger.kind === 'custom-resource'),
    );
    for (const fn of functions) {
      const bundle = await copyBundle(fn);
      const code = readFileSync(path.join(bundle.dir, 'index.mjs'));
      measured.push({
        fn,
        label: stack.stackName === 'Herold' ? fn.name : 'baseline',
        against,
        dir: bundle.dir,
        env: Object.fromEntries(
          Object.entries(fn.environment).map(([name, value]) => [name, resolveValue(value, resolve, pseudo)]),
        ),
        pseudo,
        raw: code.length,
        gzip: gzipSync(code, { level: 9 }).length,
        map: statSync(path.join(bundle.dir, 'index.mjs.map'), { throwIfNoEntry: false })?.size ?? 0,
        asset: directorySize(fn.assetDir),
        wall: [],
        cpu: [],
      });
    }
  };
  for (const stack of stacks) await add(outdir, stack, false);
  if (values.against)
    for (const stack of readAssembly(values.against).filter((candidate) => candidate.stackName === 'Herold'))
      await add(values.against, stack, true);
  const baseline = measured.find((entry) => entry.label === 'baseline' && !entry.against);
  if (!baseline) throw new Error('the baseline function was not synthesised');

  console.log(`importing each of ${measured.length} bundles in ${rounds} fresh processes …`);
  for (let round = 0; round < rounds; round++) {
    for (const entry of measured.toSorted(() => Math.random() - 0.5)) {
      const { wallMs, cpuMs } = await importTime(entry.fn, entry.dir, { env: entry.env, pseudo: entry.pseudo });
      entry.wall.push(wallMs);
      entry.cpu.push(cpuMs);
    }
  }

  const median = (samples: number[]) => percentile(samples, 50);
  const baseWall = median(baseline.wall);
  const baseCpu = median(baseline.cpu);
  const before = new Map(measured.filter((entry) => entry.against).map((entry) => [entry.label, entry]));
  const rows = measured
    .filter((entry) => !entry.against)
    .toSorted((a, b) => (a === baseline ? -1 : b === baseline ? 1 : b.raw - a.raw));
  const againstColumns = values.against
    ? ' against: index.mjs | against: median / baseline | against: CPU / baseline |'
    : '';
  console.log(
    `\n| function | index.mjs | gzip | source map | whole asset | import median | import p95 | median / baseline | main-thread CPU median | CPU / baseline |${againstColumns}`,
  );
  console.log(`|---|---|---|---|---|---|---|---|---|---|${values.against ? '---|---|---|' : ''}`);
  for (const entry of rows) {
    const old = before.get(entry.label);
    const againstCells = values.against
      ? old
        ? ` ${kb(old.raw)} | ${(median(old.wall) / baseWall).toFixed(2)}× | ${(median(old.cpu) / baseCpu).toFixed(2)}× |`
        : ' – | – | – |'
      : '';
    console.log(
      `| ${entry.label} | ${kb(entry.raw)} | ${kb(entry.gzip)} | ${kb(entry.map)} | ${kb(entry.asset)} | ${median(entry.wall).toFixed(0)} ms | ${percentile(entry.wall, 95).toFixed(0)} ms | ${(median(entry.wall) / baseWall).toFixed(2)}× | ${median(entry.cpu).toFixed(0)} ms | ${(median(entry.cpu) / baseCpu).toFixed(2)}× |${againstCells}`,
    );
  }

  const functions = rows.filter((entry) => entry !== baseline);
  const budget = (entry: Measured) => BUDGETS[entry.label.replace(/^herold-/, '')] ?? TARGET;
  const over = functions.flatMap((entry) => {
    const ratio = median(entry.wall) / baseWall;
    const { ratio: allowedRatio, bytes: allowedBytes } = budget(entry);
    return [
      ...(ratio > allowedRatio ? [`${entry.label} imports in ${ratio.toFixed(2)}× (budget ${allowedRatio}×)`] : []),
      ...(entry.raw > allowedBytes ? [`${entry.label} is ${kb(entry.raw)} (budget ${kb(allowedBytes)})`] : []),
    ];
  });
  console.log(
    `\nTargets (import ≤ ${TARGET.ratio} × baseline and ≤ 1 MB, or the function's own budget): ${over.length === 0 ? 'met' : `missed: ${over.join('; ')}`}.`,
  );

  // what fills the largest bundles: the same entry, bundled by esbuild with the construct's settings and a metafile
  const entries = JSON.parse(readFileSync(path.join(outdir, ENTRIES_FILE), 'utf8')) as Record<string, string>;
  for (const entry of functions.slice(0, Number(values.largest))) {
    const source = entries[entry.fn.path];
    if (!source) continue;
    const { metafile } = await esbuild.build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: BUNDLING.format as esbuild.Format,
      target: BUNDLING.target,
      mainFields: [...BUNDLING.mainFields],
      minify: BUNDLING.minify,
      banner: { js: BUNDLING.banner },
      alias: { ...ALIASES },
      outfile: 'index.mjs',
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint);
    const byOrigin = new Map<string, number>();
    for (const [file, input] of Object.entries(output?.inputs ?? {})) {
      const origin = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + input.bytesInOutput);
    }
    const total = output?.bytes ?? 1;
    const top = [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(
      `\n${entry.label} (${source}, ${kb(total)}): ${top.map(([origin, bytes]) => `${origin} ${kb(bytes)} (${Math.round((100 * bytes) / total)} %)`).join(', ')}`,
    );
  }
} finally {
  await Promise.all(
    [outdir, ...measured.map((entry) => entry.dir)].map((dir) => rm(dir, { recursive: true, force: true })),
  );
}

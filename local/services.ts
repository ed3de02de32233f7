/**
 * The real local servers Herold runs against without AWS: DynamoDB Local (the official jar from
 * the npm package amplify-dynamodb-simulator, run with Java 17, in memory) and an SQS-compatible
 * server (local-aws-sqs, in process). Used by `npm start`, the integration tests and the benchmarks.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RunningService {
  endpoint: string;
  stop(): Promise<void>;
}

/** A port the OS reports free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const children = new Set<ChildProcess>();
// The services run in process groups of their own (`detached`), so a Ctrl-C, which the terminal sends to
// its whole foreground group, reaches Herold alone: it stops its pollers before the services they poll.
// A Java process must never outlive the Node process that started it.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function dynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export interface DynamoDbLocalOptions {
  port?: number;
  /**
   * The Java heap's limit in MB (default 512). The items live in SQLite's own memory outside the
   * heap; the heap holds the requests being served.
   */
  maxHeapMb?: number;
  /** further JVM options, e.g. another garbage collector */
  jvmOptions?: readonly string[];
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const dir = dynamoDbLocalDir();
  const child = spawn(
    'java',
    [
      '-Xms64m',
      `-Xmx${options.maxHeapMb ?? 512}m`,
      ...(options.jvmOptions ?? []),
      `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  children.add(child);
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited (${code}) before it was ready:\n${output}`))),
  );
  exited.catch(() => undefined);
  child.once('error', (error) => {
    output += `\n${error.message} (is Java 17 installed? see README)`;
  });
  await Promise.race([waitForHttp(endpoint, 90_000), exited]);
  return {
    endpoint,
    stop: async () => {
      // it may be gone already, by code or by signal
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/**
 * Note on this server's ReceiveMessage: it fills the batch up to MaxNumberOfMessages or waits the
 * whole WaitTimeSeconds, unlike SQS, which returns as soon as anything is there. Low-latency pollers
 * therefore long-poll for one message at a time and scale out while messages keep coming.
 */
export async function startSqs(options: { port?: number } = {}): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const child = fork(fileURLToPath(new URL('./sqs-server.ts', import.meta.url)), [String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  children.add(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the SQS server exited (${code}) before it was ready`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      children.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

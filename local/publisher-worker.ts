/**
 * The publishers as a process of their own: per platform queue (normal and urgent lane) an SQS
 * event source feeding that platform's real publish handler, as Lambda would. Kept apart from the
 * rest of the local stack so it can be killed at any instant (SIGKILL) and started again.
 *
 * It reads the local stack's environment (HEROLD_TABLE, HEROLD_QUEUES, AWS_ENDPOINT_URL_*,
 * HEROLD_<PLATFORM>_BASE_URL and the publisher knobs); `LocalStack.env` has all of it.
 * Run directly: `tsx local/publisher-worker.ts`. When started with an IPC channel (fork), it
 * sends `{ ready: true }` once every event source polls.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployedPlatforms, LANE_CONCURRENCY, queueUrl } from '../shared/config';
import { localSqsClient } from './aws';
import { startEventSource, type EventSource, type SqsHandler } from './event-source';

/** As deployed: the publisher's function timeout. */
const PUBLISH_TIMEOUT_SECONDS = 5;

export interface PublisherWorkerOptions {
  /** pollers per lane (default LANE_CONCURRENCY) */
  concurrency?: { normal: number; urgent: number };
  log?: (line: string, error?: unknown) => void;
}

export interface PublisherWorker {
  eventSources: EventSource[];
  /** stops polling and waits for the batches in flight */
  stop(): Promise<void>;
}

export async function startPublisherWorker(options: PublisherWorkerOptions = {}): Promise<PublisherWorker> {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_SQS must point at the local SQS server');
  const concurrency = options.concurrency ?? LANE_CONCURRENCY;
  const log = options.log ?? ((line: string, error?: unknown) => console.error(line, error ?? ''));
  const sqs = localSqsClient(endpoint);
  const publishers = await Promise.all(
    // the lanes HEROLD_QUEUES names, as a deployment's event source mappings
    deployedPlatforms().map(async (id) => {
      const module = (await import(`../functions/publish/${id}`)) as { handler?: unknown };
      if (typeof module.handler !== 'function') throw new Error(`functions/publish/${id} exports no handler function`);
      return [id, module.handler as SqsHandler] as const;
    }),
  );
  const eventSources = await Promise.all(
    publishers.flatMap(([id, handler]) =>
      (['normal', 'urgent'] as const).map((lane) =>
        startEventSource({
          sqs,
          queueUrl: queueUrl(id, lane),
          handler,
          functionName: `herold-publish-${id}`,
          maxConcurrency: concurrency[lane],
          timeoutSeconds: PUBLISH_TIMEOUT_SECONDS,
          log,
        }),
      ),
    ),
  );
  return {
    eventSources,
    stop: async () => {
      await Promise.all(eventSources.map((source) => source.stop()));
      sqs.destroy();
    },
  };
}

/** The worker as a process: stops cleanly on SIGTERM/SIGINT and when a forking parent goes away. */
export async function runPublisherWorkerProcess(options: PublisherWorkerOptions = {}): Promise<void> {
  const worker = await startPublisherWorker(options);
  const shutdown = () => void worker.stop().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // a parent that forked us is told when polling has started; its exit ends us too
  if (process.send) {
    process.send({ ready: true });
    process.on('disconnect', shutdown);
  } else {
    console.log(`publishers polling ${worker.eventSources.length} queues`);
  }
}

/**
 * Forks this file as the publishers' own process, with this process's environment (the local
 * stack's, once it has applied it); resolves once every event source polls.
 */
export async function forkPublisherWorker(
  options: Pick<PublisherWorkerOptions, 'concurrency'> = {},
): Promise<{ stop(): Promise<void> }> {
  const args = options.concurrency ? [CONCURRENCY_FLAG, JSON.stringify(options.concurrency)] : [];
  const child = fork(fileURLToPath(import.meta.url), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) =>
      reject(new Error(`the publishers' process ended (${code ?? signal}) before it polled`)),
    );
  });
  return {
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

const CONCURRENCY_FLAG = '--concurrency';

function concurrencyFromArgs(args: string[]): PublisherWorkerOptions['concurrency'] {
  const index = args.indexOf(CONCURRENCY_FLAG);
  return index >= 0 ? (JSON.parse(args[index + 1] ?? '') as PublisherWorkerOptions['concurrency']) : undefined;
}

// Run as a script (tsx local/publisher-worker.ts, or forked above), not when imported.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runPublisherWorkerProcess({ concurrency: concurrencyFromArgs(process.argv.slice(2)) });
}

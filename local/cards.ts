/**
 * Alert cards in the local stack: the card function's two queues (with their DLQs), the function
 * itself behind SQS event sources as Lambda would run it, and a small HTTP server that serves the
 * rendered cards from a directory, as CloudFront serves them from S3 in AWS. The simulated
 * platforms receive the card's URL and anyone (a test, a person) can open it.
 */
import { fork } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { cardQueueNames } from '../shared/cards/config';
import { cardQueueUrl } from '../shared/config';
import { localSqsClient } from './aws';
import { startEventSource, type EventSource, type SqsHandler } from './event-source';
import { MAX_RECEIVE_COUNT, queueArn, VISIBILITY_TIMEOUT_SECONDS } from './provision';

export interface CardQueues {
  normal: string;
  urgent: string;
  normalDlq: string;
  urgentDlq: string;
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

export async function provisionCardQueues(sqsEndpoint: string, prefix = 'herold'): Promise<CardQueues> {
  const client = localSqsClient(sqsEndpoint);
  const names = cardQueueNames(prefix);
  try {
    const [normalDlq, urgentDlq] = await Promise.all([
      createQueue(client, names.normalDlq, {}),
      createQueue(client, names.urgentDlq, {}),
    ]);
    const lane = async (name: string, dlq: string) =>
      createQueue(client, name, {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await queueArn(client, dlq),
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      });
    const [normal, urgent] = await Promise.all([lane(names.normal, normalDlq), lane(names.urgent, urgentDlq)]);
    return { normal, urgent, normalDlq, urgentDlq };
  } finally {
    client.destroy();
  }
}

export interface CardServer {
  url: string;
  directory: string;
  stop(): Promise<void>;
}

/** Serves `<url>/cards/…` from a fresh temporary directory (removed on stop). */
export async function startCardServer(options: { port?: number } = {}): Promise<CardServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'herold-cards-'));
  const server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://cards').pathname);
    const file = path.join(directory, ...name.split('/').filter((part) => part && part !== '..'));
    if (request.method !== 'GET' || !file.startsWith(directory + path.sep)) {
      response.writeHead(404).end();
      return;
    }
    stat(file).then(
      (facts) => {
        response.writeHead(200, {
          'content-type': file.endsWith('.png') ? 'image/png' : 'image/jpeg',
          'content-length': facts.size,
        });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    directory,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The card function polling both its queues, as its event source mappings do in AWS. */
export async function startCardWorker(options: {
  sqsEndpoint: string;
  queues: Pick<CardQueues, 'normal' | 'urgent'>;
  log?: (line: string, error?: unknown) => void;
}): Promise<{ eventSources: EventSource[]; stop(): Promise<void> }> {
  const module = (await import('../functions/cards/handler')) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error('functions/cards/handler exports no handler function');
  const handler = module.handler as SqsHandler;
  const sqs = localSqsClient(options.sqsEndpoint);
  const eventSources = await Promise.all(
    (['urgent', 'normal'] as const).map((lane) =>
      startEventSource({
        sqs,
        queueUrl: options.queues[lane],
        handler,
        functionName: 'herold-cards',
        maxConcurrency: lane === 'urgent' ? 4 : 2,
        // as deployed: the card function's timeout
        timeoutSeconds: 30,
        ...(options.log ? { log: options.log } : {}),
      }),
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

/**
 * The card function in a process of its own, as in AWS it has its own CPU: laying a card out is
 * tens of milliseconds of JavaScript that would otherwise stall the API's and the publishers' event
 * loop. The child reads the environment the local stack applied (queues, table, card store).
 */
export async function forkCardWorker(): Promise<{ stop(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) =>
      reject(new Error(`the card worker ended (${code ?? signal}) before it polled`)),
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

const CHILD_FLAG = '--card-worker';

if (process.argv.includes(CHILD_FLAG) && process.argv[1] === fileURLToPath(import.meta.url)) {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_SQS must point at the local SQS server');
  const worker = await startCardWorker({
    sqsEndpoint: endpoint,
    queues: { normal: cardQueueUrl('normal'), urgent: cardQueueUrl('urgent') },
    log: (line, error) => console.error(line, error ?? ''),
  });
  const shutdown = () => void worker.stop().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('disconnect', shutdown);
  process.send?.({ ready: true });
}

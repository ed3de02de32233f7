/**
 * The public channel directory in the local stack, as CloudFront and S3 serve it in AWS: the
 * directory queue with its builder (the real handler, behind an SQS poller with a batching window),
 * a folder for the files, and a static server that answers with the same edge functions'
 * headers (shared/directory/edge.ts). The organisations' display names and embedding sites come
 * from local/seed/organisations.json; every organisation's directory is built at start.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DIRECTORY_ENV, type DirectoryJob } from '../shared/directory/request';
import type { OrgSettings } from '../shared/directory/settings';
import {
  runEdgeFunction,
  VIEWER_REQUEST_SOURCE,
  VIEWER_RESPONSE_SOURCE,
  type EdgeHeaders,
} from '../shared/directory/edge';
import { folderFileHeaders } from '../shared/directory/writers';
import { schedulingKeys } from '../shared/store/keys';
import { localDynamoDocumentClient, localSqsClient } from './aws';
import { loadSeedOrganisations } from './organisations';
import { startEventSource, type EventSource, type SqsHandler } from './event-source';
import { MAX_RECEIVE_COUNT, queueArn } from './provision';

/** As deployed: the builder's timeout. */
const BUILDER_TIMEOUT_SECONDS = 30;

export interface LocalDirectory {
  /** the static server's base URL */
  url: string;
  /** each organisation's directory */
  urls: Record<string, string>;
  queueUrl: string;
  folder: string;
  /** the environment the handlers need: queue, folder, public URL */
  env: Record<string, string>;
  /** starts the builder once the environment is applied, and asks for every organisation's directory */
  startBuilder(log: (line: string, error?: unknown) => void): Promise<void>;
  stop(): Promise<void>;
}

/** The directory settings of the seed organisations (their policies become organisation items: local/organisations.ts). */
export function seedOrganisationSettings(): Record<string, OrgSettings> {
  return Object.fromEntries(
    Object.entries(loadSeedOrganisations()).map(([org, { displayName, embedOrigins }]) => [
      org,
      { displayName, embedOrigins },
    ]),
  );
}

export async function startLocalDirectory(options: {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queuePrefix: string;
  port: number;
  orgs: readonly string[];
}): Promise<LocalDirectory> {
  const folder = await mkdtemp(path.join(tmpdir(), 'herold-directory-'));
  const sqs = localSqsClient(options.sqsEndpoint);
  const createQueue = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    return QueueUrl;
  };
  const dlq = await createQueue(`${options.queuePrefix}-directory-dlq`, {});
  const queueUrl = await createQueue(`${options.queuePrefix}-directory`, {
    VisibilityTimeout: String(BUILDER_TIMEOUT_SECONDS * 6),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, dlq),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    }),
  });

  const doc = localDynamoDocumentClient(options.dynamoEndpoint);
  const settings = seedOrganisationSettings();
  await Promise.all(
    Object.entries(settings).map(([org, values]) =>
      doc.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: schedulingKeys.orgConfig(org),
          UpdateExpression: 'SET #org = :org, displayName = :name, embedOrigins = :origins',
          ExpressionAttributeNames: { '#org': 'org' },
          ExpressionAttributeValues: { ':org': org, ':name': values.displayName, ':origins': values.embedOrigins },
        }),
      ),
    ),
  );

  const server = createServer((request, response) => {
    serveDirectoryFile(folder, request.method ?? 'GET', request.url ?? '/', request.headers['if-none-match']).then(
      (answer) =>
        response.writeHead(answer.status, answer.headers).end(request.method === 'HEAD' ? undefined : answer.body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let builder: EventSource | undefined;

  return {
    url,
    urls: Object.fromEntries(options.orgs.map((org) => [org, `${url}/${org}/`])),
    queueUrl,
    folder,
    env: { [DIRECTORY_ENV.queue]: queueUrl, [DIRECTORY_ENV.folder]: folder, [DIRECTORY_ENV.url]: url },
    async startBuilder(log) {
      const module = (await import('../functions/directory/handler')) as { handler: SqsHandler };
      builder = await startEventSource({
        sqs,
        queueUrl,
        handler: module.handler,
        functionName: 'herold-directory',
        maxConcurrency: 1,
        batchSize: 10,
        // as deployed: a burst of requests (a publish to every channel) is one batch, one build
        batchingWindowSeconds: 2,
        timeoutSeconds: BUILDER_TIMEOUT_SECONDS,
        log,
      });
      const now = new Date().toISOString();
      const jobs: DirectoryJob[] = options.orgs.map((org) => ({ type: 'build-directory', org, requestedAt: now }));
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: jobs.map((job, index) => ({ Id: String(index), MessageBody: JSON.stringify(job) })),
        }),
      );
    },
    async stop() {
      await builder?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sqs.destroy();
      doc.destroy();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** One GET or HEAD of the static server: CloudFront's viewer functions around S3's answer. */
export async function serveDirectoryFile(
  folder: string,
  method: string,
  rawUrl: string,
  ifNoneMatch?: string,
): Promise<{ status: number; headers: Record<string, string>; body?: Buffer | string }> {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' } };
  const uri = decodeURIComponent(new URL(rawUrl, 'http://directory').pathname);
  const routed = runEdgeFunction<{ uri?: string; statusCode?: number; headers?: EdgeHeaders }>(VIEWER_REQUEST_SOURCE, {
    request: { uri, method },
  });
  if (routed.statusCode)
    return {
      status: routed.statusCode,
      headers: Object.fromEntries(Object.entries(routed.headers ?? {}).map(([n, v]) => [n, v.value])),
    };
  const key = (routed.uri ?? uri).replace(/^\/+/, '');
  const meta = key.split('/').some((part) => part.startsWith('.') || part === '')
    ? undefined
    : await folderFileHeaders(folder, key);
  let status = 200;
  let body: Buffer | string | undefined;
  const origin: EdgeHeaders = {};
  if (!meta) {
    status = 404;
    body = 'Not Found';
    origin['content-type'] = { value: 'text/plain; charset=utf-8' };
  } else {
    const bytes = await readFile(path.join(folder, key));
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    origin['content-type'] = { value: meta.contentType };
    origin['cache-control'] = { value: meta.cacheControl };
    origin.etag = { value: etag };
    if (meta.frameAncestors !== undefined) origin['x-amz-meta-frame-ancestors'] = { value: meta.frameAncestors };
    if (ifNoneMatch === etag) status = 304;
    else body = bytes;
  }
  const response = runEdgeFunction<{ headers: EdgeHeaders }>(VIEWER_RESPONSE_SOURCE, {
    request: { uri: `/${key}`, method },
    response: { statusCode: status, headers: origin },
  });
  return {
    status,
    headers: Object.fromEntries(Object.entries(response.headers).map(([name, { value }]) => [name, value])),
    ...(body !== undefined ? { body } : {}),
  };
}

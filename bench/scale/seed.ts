/**
 * Seeding the scale benchmark's history into DynamoDB Local: BatchWriteItem calls of 25 items,
 * several in flight at once (the history over plain HTTP, see SeedWriter), with the items built by
 * the project's own key functions and schemas. Each writer stops at its deadline and says how far
 * it got, so a run over its time budget still reports.
 */
import { Agent, request } from 'node:http';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_CREDENTIALS, localRegion } from '../../local/aws';
import type { DynamoDbLocalOptions } from '../../local/services';
import { addDays } from '../../shared/followers/dates';
import { checkFollowerWrite, followerPut, type FollowerWrite } from '../../shared/followers/store';
import { DeliverySchema, MessageSchema, type Channel, type Delivery, type Message } from '../../shared/model/schemas';
import { openIndexAttributes } from '../../shared/store/deliveries';
import { keys } from '../../shared/store/keys';
import { STUCK_AFTER_MS } from '../../shared/store/messages';

/** DynamoDB Local keeps getting faster up to about 32 batches in flight (through the SDK 1,000 → 1,800 items/s from 16 to 32) */
export const WRITE_CONCURRENCY = 32;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Written {
  items: number;
  /** the deadline came before the last batch (or right after it) */
  cut: boolean;
  ms: number;
}

export async function writeInParallel<T>(options: {
  batches: Iterator<T[]>;
  write: (batch: T[]) => Promise<number>;
  concurrency?: number;
  until?: number;
  onProgress?: (items: number) => void;
}): Promise<Written> {
  const started = performance.now();
  let items = 0;
  let cut = false;
  const worker = async () => {
    for (;;) {
      if (options.until !== undefined && Date.now() >= options.until) {
        cut = true;
        return;
      }
      const next = options.batches.next();
      if (next.done) return;
      const written = await options.write(next.value);
      items += written;
      options.onProgress?.(items);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? WRITE_CONCURRENCY }, worker));
  return { items, cut, ms: performance.now() - started };
}

/** Writes items as they are (keys included), sending unprocessed ones again. */
export const putItems =
  (doc: DynamoDBDocumentClient, table: string) =>
  async (items: Record<string, unknown>[]): Promise<number> => {
    let requests: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
    return items.length;
  };

/**
 * DynamoDB Local for a million items. The default 512 MB heap holds them (the items live in
 * SQLite's memory outside the heap: after 30,000 and after 630,000 items the heap held 21 MB after
 * a full collection, while the process grew 1.5 KB per item); a larger heap and the parallel
 * collector cost DynamoDB Local about a tenth less CPU per written item (0.245 against 0.275 ms).
 */
export const SCALE_DYNAMODB: DynamoDbLocalOptions = { maxHeapMb: 2048, jvmOptions: ['-XX:+UseParallelGC'] };

/** A BatchWriteItem call may carry at most 25 items. */
export const BATCH_SIZE = 25;
const MAX_ATTEMPTS = 10;

/**
 * BatchWriteItem over plain HTTP, for seeding only: the items are marshalled and serialised to
 * JSON once, sent over kept-alive sockets, and the answer is read for its unprocessed items alone.
 * Through the SDK's document client each item costs the seeding process about 0.08 ms of CPU
 * (marshalling, middleware, signing, parsing the answer), on two cores shared with DynamoDB Local
 * (0.25-0.28 ms an item) a fifth of what a seeded item costs in all; this way 0.03 ms, item
 * building included (bench/scale/seed-rate.ts). DynamoDB Local keeps one database per access key
 * and region, which it reads from the credential scope of the Authorization header; it checks no
 * signature.
 */
export class SeedWriter {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly authorization: string;

  constructor(endpoint: string, concurrency = WRITE_CONCURRENCY) {
    this.url = new URL(endpoint);
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    this.authorization = `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20260101/${localRegion()}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;
  }

  /** Writes items as they are (keys included), sending unprocessed ones again. */
  putItems(table: string): (items: Record<string, unknown>[]) => Promise<number> {
    const opening = `{"RequestItems":{${JSON.stringify(table)}:[`;
    return async (items) => {
      let requests = items.map(
        (item) => `{"PutRequest":{"Item":${JSON.stringify(marshall(item, { removeUndefinedValues: true }))}}}`,
      );
      for (let attempt = 1; requests.length > 0; attempt += 1) {
        if (attempt > MAX_ATTEMPTS)
          throw new Error(`${requests.length} items were still unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
        const answer = JSON.parse(await this.post(`${opening}${requests.join(',')}]}}`)) as {
          UnprocessedItems?: Record<string, unknown[]>;
        };
        requests = (answer.UnprocessedItems?.[table] ?? []).map((request) => JSON.stringify(request));
      }
      return items.length;
    };
  }

  destroy(): void {
    this.agent.destroy();
  }

  private post(body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const call = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
            authorization: this.authorization,
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode === 200) resolve(text);
            else reject(new Error(`BatchWriteItem answered ${response.statusCode}: ${text.slice(0, 300)}`));
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }
}

/** A message item as putMessageWithDeliveries writes it. */
export const messageItem = (message: Message) => ({
  ...keys.message(message.id),
  GSI1PK: keys.orgMessages(message.org),
  GSI1SK: keys.orgMessagesSort(message.createdAt, message.id),
  ...message,
});

/** A delivery item; open ones carry the reconciler's index attributes, as putMessageWithDeliveries writes them. */
export const deliveryItem = (delivery: Delivery, open: boolean) => ({
  ...keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
  ...(open
    ? openIndexAttributes(Date.parse(delivery.createdAt) + STUCK_AFTER_MS, delivery.messageId, delivery.channelId)
    : {}),
  ...delivery,
});

function messageOf(id: string, org: string, channels: readonly Channel[], createdAt: string): Message {
  return MessageSchema.parse({
    id,
    org,
    kind: 'post',
    priority: 'normal',
    text: 'Amtsblatt: die Sitzung des Gemeinderats beginnt um 18 Uhr.',
    media: [],
    createdBy: 'scale-bench',
    createdAt,
    channelIds: channels.map((channel) => channel.id),
  });
}

function deliveryOf(message: Message, channel: Channel, state: Delivery['state']): Delivery {
  const settled = state === 'PUBLISHED';
  return DeliverySchema.parse({
    messageId: message.id,
    channelId: channel.id,
    org: message.org,
    platform: channel.platform,
    priority: message.priority,
    state,
    renderedText: message.text,
    attempts: settled ? 1 : 0,
    createdAt: message.createdAt,
    updatedAt: message.createdAt,
    ...(settled ? { publishedAt: message.createdAt, remoteId: `past-${message.id}-${channel.id}` } : {}),
    version: settled ? 3 : 0,
  });
}

/**
 * Past, settled messages of every organisation to all its channels, spread over the last year,
 * until `count` deliveries exist; the items of one message go out in the same batches.
 */
export function* pastDeliveryItems(
  channelsByOrg: ReadonlyMap<string, readonly Channel[]>,
  count: number,
  idPrefix: string,
  now = Date.now(),
): Generator<Record<string, unknown>> {
  const orgs = [...channelsByOrg.keys()];
  let delivered = 0;
  for (let number = 0; delivered < count; number += 1) {
    const org = orgs[number % orgs.length]!;
    const channels = channelsByOrg.get(org)!.slice(0, count - delivered);
    const createdAt = new Date(now - DAY_MS - ((number * 7919) % (364 * DAY_MS))).toISOString();
    const message = messageOf(`${idPrefix}-${number}`, org, channels, createdAt);
    yield messageItem(message);
    for (const channel of channels) yield deliveryItem(deliveryOf(message, channel, 'PUBLISHED'), false);
    delivered += channels.length;
  }
}

/** `count` deliveries left PENDING five minutes ago, a message per organisation: due for the reconciler now. */
export function openDeliveryItems(
  channelsByOrg: ReadonlyMap<string, readonly Channel[]>,
  count: number,
  idPrefix: string,
): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const createdAt = new Date(Date.now() - 5 * 60_000).toISOString();
  let open = 0;
  for (const [org, all] of channelsByOrg) {
    if (open >= count) break;
    const channels = all.slice(0, count - open);
    const message = messageOf(`${idPrefix}-${org}`, org, channels, createdAt);
    items.push(messageItem(message));
    for (const channel of channels) items.push(deliveryItem(deliveryOf(message, channel, 'PENDING'), true));
    open += channels.length;
  }
  return items;
}

/**
 * Daily follower figures, newest day first (yesterday, the day before …): whole days of every
 * channel, so a cut run has seeded its first `n` days completely and day `n + 1` in part.
 */
export function* followerHistory(channels: readonly Channel[], days: number, today: string): Generator<FollowerWrite> {
  for (let back = 1; back <= days; back += 1) {
    const date = addDays(today, -back);
    const collectedAt = `${date}T04:00:00.000Z`;
    for (const [index, channel] of channels.entries())
      yield { channel, date, count: 1_000 + index + (days - back) * 3, source: 'api', collectedAt };
  }
}

/** A follower figure's item as the project's own batch writer writes it, checked by its schema first. */
export function followerFigureItem(table: string, write: FollowerWrite): Record<string, unknown> {
  checkFollowerWrite(write);
  return followerPut(table, write).Put.Item;
}

export function* batchesOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Follower figures in the single table: `CHANNEL#<id>` / `FOLLOWERS#<yyyy-mm-dd>`. One item per channel
 * and day, so writing the same day again overwrites: collection and imports are idempotent.
 */
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../store/client';
import * as z from 'zod';
import { IdSchema, type Channel } from '../model/schemas';

export const FollowerSourceSchema = z.enum(['api', 'manual', 'import']);
export type FollowerSource = z.infer<typeof FollowerSourceSchema>;

export const FollowerCountSchema = z
  .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
  .int('must be a whole number')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER);

export const FollowerFigureSchema = z.object({
  channelId: IdSchema,
  date: z.iso.date(),
  count: FollowerCountSchema,
  source: FollowerSourceSchema,
  collectedAt: z.iso.datetime(),
});
export type FollowerFigure = z.infer<typeof FollowerFigureSchema>;

export interface FollowerWrite {
  channel: Pick<Channel, 'id' | 'org' | 'platform'>;
  date: string;
  count: number;
  source: FollowerSource;
  collectedAt: string;
}

const channelKey = (channelId: string) => `CHANNEL#${channelId}`;
const FOLLOWERS_PREFIX = 'FOLLOWERS#';
const followersKey = (date: string) => `${FOLLOWERS_PREFIX}${date}`;

/** The key of a channel's figure of one day. */
export const followerFigureKey = (channelId: string, date: string) => ({
  PK: channelKey(channelId),
  SK: followersKey(date),
});

function followerItem({ channel, date, count, source, collectedAt }: FollowerWrite) {
  return {
    ...followerFigureKey(channel.id, date),
    count,
    collectedAt,
    source,
    platform: channel.platform,
    org: channel.org,
  };
}

/** One figure as a Put of a TransactWriteItems call (a figure entered by a person, with its audit record). */
export const followerPut = (table: string, write: FollowerWrite) => ({
  Put: { TableName: table, Item: followerItem(write) },
});

/** Writes one figure; the same channel and day overwrites the earlier one. */
export async function putFollowerCount(
  doc: DynamoDBDocumentClient,
  table: string,
  write: FollowerWrite,
): Promise<FollowerFigure> {
  const figure = FollowerFigureSchema.parse({
    channelId: write.channel.id,
    date: write.date,
    count: write.count,
    source: write.source,
    collectedAt: write.collectedAt,
  });
  await doc.send(new PutCommand({ TableName: table, Item: followerItem(write) }));
  return figure;
}

// `count` is a DynamoDB reserved word.
const FIGURE_PROJECTION = {
  ProjectionExpression: 'SK, #count, collectedAt, #source',
  ExpressionAttributeNames: { '#count': 'count', '#source': 'source' },
};

const SOURCES: ReadonlySet<unknown> = new Set(FollowerSourceSchema.options);

/**
 * Items are read back in bulk (a year of 15 channels is 5,000+ of them), so this checks the shape
 * by hand instead of running the full schema on each.
 */
function figureFromItem(channelId: string, item: Record<string, unknown>): FollowerFigure {
  const { SK, count, source, collectedAt } = item;
  if (
    typeof SK !== 'string' ||
    typeof count !== 'number' ||
    !Number.isSafeInteger(count) ||
    count < 0 ||
    !SOURCES.has(source) ||
    typeof collectedAt !== 'string'
  ) {
    throw new Error(`malformed follower item ${channelKey(channelId)} / ${String(SK)}`);
  }
  return { channelId, date: SK.slice(FOLLOWERS_PREFIX.length), count, source: source as FollowerSource, collectedAt };
}

/** A channel's figures from `from` to `to` (inclusive), oldest first. */
export async function queryFollowerSeries(
  doc: DynamoDBDocumentClient,
  table: string,
  channelId: string,
  from: string,
  to: string,
): Promise<FollowerFigure[]> {
  const items = await queryAll(doc, {
    TableName: table,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': channelKey(channelId), ':from': followersKey(from), ':to': followersKey(to) },
    ...FIGURE_PROJECTION,
  });
  return items.map((item) => figureFromItem(channelId, item));
}

/** The newest figure of a channel, or null when it was never measured. */
export async function latestFollowerFigure(
  doc: DynamoDBDocumentClient,
  table: string,
  channelId: string,
): Promise<FollowerFigure | null> {
  const page = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': channelKey(channelId), ':prefix': FOLLOWERS_PREFIX },
      ...FIGURE_PROJECTION,
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = page.Items?.[0];
  return item ? figureFromItem(channelId, item) : null;
}

const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Writes many figures with BatchWriteItem, 25 at a time. Unprocessed items (throttling) are sent again
 * with exponential backoff; if they still do not go through, the error says how many are left.
 */
/** A figure about to be written, checked against the model's schema (throws on a bad one). */
export function checkFollowerWrite(write: FollowerWrite): void {
  FollowerFigureSchema.parse({
    channelId: write.channel.id,
    date: write.date,
    count: write.count,
    source: write.source,
    collectedAt: write.collectedAt,
  });
}

export async function batchWriteFollowerCounts(
  doc: DynamoDBDocumentClient,
  table: string,
  writes: readonly FollowerWrite[],
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<number> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (const write of writes) checkFollowerWrite(write);
  for (let start = 0; start < writes.length; start += BATCH_SIZE) {
    let requests = writes
      .slice(start, start + BATCH_SIZE)
      .map((write) => ({ PutRequest: { Item: followerItem(write) } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS)
        throw new Error(
          `${requests.length} follower figures were still unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
        );
      if (attempt > 1) await sleep(Math.min(50 * 2 ** attempt, 5000));
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return writes.length;
}

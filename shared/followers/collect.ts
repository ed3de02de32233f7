/**
 * One `collect-followers` job: the platform's publisher function reads the count with its client's
 * `followerCount` and hands it here. Errors propagate so the queue's retry rules apply.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../model/schemas';
import { emitFollowerCount } from './metrics';
import { FollowerCountSchema, putFollowerCount, type FollowerFigure } from './store';

export type CollectionOutcome = { collected: true; figure: FollowerFigure } | { collected: false; reason: 'retired' };

export async function collectFollowers(options: {
  channel: Channel;
  date: string;
  readCount: () => Promise<number>;
  doc: DynamoDBDocumentClient;
  table: string;
  metrics: Metrics;
  now?: () => Date;
}): Promise<CollectionOutcome> {
  const { channel } = options;
  // Frozen channels are still measured (their audience still exists); retired ones are gone.
  if (channel.state === 'retired') return { collected: false, reason: 'retired' };
  const raw = await options.readCount();
  const count = FollowerCountSchema.safeParse(raw);
  if (!count.success)
    throw new Error(
      `${channel.platform} returned ${String(raw)} as the follower count of ${channel.id}: ${count.error.issues[0]?.message}`,
    );
  const figure = await putFollowerCount(options.doc, options.table, {
    channel,
    date: options.date,
    count: count.data,
    source: 'api',
    collectedAt: (options.now?.() ?? new Date()).toISOString(),
  });
  emitFollowerCount(options.metrics, channel, figure.count);
  return { collected: true, figure };
}

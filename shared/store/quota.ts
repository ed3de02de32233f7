/**
 * Publishing budgets per channel, counted in DynamoDB with one atomic conditional ADD per post.
 * Routine posts may use the budget up to `limit − reserve`; the reserve is for emergencies only,
 * so a busy day of routine posts can never leave the fire brigade without quota for an alert.
 *
 * Windows are fixed (aligned to the epoch) rather than rolling: one item per channel and window,
 * no read-before-write. A platform with a rolling window may then see up to twice the limit across
 * a window boundary, so the configured limit is kept at or below the platform's own.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Priority } from '../model/schemas';
import type { QuotaRule } from '../platforms/registry';
import { isConditionFailure, type Store } from './client';

export const DEFAULT_EMERGENCY_RESERVE = 0.2;

const windowKey = (channelId: string, rule: QuotaRule, now: number) => {
  const windowMs = rule.windowSeconds * 1000;
  return { PK: `QUOTA#${channelId}`, SK: new Date(Math.floor(now / windowMs) * windowMs).toISOString() };
};

export type QuotaDecision =
  | { ok: true; used: number; limit: number; reserve: number }
  | { ok: false; retryAtMs: number; limit: number; reserve: number };

export const reserveFor = (rule: QuotaRule, share = DEFAULT_EMERGENCY_RESERVE) => Math.ceil(rule.limit * share);

export async function takeQuota(
  store: Store,
  channelId: string,
  rule: QuotaRule,
  priority: Priority,
  options: { now: number; reserveShare?: number },
): Promise<QuotaDecision> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(options.now / windowMs) * windowMs;
  const reserve = reserveFor(rule, options.reserveShare);
  const ceiling = priority === 'emergency' ? rule.limit : rule.limit - reserve;
  try {
    const result = await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: windowKey(channelId, rule, options.now),
        UpdateExpression: 'ADD used :one SET expiresAt = if_not_exists(expiresAt, :expires), #limit = :limit',
        ConditionExpression: 'attribute_not_exists(used) OR used < :ceiling',
        ExpressionAttributeNames: { '#limit': 'limit' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':ceiling': ceiling,
          ':limit': rule.limit,
          ':expires': Math.floor((windowStart + 2 * windowMs) / 1000),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { ok: true, used: Number(result.Attributes?.used ?? 1), limit: rule.limit, reserve };
  } catch (error) {
    if (isConditionFailure(error)) return { ok: false, retryAtMs: windowStart + windowMs, limit: rule.limit, reserve };
    throw error;
  }
}

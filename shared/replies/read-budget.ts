/**
 * Read budgets: how many calls reading replies may make, per channel or per platform app, in fixed
 * windows (see ReadBudgetRule in the registry). Counted like publishing budgets (one conditional
 * ADD per call, no read first) but in items of their own (`READS#…`): reading never takes from a
 * publishing budget or its emergency reserve.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PlatformId, ReadBudgetRule } from '../platforms/registry';
import { isConditionFailure, type Store } from '../store/client';

/** The read budget is spent until `retryAtMs`, when the next window starts. */
export class ReadBudgetSpent extends Error {
  constructor(readonly retryAtMs: number) {
    super('the read budget for replies is spent until the next window');
    this.name = 'ReadBudgetSpent';
  }
}

export const readBudgetScope = (platform: PlatformId, rule: ReadBudgetRule, channelId: string) =>
  rule.per === 'app' ? platform : `${platform}#${channelId}`;

/** Take one call of the budget, or throw ReadBudgetSpent. */
export async function takeRead(store: Store, scope: string, rule: ReadBudgetRule, nowMs: number): Promise<void> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: { PK: `READS#${scope}`, SK: new Date(windowStart).toISOString() },
        UpdateExpression: 'ADD used :one SET expiresAt = if_not_exists(expiresAt, :expires), #limit = :limit',
        ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
        ExpressionAttributeNames: { '#limit': 'limit' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': rule.limit,
          ':expires': Math.floor((windowStart + 2 * windowMs) / 1000),
        },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ReadBudgetSpent(windowStart + windowMs);
    throw error;
  }
}

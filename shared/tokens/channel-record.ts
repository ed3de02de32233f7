/** What the token health check records on a channel item: dates and the re-auth flag, never a token. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../store/keys';
import type { Store } from '../store/client';

export interface TokenCheckRecord {
  checkedAt: Date;
  /** undefined: the token does not expire, or its expiry is unknown */
  expiresAt: Date | undefined;
  /** true: flag the channel; false: the platform accepted the token, so clear the flag; undefined: leave it */
  needsReauth: boolean | undefined;
  /** set when the check renewed the token: the Channels page shows when it was last refreshed */
  refreshedAt?: Date;
  /** set when Herold renewed the token by itself: its expiry then needs nobody (Channel.tokenRenews) */
  renews?: true;
}

export async function recordTokenCheck(store: Store, channelId: string, record: TokenCheckRecord): Promise<void> {
  const set = ['tokenCheckedAt = :checkedAt'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':checkedAt': record.checkedAt.toISOString() };
  if (record.renews || record.needsReauth === true) values[':yes'] = true;
  if (record.expiresAt) {
    set.push('tokenExpiresAt = :expiresAt');
    values[':expiresAt'] = record.expiresAt.toISOString();
  } else {
    remove.push('tokenExpiresAt');
  }
  if (record.refreshedAt) {
    set.push('tokenRefreshedAt = :refreshedAt');
    values[':refreshedAt'] = record.refreshedAt.toISOString();
  }
  if (record.renews) set.push('tokenRenews = :yes');
  if (record.needsReauth === true) {
    set.push('needsReauth = :yes');
  } else if (record.needsReauth === false) {
    remove.push('needsReauth');
  }
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: keys.channel(channelId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * The token renewal lease as one DynamoDB item per channel: taken with a conditional put that only
 * succeeds when nobody holds it or the holder's time is up, given back with a delete conditional on
 * the holder. A holder that dies leaves an item that simply runs out; TTL removes it later.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../model/schemas';
import { forgetCredentials, loadCredentials, saveCredentials } from '../publishing/credentials';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';
import { recordTokenCheck } from './channel-record';
import type { RefreshLease, RenewalDeps } from './refresh-on-use';

/** TTL (the table's `expiresAt`, epoch seconds) keeps a forgotten lease item for a day at most. */
const KEEP_SECONDS = 24 * 60 * 60;

export function dynamoRefreshLease(store: Store): RefreshLease {
  return {
    async acquire(channelId, holder, untilMs, now) {
      try {
        await store.doc.send(
          new PutCommand({
            TableName: store.table,
            Item: {
              ...keys.tokenRefreshLease(channelId),
              holder,
              leaseUntil: untilMs,
              expiresAt: Math.ceil(untilMs / 1000) + KEEP_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async release(channelId, holder) {
      try {
        await store.doc.send(
          new DeleteCommand({
            TableName: store.table,
            Key: keys.tokenRefreshLease(channelId),
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        );
      } catch (error) {
        // the lease ran out and someone else holds it now: theirs to give back
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

/**
 * How a publisher renews one channel's credentials: under the table's lease, reading and writing
 * the channel's own secret (or local file entry), and noting the renewal on the channel item, where
 * the Channels page shows the token's expiry and when it was last refreshed.
 */
export function channelRenewal(
  store: Store,
  channel: Pick<Channel, 'id' | 'credentialsRef'>,
  options: { requestTimeoutMs: number },
): RenewalDeps {
  const leaseMs = options.requestTimeoutMs + LEASE_MARGIN_MS;
  return {
    lease: dynamoRefreshLease(store),
    // one name per renewal: two records of one batch are two contenders
    holder: randomUUID(),
    loadStored: () => {
      forgetCredentials(channel.credentialsRef);
      return loadCredentials(channel.credentialsRef);
    },
    save: (credentials) => saveCredentials(channel.credentialsRef, credentials),
    recordRenewal: async (credentials) => {
      const now = new Date();
      const expiresAt = credentials.expiresAt ? new Date(credentials.expiresAt) : undefined;
      await recordTokenCheck(store, channel.id, {
        checkedAt: now,
        expiresAt,
        needsReauth: false,
        refreshedAt: now,
        renews: true,
      });
    },
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    leaseMs,
    waitMs: leaseMs,
  };
}

/** A lease outlasts the refresh call's timeout by this, for storing the secret and the channel item. */
const LEASE_MARGIN_MS = 5_000;

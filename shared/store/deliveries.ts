/**
 * Delivery state transitions. Every transition is one conditional update, so two workers holding
 * the same job (SQS delivers at least once) can never both publish: only the claim holder, known
 * by the version it claimed, may settle a delivery.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DeliverySchema, type Delivery, type DeliveryError, type DeliveryState } from '../model/schemas';
import { DELIVERY_SK_PREFIX, keys, OPEN_INDEX, openDeliveryShards, RELEASE_SK, STAGED_WRITE_SK } from './keys';
import { batchGetItems, isConditionFailure, withoutKeys, type Store } from './client';

export const openIndexAttributes = (checkAtMs: number, messageId: string, channelId: string) => ({
  OPENPK: keys.openDeliveries(messageId, channelId),
  OPENSK: keys.openDeliveriesSort(checkAtMs, messageId, channelId),
});

const CLAIMABLE: DeliveryState[] = ['PENDING', 'QUEUED', 'RETRYING', 'VERIFY'];

export type ClaimOutcome = { claimed: true; delivery: Delivery } | { claimed: false; current: Delivery | undefined };

/**
 * Take the delivery for publishing, with a lease; returns the current item when someone else has it or it is settled.
 *
 * The reconciler must look at a claimed delivery no later than the lease's end: an attempt that dies
 * leaves the delivery PUBLISHING, and only the reconciler takes it back (the job's own copy stays
 * invisible for six times the function's timeout). An open delivery's index entry usually already
 * says so — its check time is where a fresh or waiting delivery's claim comes, a lease before its
 * end — and the claim leaves it alone, as a change of the index key costs two index writes. An entry
 * due later than the lease's end (after the reconciler re-sent the job, or with a lease shorter than
 * the grace of a retry) is brought forward to the lease's end by the claim itself, in the same write.
 */
export async function claimDelivery(
  store: Store,
  ref: DeliveryRef,
  options: { now: number; leaseMs: number },
): Promise<ClaimOutcome> {
  const leaseUntil = options.now + options.leaseMs;
  const leaseEnd = keys.openDeliveriesSort(leaseUntil, ref.messageId, ref.channelId);
  const attempt = await tryClaim(store, ref, { ...options, leaseUntil, leaseEnd, checkLaterThanLease: false });
  if (attempt.claimed) return attempt;
  // Refused: either nobody may take it now, or its entry is due after the lease's end (the one case
  // the first write excludes). Only in the second case is the claim tried again, moving the entry.
  const dueAfterLease = attempt.checkKey !== undefined && attempt.checkKey > leaseEnd;
  if (!dueAfterLease) return { claimed: false, current: attempt.current };
  const moved = await tryClaim(store, ref, { ...options, leaseUntil, leaseEnd, checkLaterThanLease: true });
  return moved.claimed ? moved : { claimed: false, current: moved.current };
}

async function tryClaim(
  store: Store,
  ref: DeliveryRef,
  options: { now: number; leaseUntil: number; leaseEnd: string; checkLaterThanLease: boolean },
): Promise<ClaimOutcome & { checkKey?: string }> {
  try {
    const result = await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(ref.messageId, ref.channelId, ref.deliveryPartitions),
        UpdateExpression: `SET previousState = #state, #state = :publishing, leaseUntil = :lease, attempts = attempts + :one, version = version + :one, updatedAt = :nowIso, OPENPK = if_not_exists(OPENPK, :open), ${
          // Only a delivery that had left the index (a FAILED one retried by a redrive) re-enters it;
          // one due after the lease's end is brought forward to it (see above).
          options.checkLaterThanLease ? 'OPENSK = :leaseEnd' : 'OPENSK = if_not_exists(OPENSK, :leaseEnd)'
        } REMOVE waitingFor, retriesExhausted`,
        ConditionExpression:
          // A waiting delivery is not taken before its time, whoever holds a copy of the job: a verify
          // lookup must not run before the platform can have finished the request it is looking for.
          // …and a delivery whose alert card is still being rendered is not taken: the card function queues it when the card is ready.
          `attribute_exists(PK) AND (#state IN (:pending, :queued) OR (#state IN (:retrying, :verify) AND (attribute_not_exists(notBefore) OR notBefore <= :now)) OR (#state = :publishing AND leaseUntil < :now) OR (#state = :failed AND retriesExhausted = :yes)) AND (attribute_not_exists(card) OR card.#state <> :cardPending) AND ${
            options.checkLaterThanLease ? 'OPENSK > :leaseEnd' : '(attribute_not_exists(OPENSK) OR OPENSK <= :leaseEnd)'
          }`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':publishing': 'PUBLISHING',
          ':failed': 'FAILED',
          ':yes': true,
          ':lease': options.leaseUntil,
          ':one': 1,
          ':now': options.now,
          ':nowIso': new Date(options.now).toISOString(),
          ':cardPending': 'pending',
          ':open': keys.openDeliveries(ref.messageId, ref.channelId),
          ':leaseEnd': options.leaseEnd,
          ...Object.fromEntries(CLAIMABLE.map((state) => [`:${state.toLowerCase()}`, state])),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { claimed: true, delivery: DeliverySchema.parse(withoutKeys(result.Attributes ?? {})) };
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
      const raw = (error as { Item?: Record<string, unknown> }).Item;
      const item = raw ? unmarshalIfNeeded(raw) : undefined;
      return {
        claimed: false,
        current: item ? DeliverySchema.parse(withoutKeys(item)) : undefined,
        checkKey: typeof item?.OPENSK === 'string' ? item.OPENSK : undefined,
      };
    }
    throw error;
  }
}

/** The document client leaves ReturnValuesOnConditionCheckFailure items in DynamoDB JSON. */
const unmarshalIfNeeded = (item: Record<string, unknown>): Record<string, unknown> =>
  Object.values(item).every((value) => typeof value === 'object' && value !== null && Object.keys(value).length === 1)
    ? unmarshall(item as Record<string, AttributeValue>)
    : item;

/** What addresses a delivery: its message, its channel and its message's deliveryPartitions. */
export type DeliveryRef = Pick<Delivery, 'messageId' | 'channelId' | 'deliveryPartitions'>;

export interface Claim extends DeliveryRef {
  version: number;
}

const claimCondition = '#state = :publishing AND version = :version';

async function updateClaimed(
  store: Store,
  claim: Claim,
  update: { set: Record<string, unknown>; remove?: string[] },
  now: number,
): Promise<boolean> {
  const names: Record<string, string> = { '#state': 'state' };
  const values: Record<string, unknown> = {
    ':publishing': 'PUBLISHING',
    ':version': claim.version,
    ':updatedAt': new Date(now).toISOString(),
  };
  const sets = ['updatedAt = :updatedAt'];
  for (const [name, value] of Object.entries(update.set)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  const removes = update.remove?.length ? ` REMOVE ${update.remove.join(', ')}` : '';
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(claim.messageId, claim.channelId, claim.deliveryPartitions),
        UpdateExpression: `SET ${sets.join(', ')}${removes}`,
        ConditionExpression: claimCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Record intermediate platform state (e.g. a Threads container id) before the irreversible step. */
export const saveCheckpoint = (store: Store, claim: Claim, checkpoint: Record<string, string>, now: number) =>
  updateClaimed(store, claim, { set: { checkpoint } }, now);

export const recordPublished = (
  store: Store,
  claim: Claim,
  result: { remoteId: string; remoteUrl?: string; threadRootId?: string; liveAt?: number },
  now: number,
  attempt: { publishTriedAt?: number } = {},
) =>
  updateClaimed(
    store,
    claim,
    {
      set: {
        state: 'PUBLISHED',
        remoteId: result.remoteId,
        ...(attempt.publishTriedAt !== undefined ? { publishTriedAt: attempt.publishTriedAt } : {}),
        publishedAt: new Date(result.liveAt ?? now).toISOString(),
        ...(result.remoteUrl ? { remoteUrl: result.remoteUrl } : {}),
        ...(result.threadRootId ? { threadRootId: result.threadRootId } : {}),
      },
      remove: ['leaseUntil', 'OPENPK', 'OPENSK', 'lastError'],
    },
    now,
  );

/** A settled failure or skip, or a hand-off to a person: leaves the reconciler's index. */
export const recordFinal = (
  store: Store,
  claim: Claim,
  outcome: {
    state: 'FAILED' | 'SKIPPED' | 'HANDOFF';
    lastError?: DeliveryError;
    reason?: string;
    retriesExhausted?: boolean;
    /** the attempt tried to publish (see Delivery.publishTriedAt) */
    publishTriedAt?: number;
  },
  now: number,
) =>
  updateClaimed(
    store,
    claim,
    {
      set: {
        state: outcome.state,
        ...(outcome.lastError ? { lastError: outcome.lastError } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        ...(outcome.retriesExhausted ? { retriesExhausted: true } : {}),
        ...(outcome.publishTriedAt !== undefined ? { publishTriedAt: outcome.publishTriedAt } : {}),
      },
      remove: ['leaseUntil', 'OPENPK', 'OPENSK'],
    },
    now,
  );

/** Not settled yet: RETRYING (waits for its next attempt) or VERIFY (look the post up first). */
export const recordPending = (
  store: Store,
  claim: Claim,
  outcome: {
    state: 'RETRYING' | 'VERIFY';
    lastError: DeliveryError;
    waitingFor?: 'retry' | 'rate-limit' | 'quota';
    nextAttemptAt: number;
    lookupsInDoubt?: number;
    /** the attempt tried to publish (see Delivery.publishTriedAt) */
    publishTriedAt?: number;
  },
  now: number,
) =>
  updateClaimed(
    store,
    claim,
    {
      set: {
        state: outcome.state,
        lastError: outcome.lastError,
        ...(outcome.publishTriedAt !== undefined ? { publishTriedAt: outcome.publishTriedAt } : {}),
        ...(outcome.waitingFor ? { waitingFor: outcome.waitingFor } : {}),
        ...(outcome.lookupsInDoubt ? { lookupsInDoubt: outcome.lookupsInDoubt } : {}),
        notBefore: outcome.nextAttemptAt,
        OPENSK: keys.openDeliveriesSort(outcome.nextAttemptAt + STALE_GRACE_MS, claim.messageId, claim.channelId),
      },
      // the count is of lookups in a row: any other outcome starts it again
      remove: outcome.lookupsInDoubt ? ['leaseUntil'] : ['leaseUntil', 'lookupsInDoubt'],
    },
    now,
  );

/** How long past its planned next attempt a delivery may sit before the reconciler re-enqueues it. */
export const STALE_GRACE_MS = 60_000;

export interface OpenDelivery {
  delivery: Delivery;
  checkKey: string;
}

/** A message written in chunks whose write is due to have finished (see shared/store/staged-write.ts). */
export interface DueStagedWrite {
  messageId: string;
  checkKey: string;
}

export interface DueOpenItems {
  deliveries: OpenDelivery[];
  stagedWrites: DueStagedWrite[];
  /** decisions whose deliveries have not all followed (shared/store/decision.ts) */
  releases: DueStagedWrite[];
}

/**
 * What the reconciler should look at now: a Query per OPEN shard, all in parallel, on the sparse
 * index (never a Scan), so its reads follow the open deliveries alone. `limit` is per shard. The index
 * holds keys only; the due deliveries are then read whole from the table, consistently, so the
 * reconciler decides on what a publisher wrote last.
 */
export async function dueOpenDeliveries(store: Store, now: number, limit = 200): Promise<DueOpenItems> {
  const pages = await Promise.all(
    openDeliveryShards().map((shard) =>
      store.doc.send(
        new QueryCommand({
          TableName: store.table,
          IndexName: OPEN_INDEX.name,
          KeyConditionExpression: 'OPENPK = :open AND OPENSK < :now',
          ExpressionAttributeValues: { ':open': shard, ':now': new Date(now).toISOString() },
          Limit: limit,
        }),
      ),
    ),
  );
  const entries = pages.flatMap((page) => page.Items ?? []);
  const markers = (sk: string) =>
    entries
      .filter((entry) => entry.SK === sk)
      .map((entry) => ({ messageId: messageIdOf(entry), checkKey: String(entry.OPENSK) }));
  const dueEntries = entries.filter((entry) => String(entry.SK).startsWith(DELIVERY_SK_PREFIX));
  const seen = new Set(dueEntries.map((entry) => `${String(entry.PK)}|${String(entry.OPENSK)}`));
  const deliveries = (
    await batchGetItems(
      store,
      dueEntries.map((entry) => ({ PK: entry.PK, SK: entry.SK })),
      { consistent: true },
    )
  )
    // Only what is still as the index showed it: a delivery settled, claimed into the future or given
    // a later check since then is not due any more (and a write conditional on the old check key
    // would fail anyway).
    .filter((item) => seen.has(`${String(item.PK)}|${String(item.OPENSK)}`))
    .map((item) => ({ delivery: DeliverySchema.parse(withoutKeys(item)), checkKey: String(item.OPENSK) }));
  return { deliveries, stagedWrites: markers(STAGED_WRITE_SK), releases: markers(RELEASE_SK) };
}

const messageIdOf = (entry: Record<string, unknown>) => String(entry.PK).slice(keys.message('').PK.length);

/**
 * The reconciler takes a due delivery: pushes its next check into the future and, for an expired
 * lease, moves it to VERIFY. Conditional on the check key it read, so it never races a publisher.
 */
export async function takeForReconcile(
  store: Store,
  open: OpenDelivery,
  options: {
    now: number;
    nextCheckMs: number;
    /** recorded as lastError when the lease has expired: why the delivery was taken back */
    leaseExpired?: (delivery: Delivery) => DeliveryError;
  },
): Promise<Delivery | undefined> {
  const { delivery } = open;
  const expiredLease = delivery.state === 'PUBLISHING' && (delivery.leaseUntil ?? 0) < options.now;
  const why = expiredLease ? options.leaseExpired?.(delivery) : undefined;
  // An attempt that went straight to publishing (no lookup first) and died tried to publish when it
  // claimed the delivery: its outcome never said so, the reconciler does (see Delivery.publishTriedAt).
  const triedAt =
    expiredLease && delivery.previousState !== 'VERIFY' && delivery.previousState !== 'PUBLISHING'
      ? Date.parse(delivery.updatedAt)
      : undefined;
  try {
    const result = await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: expiredLease
          ? // an attempt that died could not tell whether the post exists: it counts as a lookup in doubt,
            // so a delivery whose every attempt crashes reaches a person (see the publisher) instead of circling
            `SET OPENSK = :next, #state = :verify, updatedAt = :nowIso, lookupsInDoubt = if_not_exists(lookupsInDoubt, :zero) + :one${why ? ', lastError = :why' : ''}${triedAt ? ', publishTriedAt = :tried' : ''} REMOVE leaseUntil`
          : 'SET OPENSK = :next, updatedAt = :nowIso',
        // A claim leaves the check key as it is, but counts the version up: a delivery claimed since it
        // was read is the new claim holder's, not the reconciler's.
        ConditionExpression: 'OPENSK = :seen AND version = :version',
        ExpressionAttributeNames: expiredLease ? { '#state': 'state' } : undefined,
        ExpressionAttributeValues: {
          ':seen': open.checkKey,
          ':version': delivery.version,
          ':next': keys.openDeliveriesSort(options.now + options.nextCheckMs, delivery.messageId, delivery.channelId),
          ':nowIso': new Date(options.now).toISOString(),
          ...(expiredLease ? { ':verify': 'VERIFY', ':zero': 0, ':one': 1 } : {}),
          ...(why ? { ':why': why } : {}),
          ...(triedAt ? { ':tried': triedAt } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return DeliverySchema.parse(withoutKeys(result.Attributes ?? {}));
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

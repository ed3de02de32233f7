/**
 * `POST /messages/{id}/deliveries/{channel}/retry`: one FAILED delivery is tried again from scratch,
 * not the whole message. What a fresh attempt needs is reset in one conditional write together with
 * its audit record (attempts, the exhausted-retries flag, the last error, any waiting or checkpoint
 * from the failed attempts), the delivery joins the reconciler's open index again, and its job goes
 * to its lane: an emergency message's to the urgent queue. During a crisis hold a routine retry is
 * held like any routine post and goes out with the message's release.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { requireRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import type { Delivery, Message, Principal } from '../model/schemas';
import { laneFor, sendJobs } from '../queue/jobs';
import { holdFor, isRoutine } from '../scheduling/crisis';
import { getChannel } from '../store/channels';
import { isConditionFailure, type Store } from '../store/client';
import { openIndexAttributes } from '../store/deliveries';
import { keys, schedulingKeys } from '../store/keys';
import { getMessageWithDeliveries, markPending, STUCK_AFTER_MS, type TransactItem } from '../store/messages';
import { describeRetryRefusal, retryRefusal } from './retry-rule';

export interface RetryDeps {
  store: Store;
  send?: typeof sendJobs;
  now?: () => Date;
}

export interface RetryOutcome {
  messageId: string;
  channelId: string;
  /** QUEUED (its job is on the queue), PENDING (the reconciler sends it) or HELD (crisis hold) */
  state: 'QUEUED' | 'PENDING' | 'HELD';
  lane: 'normal' | 'urgent';
  reason?: string;
}

/** Attributes a failed attempt leaves behind that a fresh attempt must not inherit. */
const LEFT_BY_FAILED_ATTEMPTS = [
  'retriesExhausted',
  'lastError',
  'notBefore',
  'waitingFor',
  'lookupsInDoubt',
  'checkpoint',
  'leaseUntil',
  'previousState',
];

export async function retryDelivery(
  deps: RetryDeps,
  principal: Principal,
  messageId: string,
  channelId: string,
): Promise<RetryOutcome> {
  requireRole(principal, 'editor', 'retrying a delivery');
  const found = await getMessageWithDeliveries(deps.store, messageId);
  const delivery = found?.deliveries.find((candidate) => candidate.channelId === channelId);
  // Another organisation's delivery answers exactly like a missing one.
  if (!found || !delivery || found.message.org !== principal.org)
    throw new ProblemError(404, `no delivery of message "${messageId}" to channel "${channelId}"`);
  const { message } = found;
  if (message.priority === 'emergency')
    requireRole(principal, 'emergency', 'retrying a delivery of an emergency message');
  if (message.state === 'CANCELLED') throw new ProblemError(409, `message "${messageId}" was cancelled`);
  const refusal = retryRefusal(delivery, await getChannel(deps.store, channelId));
  if (refusal) throw new ProblemError(409, describeRetryRefusal(refusal), { type: `urn:herold:retry:${refusal.code}` });

  const now = (deps.now ?? (() => new Date()))();
  const hold = isRoutine(message) ? await holdFor(deps.store, message.org) : { held: false as const };
  const lane = laneFor(delivery.priority);
  const audit = auditPut(
    deps.store,
    principal,
    {
      action: 'delivery.retry',
      target: `message/${messageId}/channel/${channelId}`,
      before: { state: 'FAILED', attempts: delivery.attempts, lastError: delivery.lastError },
      after: { state: hold.held ? 'HELD' : 'QUEUED', lane },
    },
    now,
  );
  try {
    await deps.store.doc.send(
      new TransactWriteCommand({
        TransactItems: hold.held
          ? [...holdItems(deps.store, message, delivery, hold.reason, now), audit]
          : [{ Update: requeueUpdate(deps.store, delivery, now) }, audit],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new ProblemError(409, 'the delivery or its message changed meanwhile; read it again');
    throw error;
  }
  if (hold.held) return { messageId, channelId, state: 'HELD', lane, ...(hold.reason ? { reason: hold.reason } : {}) };

  const unsent = await (deps.send ?? sendJobs)([
    {
      platform: delivery.platform,
      priority: delivery.priority,
      job: {
        type: 'publish',
        messageId,
        channelId,
        ...(delivery.deliveryPartitions ? { deliveryPartitions: delivery.deliveryPartitions } : {}),
      },
    },
  ]);
  // An unsent job leaves the delivery PENDING in the open index: the reconciler sends it within a minute.
  if (unsent.length > 0) await markPending(deps.store, delivery, now);
  return { messageId, channelId, state: unsent.length > 0 ? 'PENDING' : 'QUEUED', lane };
}

/** FAILED → QUEUED with a clean slate, in the reconciler's open index; only if nobody moved it since it was read. */
function requeueUpdate(store: Store, delivery: Delivery, now: Date) {
  const { OPENPK, OPENSK } = openIndexAttributes(
    now.getTime() + STUCK_AFTER_MS,
    delivery.messageId,
    delivery.channelId,
  );
  return {
    TableName: store.table,
    Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
    UpdateExpression: `SET #state = :queued, attempts = :zero, queuedAt = :now, updatedAt = :now, version = version + :one, OPENPK = :openPk, OPENSK = :openSk REMOVE ${LEFT_BY_FAILED_ATTEMPTS.join(', ')}`,
    ConditionExpression: '#state = :failed AND version = :version',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':queued': 'QUEUED',
      ':failed': 'FAILED',
      ':zero': 0,
      ':one': 1,
      ':now': now.toISOString(),
      ':version': delivery.version,
      ':openPk': OPENPK,
      ':openSk': OPENSK,
    },
  };
}

/**
 * FAILED → HELD with a clean slate, and the message HELD with its state pointer, so the retry is
 * listed with the held messages and goes out with `POST /messages/{id}/release` like any of them.
 */
function holdItems(store: Store, message: Message, delivery: Delivery, reason: string | undefined, now: Date) {
  const items: TransactItem[] = [
    {
      Update: {
        TableName: store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: `SET #state = :held, attempts = :zero, updatedAt = :now, version = version + :one REMOVE ${LEFT_BY_FAILED_ATTEMPTS.join(', ')}`,
        ConditionExpression: '#state = :failed AND version = :version',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':held': 'HELD',
          ':failed': 'FAILED',
          ':zero': 0,
          ':one': 1,
          ':now': now.toISOString(),
          ':version': delivery.version,
        },
      },
    },
  ];
  if (message.state === 'HELD') return items;
  const pointer = schedulingKeys.orgMessageInState(message.org, 'HELD', message.createdAt, message.id);
  items.push(
    {
      Update: {
        TableName: store.table,
        Key: keys.message(message.id),
        UpdateExpression: reason ? 'SET #state = :held, stateReason = :reason' : 'SET #state = :held',
        ConditionExpression: message.state ? '#state = :was' : 'attribute_not_exists(#state)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':held': 'HELD',
          ...(reason ? { ':reason': reason } : {}),
          ...(message.state ? { ':was': message.state } : {}),
        },
      },
    },
    { Put: { TableName: store.table, Item: { ...pointer, messageId: message.id } } },
  );
  return items;
}

/**
 * A message too big for one transaction (DynamoDB takes at most 100 items in a TransactWriteItems
 * call), written so that no reader ever sees it with only part of its deliveries:
 *
 * 1. a staging marker is put beside the message's place (`MSG#<id>`/`STAGED`), only while the
 *    message is not visible, with a token of this write;
 * 2. the deliveries are written in chunks, each chunk a transaction that checks the marker still
 *    carries this write's token. Nothing shows them: no message item (reads, lists, the approval
 *    queue find nothing), no job sent (publishers see nothing), and the reconciler skips deliveries
 *    whose message is not there;
 * 3. one last small transaction deletes the marker and puts the message item (with its audit
 *    record and approval pointer): from that moment the message is visible with every delivery.
 *
 * A write that dies on the way leaves its marker. A retry with the same Idempotency-Key writes
 * again under a new token (a Put overwrites every delivery, the old writer's chunks and final
 * transaction fail on the token); a write nobody finishes is removed by the reconciler once the
 * marker is due (ABANDONED_AFTER_MS): it marks the marker abandoned (no writer can finish after
 * that), deletes the deliveries, then the marker.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Delivery, Message } from '../model/schemas';
import { DELIVERY_SK_PREFIX, keys, messageDeliveryPartitions, STAGED_WRITE_SK } from './keys';
import { isConditionFailure, queryAll, type Store } from './client';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Items of one TransactWriteItems call. */
export const TRANSACTION_LIMIT = 100;

/**
 * When a staged write counts as abandoned. Well past API Gateway's 30 s limit on a request, so a
 * living writer has long finished or failed; a retry with the same Idempotency-Key may still come
 * later and simply writes the message again.
 */
export const ABANDONED_AFTER_MS = 2 * 60_000;

/** A Put of a transaction, as putMessageWithDeliveries builds it for every delivery. */
type PutItem = NonNullable<TransactItem['Put']>;

/** The staging marker, on condition that it is still this write's and nobody gave it up. */
const ownMarker = (store: Store, messageId: string, token: string) => ({
  TableName: store.table,
  Key: keys.stagedWrite(messageId),
  ConditionExpression: '#token = :token AND attribute_not_exists(abandoned)',
  ExpressionAttributeNames: { '#token': 'token' },
  ExpressionAttributeValues: { ':token': token },
});

const markerCheck = (store: Store, messageId: string, token: string): TransactItem => ({
  ConditionCheck: ownMarker(store, messageId, token),
});

export const stagedWriteIndex = (messageId: string, checkAtMs: number) => ({
  OPENPK: keys.openDeliveries(messageId, STAGED_WRITE_SK),
  OPENSK: keys.openDeliveriesSort(checkAtMs, messageId, STAGED_WRITE_SK),
});

export async function writeStaged(
  store: Store,
  message: Pick<Message, 'id' | 'deliveryPartitions'>,
  deliveryPuts: PutItem[],
  visibleItems: TransactItem[],
  now: number,
): Promise<void> {
  const token = randomUUID();
  const messageId = message.id;
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: store.table,
            Key: keys.message(messageId),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: store.table,
            Item: {
              ...keys.stagedWrite(messageId),
              ...stagedWriteIndex(messageId, now + ABANDONED_AFTER_MS),
              messageId,
              token,
              startedAt: now,
              deliveries: deliveryPuts.length,
              // where a cleaner finds the deliveries of a write nobody finished
              ...(message.deliveryPartitions ? { deliveryPartitions: message.deliveryPartitions } : {}),
            },
          },
        },
      ],
    }),
  );
  // One chunk after the other: every chunk checks the marker, and transactions that touch one item at
  // the same time cancel each other (TransactionConflict).
  const size = TRANSACTION_LIMIT - 1;
  for (let start = 0; start < deliveryPuts.length; start += size) {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          markerCheck(store, messageId, token),
          ...deliveryPuts.slice(start, start + size).map((Put) => ({ Put })),
        ],
      }),
    );
  }
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [{ Delete: ownMarker(store, messageId, token) }, ...visibleItems],
    }),
  );
}

/**
 * Remove a staged write nobody finished (the reconciler, once its marker is due). Returns the
 * number of deliveries deleted, or undefined when another writer or cleaner has the marker now.
 */
export async function removeAbandonedWrite(
  store: Store,
  staged: { messageId: string; checkKey: string },
  now: number,
): Promise<number | undefined> {
  let token: string;
  let deliveryPartitions: number | undefined;
  try {
    // From here no writer can finish it: the final transaction needs the marker not abandoned.
    const { Attributes } = await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.stagedWrite(staged.messageId),
        UpdateExpression: 'SET abandoned = :now, OPENSK = :next',
        ConditionExpression: 'OPENSK = :seen',
        ExpressionAttributeValues: {
          ':now': now,
          ':seen': staged.checkKey,
          // should this cleaner die half-way, the next run carries on
          ':next': stagedWriteIndex(staged.messageId, now + ABANDONED_AFTER_MS).OPENSK,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    token = String(Attributes?.token);
    deliveryPartitions = typeof Attributes?.deliveryPartitions === 'number' ? Attributes.deliveryPartitions : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  const Items = (
    await Promise.all(
      messageDeliveryPartitions(staged.messageId, deliveryPartitions).map((pk) =>
        queryAll(store.doc, {
          TableName: store.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :dlv)',
          ExpressionAttributeValues: { ':pk': pk, ':dlv': DELIVERY_SK_PREFIX },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        }),
      ),
    )
  ).flat();
  const check: TransactItem = {
    ConditionCheck: {
      TableName: store.table,
      Key: keys.stagedWrite(staged.messageId),
      ConditionExpression: '#token = :token AND attribute_exists(abandoned)',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: { ':token': token },
    },
  };
  try {
    for (let start = 0; start < Items.length; start += TRANSACTION_LIMIT - 1) {
      await store.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            // a retry that took the marker over meanwhile writes the message again: leave it alone
            check,
            ...Items.slice(start, start + TRANSACTION_LIMIT - 1).map((item) => ({
              Delete: { TableName: store.table, Key: { PK: item.PK, SK: item.SK } },
            })),
          ],
        }),
      );
    }
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [{ Delete: { ...check.ConditionCheck!, Key: keys.stagedWrite(staged.messageId) } }],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  return Items.length;
}

export interface MessagePresence {
  /** messages whose item is there: visible to every reader */
  visible: Set<string>;
  /** messages still being written in chunks (or abandoned and not yet removed) */
  staged: Set<string>;
}

/** Which of these messages are visible, and which are still staged: one BatchGet per 50 messages. */
export async function messagePresence(store: Store, messageIds: readonly string[]): Promise<MessagePresence> {
  const presence: MessagePresence = { visible: new Set(), staged: new Set() };
  const ids = [...new Set(messageIds)];
  for (let start = 0; start < ids.length; start += 50) {
    let pending: Record<string, unknown>[] = ids
      .slice(start, start + 50)
      .flatMap((id) => [keys.message(id), keys.stagedWrite(id)]);
    while (pending.length > 0) {
      const result = await store.doc.send(
        new BatchGetCommand({
          RequestItems: { [store.table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'PK, SK' } },
        }),
      );
      for (const item of result.Responses?.[store.table] ?? []) {
        const id = String(item.PK).slice('MSG#'.length);
        (item.SK === STAGED_WRITE_SK ? presence.staged : presence.visible).add(id);
      }
      pending = result.UnprocessedKeys?.[store.table]?.Keys ?? [];
    }
  }
  return presence;
}

/**
 * A delivery left behind with neither its message nor a staging marker (a cleaner stopped between
 * its chunks): deleted, but only while both are still missing and nobody moved it meanwhile.
 */
export async function removeOrphanDelivery(
  store: Store,
  open: { delivery: Pick<Delivery, 'messageId' | 'channelId' | 'deliveryPartitions'>; checkKey: string },
): Promise<boolean> {
  const { messageId, channelId, deliveryPartitions } = open.delivery;
  const missing = (Key: Record<string, unknown>): TransactItem => ({
    ConditionCheck: { TableName: store.table, Key, ConditionExpression: 'attribute_not_exists(PK)' },
  });
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          missing(keys.message(messageId)),
          missing(keys.stagedWrite(messageId)),
          {
            Delete: {
              TableName: store.table,
              Key: keys.delivery(messageId, channelId, deliveryPartitions),
              ConditionExpression: 'OPENSK = :seen',
              ExpressionAttributeValues: { ':seen': open.checkKey },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

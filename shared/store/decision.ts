/**
 * A decision about a whole message (approved, rejected) that moves every waiting delivery with it.
 * When the message, its deliveries and the audit record fit one transaction, they change together.
 * A message to more channels than that takes the decision in one small transaction, together with a
 * release marker (`MSG#<id>`/`RELEASE`, in the OPEN index); the deliveries then follow in parallel
 * conditional updates, and the marker goes once all have. A writer that dies half-way leaves the
 * marker: the reconciler finds it due and moves the deliveries still waiting (shared/alerts/finish-decision.ts).
 */
import {
  DeleteCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Store } from './client';
import { keys, RELEASE_SK } from './keys';
import { TRANSACTION_LIMIT } from './staged-write';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type UpdateItem = NonNullable<TransactItem['Update']>;

/** When the reconciler takes over a decision whose deliveries have not all followed. */
export const RELEASE_CHECK_MS = 60_000;

/** Delivery updates in flight at once. */
const PARALLEL_UPDATES = 25;

export const releaseMarkerIndex = (messageId: string, checkAtMs: number) => ({
  OPENPK: keys.openDeliveries(messageId, RELEASE_SK),
  OPENSK: keys.openDeliveriesSort(checkAtMs, messageId, RELEASE_SK),
});

/**
 * The condition on the message item of every decision: it waits for one, and nobody has approved or
 * rejected it yet. An approval and a rejection racing each other cannot both win. It names no
 * placeholders, so it needs no ExpressionAttributeNames or ExpressionAttributeValues of its own.
 */
export const UNDECIDED_MESSAGE_CONDITION =
  'attribute_exists(approval) AND attribute_not_exists(approval.approvedBy) AND attribute_not_exists(approval.rejectedBy)';

export async function writeDecision(
  store: Store,
  messageId: string,
  decision: TransactItem[],
  deliveryUpdates: UpdateItem[],
  now: number,
): Promise<void> {
  if (decision.length + deliveryUpdates.length <= TRANSACTION_LIMIT) {
    await store.doc.send(
      new TransactWriteCommand({ TransactItems: [...decision, ...deliveryUpdates.map((Update) => ({ Update }))] }),
    );
    return;
  }
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        ...decision,
        {
          Put: {
            TableName: store.table,
            Item: {
              ...keys.releaseMarker(messageId),
              ...releaseMarkerIndex(messageId, now + RELEASE_CHECK_MS),
              messageId,
            },
          },
        },
      ],
    }),
  );
  await applyDeliveryUpdates(store, messageId, deliveryUpdates);
}

/**
 * Each update on its own, conditional on the delivery still waiting (one already moved is left as it
 * is), then the release marker removed.
 */
export async function applyDeliveryUpdates(store: Store, messageId: string, updates: UpdateItem[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < updates.length) {
      const update = updates[next++]!;
      try {
        await store.doc.send(new UpdateCommand(update as ConstructorParameters<typeof UpdateCommand>[0]));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPDATES, updates.length) }, worker));
  await store.doc.send(new DeleteCommand({ TableName: store.table, Key: keys.releaseMarker(messageId) }));
}

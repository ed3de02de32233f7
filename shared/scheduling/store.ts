/**
 * Messages that wait (SCHEDULED, HELD) and their moves between states. Each move is one transaction
 * over the message, its changed deliveries and its state pointer, conditional on the states that
 * were read: a dispatch racing a cancel, or two edits racing each other, cannot both win.
 *
 * The state pointer (`ORG#<org>`/`STATE#<state>#<createdAt>#<id>`) lets `GET /messages?state=HELD`
 * read only the waiting messages. It is written before a new message (so no waiting message is ever
 * without one) and a listing checks each pointer against its message, so a pointer left behind by a
 * failed write is never shown.
 */
import type { TransactItem } from '../store/messages';
import { DeleteCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, Message, MessageState } from '../model/schemas';
import type { Store } from '../store/client';
import { openIndexAttributes } from '../store/deliveries';
import { keys, schedulingKeys } from '../store/keys';
import { messagesByStatePointers, type PointerPage } from '../store/state-pointers';
import { putMessageWithDeliveries, STUCK_AFTER_MS } from '../store/messages';

/** States that have a pointer, i.e. the ones a person may list and act on. */
export const WAITING_STATES = ['SCHEDULED', 'HELD'] as const satisfies readonly MessageState[];
export type WaitingState = (typeof WAITING_STATES)[number];

const isWaiting = (state: MessageState | undefined): state is WaitingState =>
  WAITING_STATES.some((waiting) => waiting === state);

/** DynamoDB allows 100 items per transaction: a state change writes the message, two pointers and the deliveries. */
export const MAX_WAITING_DELIVERIES = 97;

const pointerKey = (message: Pick<Message, 'org' | 'createdAt' | 'id'>, state: WaitingState) =>
  schedulingKeys.orgMessageInState(message.org, state, message.createdAt, message.id);

/** A new SCHEDULED or HELD message: pointer first, then message and deliveries together. */
export async function putWaitingMessage(
  store: Store,
  message: Message & { state: WaitingState },
  deliveries: Delivery[],
): Promise<void> {
  await store.doc.send(
    new PutCommand({ TableName: store.table, Item: { ...pointerKey(message, message.state), messageId: message.id } }),
  );
  await putMessageWithDeliveries(store, message, deliveries);
}

/**
 * Undo a putWaitingMessage that failed: a write that timed out may still have landed. Removes the
 * message and its deliveries while it is still SCHEDULED (nothing has acted on it), and its pointer.
 */
export async function removeScheduledMessage(store: Store, message: Message, deliveries: Delivery[]): Promise<void> {
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: store.table,
              Key: keys.message(message.id),
              ConditionExpression: '#state = :scheduled',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':scheduled': 'SCHEDULED' },
            },
          },
          ...deliveries.map((delivery) => ({
            Delete: {
              TableName: store.table,
              Key: keys.delivery(message.id, delivery.channelId, delivery.deliveryPartitions),
            },
          })),
        ],
      }),
    );
  } finally {
    await store.doc.send(new DeleteCommand({ TableName: store.table, Key: pointerKey(message, 'SCHEDULED') }));
  }
}

export interface DeliveryChange {
  before: Delivery;
  after: Delivery;
}

export interface StateChange {
  /** the message as read; its state is the condition of the change */
  message: Message;
  to: MessageState;
  /** fields to set on the message; an undefined value removes the field */
  fields?: Partial<Record<'text' | 'scheduledAt' | 'scheduledAtLocal' | 'stateReason', string | undefined>>;
  /** fields that must still hold the values read (an edit applies only to what it was computed from) */
  unchanged?: ('text' | 'scheduledAt')[];
  deliveries: DeliveryChange[];
  now: Date;
  /** the audit record of the change, written in the same transaction */
  audit?: TransactItem;
  /** other items the change moves with it (the approval queue's pointer of a cancelled message) */
  also?: TransactItem[];
}

/** Apply a state change; false when the message or a delivery moved on since it was read. */
export async function changeMessageState(store: Store, change: StateChange): Promise<boolean> {
  const { message, to, now } = change;
  const from = message.state;
  const messageUpdate = updateItem(store.table, keys.message(message.id), {
    set: { state: to, ...change.fields },
    conditions: {
      state: from,
      ...Object.fromEntries((change.unchanged ?? []).map((field) => [field, message[field]])),
    },
  });
  const deliveryUpdates = change.deliveries.map(({ before, after }) =>
    updateItem(store.table, keys.delivery(before.messageId, before.channelId, before.deliveryPartitions), {
      set: {
        state: after.state,
        renderedText: after.renderedText,
        reason: after.reason,
        updatedAt: now.toISOString(),
        // A delivery that becomes PENDING joins the reconciler's index, exactly as at creation.
        ...(after.state === 'PENDING'
          ? openIndexAttributes(now.getTime() + STUCK_AFTER_MS, after.messageId, after.channelId)
          : {}),
      },
      conditions: { state: before.state },
    }),
  );
  const pointers =
    from === to
      ? []
      : [
          ...(isWaiting(from) ? [{ Delete: { TableName: store.table, Key: pointerKey(message, from) } }] : []),
          ...(isWaiting(to)
            ? [{ Put: { TableName: store.table, Item: { ...pointerKey(message, to), messageId: message.id } } }]
            : []),
        ];
  const transaction = new TransactWriteCommand({
    TransactItems: [
      { Update: messageUpdate },
      ...deliveryUpdates.map((Update) => ({ Update })),
      ...pointers,
      ...(change.audit ? [change.audit] : []),
      ...(change.also ?? []),
    ],
  });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.doc.send(transaction);
      return true;
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons.includes('ConditionalCheckFailed')) return false;
      // Another transaction held one of the items for a moment: nothing was written, try again.
      if (reasons.includes('TransactionConflict') && attempt < CONFLICT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
        continue;
      }
      throw error;
    }
  }
}

const CONFLICT_ATTEMPTS = 5;

/** The per-item reasons of a cancelled transaction (`ConditionalCheckFailed`, `TransactionConflict`, `None` …). */
function cancellationCodes(error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

/** One conditional update: `set` values of undefined are removed; `conditions` are attribute = value (undefined: absent). */
function updateItem(
  table: string,
  key: Record<string, string>,
  spec: { set: Record<string, unknown>; conditions: Record<string, unknown> },
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions: string[] = [];
  Object.entries(spec.set).forEach(([name, value], index) => {
    names[`#s${index}`] = name;
    if (value === undefined) removes.push(`#s${index}`);
    else {
      values[`:s${index}`] = value;
      sets.push(`#s${index} = :s${index}`);
    }
  });
  Object.entries(spec.conditions).forEach(([name, value], index) => {
    names[`#c${index}`] = name;
    if (value === undefined) conditions.push(`attribute_not_exists(#c${index})`);
    else {
      values[`:c${index}`] = value;
      conditions.push(`#c${index} = :c${index}`);
    }
  });
  return {
    TableName: table,
    Key: key,
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: ['attribute_exists(PK)', ...conditions].join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export type WaitingPage = PointerPage;

/** One page of an organisation's messages in a waiting state, oldest first; stale pointers are skipped. */
export const listWaitingMessages = (
  store: Store,
  org: string,
  state: WaitingState,
  options: { limit: number; cursor?: string },
): Promise<WaitingPage> =>
  messagesByStatePointers(store, org, state, { ...options, still: (message) => message.state === state });

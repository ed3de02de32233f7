/**
 * Messages and their deliveries: written together, read together (one partition per message; a
 * message to more than DELIVERIES_PER_PARTITION channels keeps its deliveries in partitions of their own).
 */
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ChannelSchema,
  DeliverySchema,
  MessageSchema,
  type Channel,
  type Delivery,
  type Message,
} from '../model/schemas';
import { decodeCursor, encodeCursor } from './cursor';
import { DELIVERY_SK_PREFIX, keys, messageDeliveryPartitions } from './keys';
import { queryAll, withoutKeys, type Store } from './client';
import { openIndexAttributes } from './deliveries';
import { approvalPointerPut, needsApprovalPointer } from './approval-index';
import { TRANSACTION_LIMIT, writeStaged } from './staged-write';

/** How long after being written a PENDING/QUEUED delivery is considered stuck. */
export const STUCK_AFTER_MS = 60_000;

/**
 * A message and its deliveries, visible together or not at all: in one transaction when they fit
 * (every message up to 97 channels: one round trip), otherwise deliveries first in chunks under a
 * staging marker and the message made visible by one last small transaction (staged-write.ts). A
 * message that waits for a second person is in the approval queue from its first moment.
 */
export async function putMessageWithDeliveries(
  store: Store,
  message: Message,
  deliveries: Delivery[],
  extraItems: TransactItem[] = [],
): Promise<void> {
  const visibleItems: TransactItem[] = [
    ...extraItems,
    {
      Put: {
        TableName: store.table,
        Item: {
          ...keys.message(message.id),
          GSI1PK: keys.orgMessages(message.org),
          GSI1SK: keys.orgMessagesSort(message.createdAt, message.id),
          ...message,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...(needsApprovalPointer(message, deliveries) ? [approvalPointerPut(store.table, message)] : []),
  ];
  const deliveryPuts = deliveries.map((delivery) => ({
    TableName: store.table,
    Item: {
      ...keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
      ...(isOpen(delivery)
        ? openIndexAttributes(Date.parse(delivery.createdAt) + STUCK_AFTER_MS, delivery.messageId, delivery.channelId)
        : {}),
      ...delivery,
    },
  }));
  if (visibleItems.length + deliveryPuts.length <= TRANSACTION_LIMIT) {
    await store.doc.send(
      new TransactWriteCommand({ TransactItems: [...visibleItems, ...deliveryPuts.map((Put) => ({ Put }))] }),
    );
    return;
  }
  await writeStaged(store, message, deliveryPuts, visibleItems, Date.parse(message.createdAt));
}

/** One more item of a TransactWriteItems call (e.g. the audit record). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const isOpen = (delivery: Delivery) => delivery.state === 'PENDING' || delivery.state === 'QUEUED';

export async function getMessage(store: Store, messageId: string): Promise<Message | undefined> {
  const { Item } = await store.doc.send(new GetCommand({ TableName: store.table, Key: keys.message(messageId) }));
  return Item ? MessageSchema.parse(withoutKeys(Item)) : undefined;
}

/**
 * A message and a channel in one round trip: what every publish attempt reads before it can start.
 * Keys DynamoDB leaves unprocessed (throttling) are asked for again.
 */
export async function getMessageAndChannel(
  store: Store,
  messageId: string,
  channelId: string,
): Promise<{ message?: Message; channel?: Channel }> {
  const found: { message?: Message; channel?: Channel } = {};
  let pending: Record<string, unknown>[] = [keys.message(messageId), keys.channel(channelId)];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** round * 10, 500)));
    const result = await store.doc.send(
      new BatchGetCommand({ RequestItems: { [store.table]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[store.table] ?? []) {
      if (item.PK === keys.message(messageId).PK && item.SK === keys.message(messageId).SK)
        found.message = MessageSchema.parse(withoutKeys(item));
      else found.channel = ChannelSchema.parse(withoutKeys(item));
    }
    pending = result.UnprocessedKeys?.[store.table]?.Keys ?? [];
  }
  return found;
}

/**
 * One delivery. `deliveryPartitions` where the caller knows it (from a job); otherwise the delivery
 * is looked for under its message's own partition first, where every message up to
 * DELIVERIES_PER_PARTITION channels keeps it, and only when it is not there under the partition
 * the message item names.
 */
export async function getDelivery(
  store: Store,
  messageId: string,
  channelId: string,
  deliveryPartitions?: number,
): Promise<Delivery | undefined> {
  const read = async (partitions: number | undefined) => {
    const { Item } = await store.doc.send(
      new GetCommand({
        TableName: store.table,
        Key: keys.delivery(messageId, channelId, partitions),
        ConsistentRead: true,
      }),
    );
    return Item ? DeliverySchema.parse(withoutKeys(Item)) : undefined;
  };
  const found = await read(deliveryPartitions);
  if (found || deliveryPartitions) return found;
  const partitions = await messageDeliveryPartitionCount(store, messageId);
  return partitions ? read(partitions) : undefined;
}

/** The message's deliveryPartitions, read alone (undefined: its deliveries are under its own partition). */
async function messageDeliveryPartitionCount(store: Store, messageId: string): Promise<number | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({
      TableName: store.table,
      Key: keys.message(messageId),
      ProjectionExpression: 'deliveryPartitions',
      ConsistentRead: true,
    }),
  );
  return typeof Item?.deliveryPartitions === 'number' ? Item.deliveryPartitions : undefined;
}

export interface MessageWithDeliveries {
  message: Message;
  deliveries: Delivery[];
}

export async function getMessageWithDeliveries(
  store: Store,
  messageId: string,
): Promise<MessageWithDeliveries | undefined> {
  const items = await queryAll(store.doc, {
    TableName: store.table,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.message(messageId).PK },
    ConsistentRead: true,
  });
  const messageItem = items.find((item) => item.SK === 'MSG');
  if (!messageItem) return undefined;
  const message = MessageSchema.parse(withoutKeys(messageItem));
  // a message to many channels: its deliveries are in partitions of their own, read in parallel
  const deliveryItems = message.deliveryPartitions
    ? (
        await Promise.all(
          messageDeliveryPartitions(message.id, message.deliveryPartitions).map((pk) =>
            queryAll(store.doc, {
              TableName: store.table,
              KeyConditionExpression: 'PK = :pk',
              ExpressionAttributeValues: { ':pk': pk },
              ConsistentRead: true,
            }),
          ),
        )
      ).flat()
    : items;
  return {
    message,
    deliveries: deliveryItems
      .filter((item) => String(item.SK).startsWith(DELIVERY_SK_PREFIX))
      .map((item) => DeliverySchema.parse(withoutKeys(item))),
  };
}

export interface MessagePage {
  messages: Message[];
  /** opaque cursor for the next page */
  next?: string;
}

export async function listMessages(
  store: Store,
  org: string,
  options: { limit: number; cursor?: string },
): Promise<MessagePage> {
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.orgMessages(org) },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.cursor
        ? decodeCursor(options.cursor, (key) => key.GSI1PK === keys.orgMessages(org))
        : undefined,
    }),
  );
  return {
    messages: (page.Items ?? []).map((item) => MessageSchema.parse(withoutKeys(item))),
    next: page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey) : undefined,
  };
}

/** The cursor that lists the messages after this one, as DynamoDB's LastEvaluatedKey would name it. */
export const messageCursor = (message: Pick<Message, 'org' | 'createdAt' | 'id'>): string =>
  encodeCursor({
    ...keys.message(message.id),
    GSI1PK: keys.orgMessages(message.org),
    GSI1SK: keys.orgMessagesSort(message.createdAt, message.id),
  });

/** QUEUED → PENDING when the job never reached its queue: the reconciler sends it again. */
export async function markPending(
  store: Store,
  delivery: Pick<Delivery, 'messageId' | 'channelId' | 'deliveryPartitions'>,
  now: Date,
): Promise<void> {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: 'SET #state = :pending, updatedAt = :now REMOVE queuedAt',
        ConditionExpression: '#state = :queued',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':queued': 'QUEUED', ':pending': 'PENDING', ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

/** PENDING → QUEUED once the job is on its queue; a publisher that was faster wins. */
export async function markQueued(
  store: Store,
  delivery: Pick<Delivery, 'messageId' | 'channelId' | 'deliveryPartitions'>,
  now: Date,
): Promise<void> {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: 'SET #state = :queued, queuedAt = :now, updatedAt = :now',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':queued': 'QUEUED', ':pending': 'PENDING', ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

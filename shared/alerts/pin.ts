/**
 * The current alert stays on top: once an emergency alert is published on a platform whose API
 * can pin (Telegram, Mastodon), it is pinned; its all-clear unpins it. Pinning is a courtesy on
 * top of the post: when it fails, the delivery stays PUBLISHED and simply is not marked pinned.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, Message } from '../model/schemas';
import { PlatformError, type PlatformClient, type PlatformContext } from '../platforms/client';
import type { Store } from '../store/client';
import { keys } from '../store/keys';
import { getDelivery, getMessage } from '../store/messages';

/** How far up a thread an all-clear looks for the pinned alert (alert → updates → all-clear). */
const MAX_THREAD_DEPTH = 20;

export interface PinOutcome {
  pinned?: string;
  unpinned: string[];
  error?: string;
}

export async function pinOrUnpinAfterPublish(
  store: Store,
  client: PlatformClient,
  context: PlatformContext,
  message: Message,
  remoteId: string,
): Promise<PinOutcome> {
  const outcome: PinOutcome = { unpinned: [] };
  try {
    if (message.kind === 'alert' && message.priority === 'emergency' && client.pin) {
      await client.pin(remoteId, context);
      await setPinned(store, { messageId: message.id, channelId: context.channel.id, ...partitionsOf(message) }, true);
      outcome.pinned = remoteId;
    }
    if (message.kind === 'all-clear' && client.unpin) {
      for (const delivery of await pinnedUpThread(store, message, context.channel.id)) {
        await client.unpin(delivery.remoteId as string, context);
        await setPinned(store, delivery, false);
        outcome.unpinned.push(delivery.remoteId as string);
      }
    }
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    outcome.error = error.message;
  }
  return outcome;
}

async function pinnedUpThread(store: Store, message: Message, channelId: string): Promise<Delivery[]> {
  const pinned: Delivery[] = [];
  let replyTo = message.replyTo;
  for (let depth = 0; replyTo && depth < MAX_THREAD_DEPTH; depth += 1) {
    const [earlier, delivery] = await Promise.all([getMessage(store, replyTo), getDelivery(store, replyTo, channelId)]);
    if (delivery?.pinned && delivery.remoteId) pinned.push(delivery);
    replyTo = earlier?.replyTo;
  }
  return pinned;
}

const partitionsOf = (message: Message) =>
  message.deliveryPartitions ? { deliveryPartitions: message.deliveryPartitions } : {};

async function setPinned(
  store: Store,
  delivery: Pick<Delivery, 'messageId' | 'channelId' | 'deliveryPartitions'>,
  pinned: boolean,
): Promise<void> {
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
      UpdateExpression: 'SET pinned = :pinned',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':pinned': pinned },
    }),
  );
}

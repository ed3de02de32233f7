/** Set-up shared by the tests that drive processPublishJob against DynamoDB Local directly. */
import type { Channel, Delivery, Message } from '../../shared/model/schemas';
import type { PlatformClient } from '../../shared/platforms/client';
import type { PublishDeps } from '../../shared/publishing/publish';
import type { Store } from '../../shared/store/client';
import { putMessageWithDeliveries } from '../../shared/store/messages';

/** The publisher's dependencies with short test timings and a fixed clock. */
export const publishDeps = (
  store: Store,
  platform: PublishDeps['platform'],
  client: PlatformClient,
  at: number,
): PublishDeps => ({
  store,
  platform,
  client,
  credentials: async () => ({}),
  now: () => at,
  leaseMs: 5_000,
  maxReceiveCount: 5,
  requestTimeoutMs: 800,
});

/** Writes a one-channel message and its delivery, in the given state, as the ingest would have. */
export async function putOneDelivery(
  store: Store,
  options: {
    messageId: string;
    channel: Pick<Channel, 'id' | 'platform'>;
    text: string;
    state: Delivery['state'];
    createdAt: Date;
    attempts?: number;
  },
): Promise<void> {
  const { messageId, channel, text, state } = options;
  const createdAt = options.createdAt.toISOString();
  const attempts = options.attempts ?? 0;
  const message: Message = {
    id: messageId,
    org: 'city',
    kind: 'post',
    priority: 'normal',
    text,
    media: [],
    createdBy: 'anna',
    createdAt,
    channelIds: [channel.id],
  };
  const delivery: Delivery = {
    messageId,
    channelId: channel.id,
    org: 'city',
    platform: channel.platform,
    priority: 'normal',
    state,
    renderedText: text,
    attempts,
    createdAt,
    updatedAt: createdAt,
    version: attempts,
  };
  await putMessageWithDeliveries(store, message, [delivery]);
}

/** The channel's inbox state (Channel.inbox), written only when it changes: a poll that finds all as before writes nothing. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, ChannelInbox } from '../model/schemas';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';

const same = (a: ChannelInbox | undefined, b: Omit<ChannelInbox, 'since'>) =>
  a !== undefined &&
  a.status === b.status &&
  a.reason === b.reason &&
  a.until === b.until &&
  a.discussionGroup === b.discussionGroup;

export async function noteInbox(
  store: Store,
  channel: Channel,
  next: Omit<ChannelInbox, 'since'>,
  now: Date,
): Promise<void> {
  if (same(channel.inbox, next)) return;
  const inbox: ChannelInbox = {
    ...next,
    since: channel.inbox?.status === next.status ? channel.inbox.since : now.toISOString(),
  };
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.channel(channel.id),
        UpdateExpression: 'SET inbox = :inbox',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: {
          ':inbox': Object.fromEntries(Object.entries(inbox).filter(([, value]) => value !== undefined)),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

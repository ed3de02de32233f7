/** Channels: the accounts an organisation publishes to. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../bounded';
import { ChannelSchema, type Channel, type ChannelState } from '../model/schemas';
import { keys } from './keys';
import { queryAll, withoutKeys, type Store } from './client';

export async function listChannels(store: Store, org: string): Promise<Channel[]> {
  const items = await queryAll(store.doc, {
    TableName: store.table,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.orgChannels(org) },
  });
  return items.map((item) => ChannelSchema.parse(withoutKeys(item)));
}

export async function getChannel(store: Store, channelId: string): Promise<Channel | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: keys.channel(channelId), ConsistentRead: true }),
  );
  return Item ? ChannelSchema.parse(withoutKeys(Item)) : undefined;
}

/** A channel as a table item, keys included (validated: no malformed channel is ever written). */
export function channelItem(channel: Channel) {
  const valid = ChannelSchema.parse(channel);
  return {
    ...keys.channel(valid.id),
    GSI1PK: keys.orgChannels(valid.org),
    GSI1SK: keys.orgChannelsSort(valid.platform, valid.id),
    ...valid,
  };
}

export async function putChannel(store: Store, channel: Channel): Promise<void> {
  await store.doc.send(new PutCommand({ TableName: store.table, Item: channelItem(channel) }));
}

/** Organisations listed at the same time: a state's 500 would otherwise be 500 Queries at once. */
const ORG_LISTING_CONCURRENCY = 8;

export async function listChannelsOfOrgs(store: Store, orgs: readonly string[]): Promise<Channel[]> {
  return (await mapBounded(orgs, ORG_LISTING_CONCURRENCY, (org) => listChannels(store, org))).flat();
}

export async function setChannelState(
  store: Store,
  channelId: string,
  state: ChannelState,
  reason?: string,
): Promise<void> {
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: keys.channel(channelId),
      UpdateExpression: reason
        ? 'SET #state = :state, stateReason = :reason'
        : 'SET #state = :state REMOVE stateReason',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: reason ? { ':state': state, ':reason': reason } : { ':state': state },
    }),
  );
}

/** An auth failure: the channel needs a person to renew its credentials. */
export async function flagNeedsReauth(store: Store, channelId: string): Promise<void> {
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: keys.channel(channelId),
      UpdateExpression: 'SET needsReauth = :yes',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':yes': true },
    }),
  );
}

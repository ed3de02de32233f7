/**
 * The channel reads the follower features need, in one place so a shared channel store can replace
 * them. Channels are `CHANNEL#<id>` / `CHANNEL` items, listed per organisation through GSI1
 * (`ORGCHANNELS#<org>`); never by Scan.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChannelSchema, type Channel, type OrgId } from '../model/schemas';

/** The table item of a channel, keys included. */
export function channelItem(channel: Channel) {
  return {
    PK: `CHANNEL#${channel.id}`,
    SK: 'CHANNEL',
    GSI1PK: `ORGCHANNELS#${channel.org}`,
    GSI1SK: `${channel.platform}#${channel.id}`,
    ...ChannelSchema.parse(channel),
  };
}

export async function getChannel(doc: DynamoDBDocumentClient, table: string, channelId: string): Promise<Channel | null> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { PK: `CHANNEL#${channelId}`, SK: 'CHANNEL' } }));
  return Item ? ChannelSchema.parse(Item) : null;
}

/** An organisation's channels, ordered by platform and id. */
export async function listOrgChannels(doc: DynamoDBDocumentClient, table: string, org: OrgId): Promise<Channel[]> {
  const channels: Channel[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `ORGCHANNELS#${org}` },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) channels.push(ChannelSchema.parse(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return channels;
}

export async function listChannelsOfOrgs(doc: DynamoDBDocumentClient, table: string, orgs: readonly OrgId[]): Promise<Channel[]> {
  const perOrg = await Promise.all(orgs.map((org) => listOrgChannels(doc, table, org)));
  return perOrg.flat();
}

/**
 * The channel's last publish, kept in an item of its own beside the channel (`CHANNEL#<id>` /
 * `LASTPUBLISH`) so the Channels page shows it without reading messages: one conditional PutItem per
 * settled delivery, written by the publisher (and by a confirmed hand-off). Not on the channel item:
 * that one is in GSI1 with every attribute, so each publish would write the index as well. A publish
 * also asks for the organisation's public directory to be built again, since its latest messages may
 * have changed.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { requestDirectoryBuild } from '../directory/request';
import { LastPublishSchema, type LastPublish } from '../model/schemas';
import { logger } from '../observability/powertools';
import type { Store } from '../store/client';
import { keys } from '../store/keys';
import { batchGetItems, isConditionFailure, withoutKeys } from '../store/client';

export interface SettledDelivery {
  org: string;
  channelId: string;
  messageId: string;
  state: string;
  detail?: string;
}

const NOTED: readonly string[] = ['PUBLISHED', 'FAILED', 'HANDOFF'] satisfies LastPublish['state'][];

/** Never throws: the delivery is recorded already, and this is its summary. An older settlement never overwrites a newer one. */
export async function noteLastPublish(store: Store, settled: SettledDelivery, now = new Date()): Promise<void> {
  if (!NOTED.includes(settled.state)) return;
  const lastPublish: LastPublish = {
    at: now.toISOString(),
    messageId: settled.messageId,
    state: settled.state as LastPublish['state'],
    ...(settled.detail ? { detail: settled.detail.slice(0, 300) } : {}),
  };
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: { ...keys.channelLastPublish(settled.channelId), ...lastPublish },
        ConditionExpression: 'attribute_not_exists(PK) OR #at <= :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': lastPublish.at },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error))
      logger.error('last publish could not be noted on the channel', {
        channelId: settled.channelId,
        error: error as Error,
      });
  }
  if (settled.state === 'PUBLISHED') await requestDirectoryBuild(settled.org, now);
}

/** A channel's last publish, if it ever published. */
export async function readLastPublish(store: Store, channelId: string): Promise<LastPublish | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: keys.channelLastPublish(channelId) }),
  );
  return Item ? LastPublishSchema.parse(withoutKeys(Item)) : undefined;
}

/** The last publish of each of these channels that ever published, by channel id. */
export async function readLastPublishes(
  store: Store,
  channelIds: readonly string[],
): Promise<Map<string, LastPublish>> {
  const items = await batchGetItems(store, channelIds.map(keys.channelLastPublish));
  return new Map(
    items.map((item) => [
      String(item.PK).slice(keys.channel('').PK.length),
      LastPublishSchema.parse(withoutKeys(item)),
    ]),
  );
}

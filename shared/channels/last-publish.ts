/**
 * The channel's last publish, kept on the channel item so the Channels page shows it without
 * reading messages: one conditional UpdateItem per settled delivery, written by the publisher (and
 * by a confirmed hand-off). A publish also asks for the organisation's public directory to be built
 * again, since its latest messages may have changed.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { requestDirectoryBuild } from '../directory/request';
import type { LastPublish } from '../model/schemas';
import { logger } from '../observability/powertools';
import type { Store } from '../store/client';
import { keys } from '../store/keys';
import { isConditionFailure } from '../store/client';

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
      new UpdateCommand({
        TableName: store.table,
        Key: keys.channel(settled.channelId),
        UpdateExpression: 'SET lastPublish = :last',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastPublish) OR lastPublish.#at <= :at)',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':last': lastPublish, ':at': lastPublish.at },
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

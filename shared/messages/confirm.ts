/**
 * Hand-off confirmation: a person posted the rendered text on a platform without a posting API
 * (WhatsApp Channels) and says so. HANDOFF → PUBLISHED, with who confirmed it, in one transaction
 * with its audit record.
 */
import { noteLastPublish } from '../channels/last-publish';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { requireRole } from '../api/auth';
import { auditPut } from '../audit/audit';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';
import { getDelivery } from '../store/messages';

export const ConfirmSchema = z.strictObject({
  /** the post's public URL, when the person has it */
  remoteUrl: z.url({ protocol: /^https$/ }).optional(),
});

export async function confirmHandoff(
  store: Store,
  principal: Principal,
  messageId: string,
  channelId: string,
  input: z.infer<typeof ConfirmSchema>,
  now = new Date(),
) {
  requireRole(principal, 'editor', 'confirming a hand-off');
  const delivery = await getDelivery(store, messageId, channelId);
  if (!delivery || delivery.org !== principal.org)
    throw new ProblemError(404, `no delivery of message "${messageId}" to channel "${channelId}"`);
  if (delivery.state !== 'HANDOFF')
    throw new ProblemError(409, `the delivery is ${delivery.state}; only a HANDOFF delivery can be confirmed`);
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: store.table,
              Key: keys.delivery(messageId, channelId, delivery.deliveryPartitions),
              UpdateExpression:
                'SET #state = :published, publishedAt = :now, updatedAt = :now, confirmedBy = :actor, version = version + :one' +
                (input.remoteUrl ? ', remoteUrl = :url' : ''),
              ConditionExpression: '#state = :handoff',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':published': 'PUBLISHED',
                ':handoff': 'HANDOFF',
                ':now': now.toISOString(),
                ':actor': principal.sub,
                ':one': 1,
                ...(input.remoteUrl ? { ':url': input.remoteUrl } : {}),
              },
            },
          },
          auditPut(
            store,
            principal,
            {
              action: 'delivery.confirm',
              target: `message/${messageId}/channel/${channelId}`,
              before: { state: 'HANDOFF' },
              after: { state: 'PUBLISHED', remoteUrl: input.remoteUrl },
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ProblemError(409, 'the delivery was confirmed or changed meanwhile');
    throw error;
  }
  await noteLastPublish(store, { org: delivery.org, channelId, messageId, state: 'PUBLISHED' }, now);
  return {
    messageId,
    channelId,
    state: 'PUBLISHED' as const,
    confirmedBy: principal.sub,
    publishedAt: now.toISOString(),
  };
}

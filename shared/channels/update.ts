/** Changing a channel's state (active, frozen, retired): admins of its own organisation only, audited. */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ChannelStateSchema, type Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { requireRole } from '../api/auth';
import { auditPut } from '../audit/audit';
import { requestDirectoryBuild } from '../directory/request';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';
import { channelView, ownChannel } from './read';

export const ChannelPatchSchema = z.strictObject({
  state: ChannelStateSchema,
  reason: z.string().trim().min(1).max(500).optional(),
});

export async function updateChannelState(
  store: Store,
  principal: Principal,
  channelId: string,
  patch: z.infer<typeof ChannelPatchSchema>,
  now = new Date(),
) {
  requireRole(principal, 'admin', 'changing a channel');
  const channel = await ownChannel(store, principal, channelId);
  if (channel.state === 'retired' && patch.state !== 'retired')
    throw new ProblemError(409, 'a retired channel stays retired; add a new channel instead');
  if (patch.state === 'active' && channel.connection?.status === 'not-connected')
    throw new ProblemError(409, "the channel's account is not connected yet: connect it first");
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: store.table,
              Key: keys.channel(channelId),
              UpdateExpression: patch.reason
                ? 'SET #state = :state, stateReason = :reason'
                : 'SET #state = :state REMOVE stateReason',
              ConditionExpression: '#state = :seen',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':state': patch.state,
                ':seen': channel.state,
                ...(patch.reason ? { ':reason': patch.reason } : {}),
              },
            },
          },
          auditPut(
            store,
            principal,
            {
              action: 'channel.update',
              target: `channel/${channelId}`,
              before: { state: channel.state, reason: channel.stateReason },
              after: patch,
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ProblemError(409, 'the channel was changed meanwhile; read it again');
    throw error;
  }
  await requestDirectoryBuild(channel.org, now);
  return { before: channel, channel: channelView({ ...channel, state: patch.state, stateReason: patch.reason }, now) };
}

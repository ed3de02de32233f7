/**
 * `POST /channels` (admin): a new channel of the caller's organisation. It starts frozen and not
 * connected, so nothing is planned for it until its account is connected (POST
 * /channels/{id}/connect), which makes it active. Its credentials reference is fixed now, in the
 * one-secret-per-channel layout the publishers read; the secret is written when it is connected.
 * Only a platform this deployment publishes to (herold:platforms) is accepted.
 */
import { randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { requireRole } from '../api/auth';
import { auditPut } from '../audit/audit';
import { channelCredentialsRef } from '../connect/refs';
import { requireDeployed } from '../platforms/deployed';
import { PlatformIdSchema, type Channel, type Principal } from '../model/schemas';
import { channelItem } from '../store/channels';
import type { Store } from '../store/client';
import { channelView } from './read';

export const CreateChannelSchema = z.strictObject({
  platform: PlatformIdSchema,
  /** the account's handle as people know it: @name, a Page's name, an organisation's vanity name */
  handle: z.string().trim().min(1).max(200),
  displayName: z.string().trim().min(1).max(200),
  /** the public profile; otherwise learned when the account is connected */
  profileUrl: z.url({ protocol: /^https$/ }).optional(),
});

export const NOT_CONNECTED_REASON = 'waiting for its account to be connected';

export async function createChannel(
  store: Store,
  principal: Principal,
  input: z.infer<typeof CreateChannelSchema>,
  now = new Date(),
) {
  requireRole(principal, 'admin', 'adding a channel');
  requireDeployed(input.platform);
  const id = `${principal.org}-${input.platform}-${randomBytes(4).toString('hex')}`;
  const channel: Channel = {
    id,
    org: principal.org,
    platform: input.platform,
    handle: input.handle,
    displayName: input.displayName,
    state: 'frozen',
    stateReason: NOT_CONNECTED_REASON,
    // what it will post as is learned when it is connected
    account: input.handle,
    credentialsRef: channelCredentialsRef({ platform: input.platform, id, org: principal.org }),
    connection: { status: 'not-connected' },
    ...(input.profileUrl ? { profileUrl: input.profileUrl } : {}),
  };
  const view = channelView(channel, now);
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: { TableName: store.table, Item: channelItem(channel), ConditionExpression: 'attribute_not_exists(PK)' },
        },
        auditPut(store, principal, { action: 'channel.create', target: `channel/${id}`, after: view }, now),
      ],
    }),
  );
  return view;
}

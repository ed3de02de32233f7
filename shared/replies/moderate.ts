/**
 * Hiding a reply, and showing it again: always a person's decision (editor role) with a reason from
 * the organisation's netiquette; Herold never hides anything on its own. Two steps, because only the
 * platform's function holds the channel's credentials:
 * 1. the API records the request on the reply (`moderation.pending`, one at a time) and queues a
 *    `moderate-reply` job on the platform's queue;
 * 2. the platform's function calls the platform and, in one transaction, records the outcome on the
 *    reply and the audit record (`reply.hidden` / `reply.unhidden`: who, when, why). A refusal by
 *    the platform is recorded on the reply (`moderation.lastError`) and nothing is audited, because
 *    nothing changed.
 * Deleting is never offered: hiding is reversible, deleting is not.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { requireRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import type { Channel, ModerateReplyJob, Principal } from '../model/schemas';
import { PlatformError, type Credentials, type PlatformClient, type PlatformContext } from '../platforms/client';
import { safeDetail } from '../platforms/http';
import { requireDeployed } from '../platforms/deployed';
import { PLATFORMS, platformBaseUrl } from '../platforms/registry';
import { getChannel } from '../store/channels';
import type { Store } from '../store/client';
import { replyKeyParts } from './ids';
import { readReplySettings } from './settings';
import { getReply, moderationUpdate, setModeration, type Moderation, type StoredReply } from './store';

export type ModerationAction = 'hide' | 'unhide';

/** Step 1, in the API: check and record the request; the caller queues the returned job. */
export async function requestModeration(
  store: Store,
  principal: Principal,
  reply: StoredReply,
  action: ModerationAction,
  input: { reason?: string; note?: string },
  now: Date,
  requestId: string,
): Promise<{ reply: StoredReply; job: ModerateReplyJob }> {
  requireRole(principal, 'editor', action === 'hide' ? 'hiding a reply' : 'showing a hidden reply again');
  const inbox = PLATFORMS[reply.platform].inbox;
  if (!inbox.hide)
    throw new ProblemError(409, `${PLATFORMS[reply.platform].displayName} has no way to hide another person's reply`);
  requireDeployed(reply.platform);
  if (action === 'hide') {
    const { netiquette } = await readReplySettings(store, reply.org);
    if (!netiquette.some((rule) => rule.id === input.reason))
      throw new ProblemError(400, `"${input.reason ?? ''}" is not a rule of the organisation's netiquette`, {
        errors: [{ field: 'reason', message: `one of ${netiquette.map((rule) => rule.id).join(', ')}` }],
      });
    if (reply.platformHidden) throw new ProblemError(409, 'the reply is hidden already');
  } else if (!reply.platformHidden) throw new ProblemError(409, 'the reply is not hidden');
  const moderation: Moderation = {
    ...withoutPending(reply.moderation),
    pending: {
      requestId,
      action,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.note ? { note: input.note } : {}),
      by: principal.sub,
      ...(principal.name ? { byName: principal.name } : {}),
      at: now.toISOString(),
    },
  };
  if (!(await setModeration(store, reply.id, moderation, { noPending: true })))
    throw new ProblemError(409, 'another request to hide or show this reply is still on its way');
  return {
    reply: { ...reply, moderation },
    job: { type: 'moderate-reply', channelId: reply.channelId, replyId: reply.id, requestId },
  };
}

const withoutPending = (moderation: Moderation | undefined): Moderation => {
  const { pending: _pending, ...rest } = moderation ?? {};
  return rest;
};

export interface ModerateDeps {
  store: Store;
  client: PlatformClient | undefined;
  credentials: (channel: Channel) => Promise<Credentials>;
  now: () => number;
  requestTimeoutMs: number;
  fetch?: typeof fetch;
}

export type ModerateOutcome =
  { kind: 'done'; hidden: boolean } | { kind: 'refused'; detail: string } | { kind: 'skipped'; reason: string };

/** Step 2, in the platform's function: hide or show on the platform, then record and audit together. */
export async function moderateReplyJob(job: ModerateReplyJob, deps: ModerateDeps): Promise<ModerateOutcome> {
  const reply = await getReply(deps.store, job.replyId, deps.now());
  const pending = reply?.moderation?.pending;
  if (!reply || !pending || pending.requestId !== job.requestId)
    return { kind: 'skipped', reason: 'the request is done already, or the reply is gone' };
  const channel = await getChannel(deps.store, reply.channelId);
  const setHidden = deps.client?.replies?.setHidden;
  const hidden = pending.action === 'hide';
  const after = withoutPending(reply.moderation);
  if (!channel || !setHidden) return refuse(deps, reply, pending, 'the channel or its platform cannot hide replies');
  const context: PlatformContext = {
    channel,
    credentials: await deps.credentials(channel),
    baseUrl: platformBaseUrl(channel.platform),
    saveCheckpoint: async () => undefined,
    timeoutMs: deps.requestTimeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  try {
    await setHidden(
      {
        remoteId: reply.remoteId,
        ...(reply.threadRemoteId ? { threadRemoteId: reply.threadRemoteId } : {}),
        ...(reply.chat ? { chat: reply.chat } : {}),
      },
      { remoteId: reply.postRemoteId, ...(reply.postThreadRootId ? { threadRootId: reply.postThreadRootId } : {}) },
      hidden,
      context,
    );
  } catch (error) {
    // transient faults come back through SQS; what the platform refuses is recorded and ends here
    if (
      error instanceof PlatformError &&
      (error.errorClass === 'retryable' || error.errorClass === 'rate-limited' || error.errorClass === 'ambiguous')
    )
      throw error;
    return refuse(deps, reply, pending, error instanceof Error ? safeDetail(error.message) : 'the platform refused');
  }
  const at = new Date(deps.now());
  const moderation: Moderation = {
    ...after,
    lastError: undefined,
    hidden: hidden
      ? {
          by: pending.by,
          ...(pending.byName ? { byName: pending.byName } : {}),
          at: at.toISOString(),
          reason: pending.reason ?? '',
          ...(pending.note ? { note: pending.note } : {}),
        }
      : undefined,
  };
  const parts = replyKeyParts(reply.id);
  if (!parts) return { kind: 'skipped', reason: 'not a reply id' };
  await deps.store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: moderationUpdate(deps.store, parts, clean(moderation), {
            pendingRequestId: pending.requestId,
            platformHidden: hidden,
          }),
        },
        auditPut(
          deps.store,
          { org: reply.org, sub: pending.by, ...(pending.byName ? { name: pending.byName } : {}) },
          {
            action: hidden ? 'reply.hidden' : 'reply.unhidden',
            target: `reply/${reply.id}`,
            before: { hidden: reply.platformHidden },
            after: {
              hidden,
              platform: reply.platform,
              messageId: reply.messageId,
              ...(pending.reason ? { reason: pending.reason } : {}),
              ...(pending.note ? { note: pending.note } : {}),
              requestedAt: pending.at,
            },
          },
          at,
        ),
      ],
    }),
  );
  return { kind: 'done', hidden };
}

const clean = (moderation: Moderation): Moderation =>
  Object.fromEntries(Object.entries(moderation).filter(([, value]) => value !== undefined)) as Moderation;

async function refuse(
  deps: ModerateDeps,
  reply: StoredReply,
  pending: NonNullable<Moderation['pending']>,
  detail: string,
): Promise<ModerateOutcome> {
  await setModeration(
    deps.store,
    reply.id,
    clean({
      ...withoutPending(reply.moderation),
      lastError: { at: new Date(deps.now()).toISOString(), action: pending.action, detail },
    }),
    { pendingRequestId: pending.requestId },
  );
  return { kind: 'refused', detail };
}

/**
 * The replies API (design §9): `GET /replies` lists the organisation's replies newest first, with
 * what each channel's inbox can and cannot do; `POST /replies/{id}/answer` publishes an answer
 * threaded under the reply, as a message of its own kind (`answer`) through the same delivery
 * machinery as every message; `POST /replies/{id}/hide|unhide` asks the platform's function to hide
 * or show the reply (see moderate.ts). Reply ids are opaque; the platforms' ids never leave Herold.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { requireRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { createMessage, type CreateMessageDeps } from '../intake/create-message';
import { newMessageId } from '../messages/ids';
import type { Principal } from '../model/schemas';
import type { AnswerReplySchema, ListRepliesQuerySchema } from './inputs';
import { requireDeployed } from '../platforms/deployed';
import { PLATFORMS, platformList } from '../platforms/registry';
import type { QueuedJob } from '../queue/jobs';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessages } from '../store/message-batch';
import { replyKeyParts } from './ids';
import { requestModeration, type ModerationAction } from './moderate';
import { readReplySettings } from './settings';
import { getReply, listReplies, replyKeys, setModeration, type StoredReply } from './store';

/** A reply as the API shows it: the opaque id, never the platform's ids. */
export function replyView(reply: StoredReply) {
  return {
    id: reply.id,
    platform: reply.platform,
    messageId: reply.messageId,
    channelId: reply.channelId,
    text: reply.text,
    author: reply.author,
    repliedAt: reply.repliedAt,
    /** a reply to another reply rather than to the post */
    nested: reply.parentRemoteId !== reply.postRemoteId,
    question: reply.question,
    emergency: reply.emergency,
    hidden: reply.platformHidden,
    ...(reply.moderation?.hidden ? { hiddenBy: reply.moderation.hidden } : {}),
    ...(reply.moderation?.pending
      ? { pending: { action: reply.moderation.pending.action, at: reply.moderation.pending.at } }
      : {}),
    ...(reply.moderation?.lastError ? { moderationError: reply.moderation.lastError } : {}),
    ...(reply.answer ? { answer: reply.answer } : {}),
    canHide: PLATFORMS[reply.platform].inbox.hide,
    expiresAt: new Date(reply.expiresAt * 1000).toISOString(),
  };
}

/** What each platform's inbox can do, and each channel's state: the inbox says what it cannot show. */
async function inboxOverview(store: Store, org: string) {
  const channels = await listChannels(store, org);
  return {
    platforms: platformList().map((spec) => ({
      platform: spec.id,
      collect: spec.inbox.collect,
      ...(spec.inbox.unavailable ? { unavailable: spec.inbox.unavailable } : {}),
      hide: spec.inbox.hide,
    })),
    channels: channels
      .filter((channel) => channel.state !== 'retired')
      .map((channel) => ({
        id: channel.id,
        platform: channel.platform,
        name: channel.displayName,
        state: channel.state,
        ...(channel.inbox ? { inbox: channel.inbox } : {}),
      })),
  };
}

export async function listRepliesForPrincipal(
  store: Store,
  principal: Principal,
  query: z.infer<typeof ListRepliesQuerySchema>,
  nowMs = Date.now(),
) {
  const [page, overview, settings] = await Promise.all([
    listReplies(store, principal.org, {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      filter: {
        ...(query.platform ? { platform: query.platform } : {}),
        ...(query.message ? { messageId: query.message } : {}),
        unanswered: query.unanswered === 'true',
      },
      nowMs,
    }),
    inboxOverview(store, principal.org),
    readReplySettings(store, principal.org),
  ]);
  const posts = await getMessages(
    store,
    page.replies.map((reply) => reply.messageId),
    { consistent: false },
  );
  return {
    items: page.replies.map(replyView),
    /** the organisation's posts the replies answer, so the inbox can say which post a group belongs to */
    posts: [...posts.values()].map((message) => ({
      messageId: message.id,
      excerpt: excerpt(message.text),
      createdAt: message.createdAt,
    })),
    ...(page.next ? { next: page.next } : {}),
    retentionDays: settings.retentionDays,
    netiquette: settings.netiquette,
    ...overview,
  };
}

const EXCERPT_CHARACTERS = 140;

/** The start of a post's text, cut at a word where it is long. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= EXCERPT_CHARACTERS) return flat;
  const cut = flat.slice(0, EXCERPT_CHARACTERS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > EXCERPT_CHARACTERS / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** The caller's organisation's reply, or 404 (another organisation's reply answers like one that does not exist). */
export async function ownReply(store: Store, principal: Principal, id: string, nowMs = Date.now()) {
  const reply = replyKeyParts(id) ? await getReply(store, id, nowMs) : undefined;
  if (!reply || reply.org !== principal.org) throw new ProblemError(404, 'no such reply (or it has expired)');
  return reply;
}

/**
 * Answer a reply: the reply is marked answered with its audit record (`reply.answered`) in one
 * transaction, conditional on no answer before it; then the answer is created as a message of
 * kind `answer` for the reply's one channel, an emergency message's answers on the urgent lane.
 * When the message cannot be created, the mark is taken back.
 */
export async function answerReply(
  principal: Principal,
  id: string,
  input: z.infer<typeof AnswerReplySchema>,
  deps: CreateMessageDeps,
) {
  requireRole(principal, 'editor', 'answering a reply');
  const now = (deps.now ?? (() => new Date()))();
  const reply = await ownReply(deps.store, principal, id, now.getTime());
  if (PLATFORMS[reply.platform].inbox.collect === 'none')
    throw new ProblemError(409, `${PLATFORMS[reply.platform].displayName} replies cannot be answered from Herold`);
  requireDeployed(reply.platform);
  if (reply.answer) throw new ProblemError(409, 'the reply has been answered already');
  const parts = replyKeyParts(reply.id);
  if (!parts) throw new ProblemError(404, 'no such reply');
  const messageId = deps.messageId ?? newMessageId(now.getTime());
  const answer = {
    messageId,
    by: principal.sub,
    ...(principal.name ? { byName: principal.name } : {}),
    at: now.toISOString(),
  };
  try {
    await deps.store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.store.table,
              Key: replyKeys.item(parts),
              UpdateExpression: 'SET answer = :answer',
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(answer)',
              ExpressionAttributeValues: { ':answer': answer },
            },
          },
          auditPut(
            deps.store,
            principal,
            {
              action: 'reply.answered',
              target: `reply/${reply.id}`,
              after: { messageId, platform: reply.platform, channelId: reply.channelId, replyTo: reply.messageId },
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException')
      throw new ProblemError(409, 'the reply has been answered already, or is gone');
    throw error;
  }
  try {
    const created = await createMessage(
      principal,
      {
        text: input.text,
        media: [],
        channels: [reply.channelId],
        priority: reply.emergency ? 'emergency' : 'normal',
      },
      { ...deps, messageId, now: () => now },
      {
        kind: 'answer',
        answerTo: { replyId: reply.id, channelId: reply.channelId, messageId: reply.messageId },
      },
    );
    return { reply: replyView({ ...reply, answer }), message: created };
  } catch (error) {
    await unmarkAnswer(deps.store, parts, messageId);
    throw error;
  }
}

async function unmarkAnswer(store: Store, parts: NonNullable<ReturnType<typeof replyKeyParts>>, messageId: string) {
  await store.doc
    .send(
      new UpdateCommand({
        TableName: store.table,
        Key: replyKeys.item(parts),
        UpdateExpression: 'REMOVE answer',
        ConditionExpression: 'answer.messageId = :id',
        ExpressionAttributeValues: { ':id': messageId },
      }),
    )
    .catch(() => undefined);
}

/** Hide or show a reply: recorded as the person's request, and queued to the platform's function. */
export async function moderateReply(
  store: Store,
  principal: Principal,
  id: string,
  action: ModerationAction,
  input: { reason?: string; note?: string },
  send: (jobs: QueuedJob[]) => Promise<QueuedJob[]>,
  now = new Date(),
  requestId: string = newMessageId(now.getTime()),
) {
  const reply = await ownReply(store, principal, id, now.getTime());
  const requested = await requestModeration(store, principal, reply, action, input, now, requestId);
  const unsent = await send([{ platform: reply.platform, priority: 'normal', job: requested.job }]);
  if (unsent.length) {
    // nothing will carry the request out: take it back, so the person can ask again
    await setModeration(store, reply.id, reply.moderation ?? {}, { pendingRequestId: requestId });
    throw new ProblemError(503, 'the request could not be queued; try again');
  }
  return replyView(requested.reply);
}

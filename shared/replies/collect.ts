/**
 * Collecting replies, in the platform's own function (it owns the channel's credentials and its
 * client): a `collect-replies` job carries the channel's posts that are due and reads them one
 * after another. For each post it reads every reply under it, stores the new ones, updates what
 * changed (an edit, hidden or shown in the platform's app) and deletes the ones the platform no
 * longer has (their authors deleted them). A webhook's reply goes through storeReply too, so push
 * and poll store one reply once.
 *
 * Faults: a post that fails (the platform's error, or our own) is left for its next poll and the
 * channel's other posts are still read. What concerns the whole channel stops the job: a read
 * budget spent (the next window reads them), a rate limit (the channel's inbox is `waiting` until
 * the platform's time, and the schedule sends no job for it until then), a refused read permission
 * (`no-access`, with the platform's reason). A job starts no post after READ_WINDOW_MS, well inside
 * the publisher's timeout: what it did not reach is read at the posts' next due minute.
 */
import type { Channel, ChannelInbox, CollectRepliesJob, Delivery } from '../model/schemas';
import {
  PlatformError,
  type Credentials,
  type PlatformClient,
  type PlatformContext,
  type PlatformReply,
} from '../platforms/client';
import { safeDetail } from '../platforms/http';
import { PLATFORMS, platformBaseUrl, type PlatformId } from '../platforms/registry';
import { getChannel } from '../store/channels';
import type { Store } from '../store/client';
import { getDelivery } from '../store/messages';
import { noteInbox } from './channel-inbox';
import { remoteHash, replyIdOf } from './ids';
import { isQuestion } from './question';
import { readBudgetScope, ReadBudgetSpent, takeRead } from './read-budget';
import { readReplySettings, type ReplySettings } from './settings';
import { deleteReply, expiresAtFor, putNewReply, repliesOfPost, updateSeenReply, type StoredReply } from './store';

export interface CollectDeps {
  store: Store;
  client: PlatformClient | undefined;
  credentials: (channel: Channel) => Promise<Credentials>;
  now: () => number;
  requestTimeoutMs: number;
  fetch?: typeof fetch;
  /** where the channel's bot sends updates (Telegram), for the access check to set it */
  webhook?: (channel: Channel) => Promise<{ url: string; secretToken: string } | undefined>;
}

/** What reading the replies to one post did. */
export type PostOutcome =
  | { kind: 'collected'; stored: number; updated: number; deleted: number }
  | { kind: 'skipped'; reason: string }
  /** the read budget is spent, or the platform asked to wait: the channel's other posts wait too */
  | { kind: 'waiting'; untilMs: number }
  /** the channel may not read: its other posts are not tried */
  | { kind: 'no-access'; reason: string }
  /** the platform (or Herold) failed on this post; its next scheduled poll tries again */
  | { kind: 'failed'; reason: string };

export type CollectOutcome =
  | { kind: 'checked'; ok: boolean }
  /** the channel's due posts, each with what its read did; `unread` were not tried (see the top of the file) */
  | { kind: 'read'; posts: { messageId: string; outcome: PostOutcome }[]; unread: string[] }
  | Exclude<PostOutcome, { kind: 'collected' }>;

/** A job starts no further post after this long; the publisher's timeout (60 s) leaves room for the last one's pages. */
export const READ_WINDOW_MS = 30_000;

/** The post a reply was made to, as its delivery recorded it. */
export interface ReplyOrigin {
  org: string;
  messageId: string;
  channelId: string;
  platform: PlatformId;
  postRemoteId: string;
  postThreadRootId?: string;
  publishedAt: string;
  emergency: boolean;
}

/** A platform's reply as Herold keeps it. */
export function storedReply(
  reply: PlatformReply,
  origin: ReplyOrigin,
  options: { retentionDays: number; via: StoredReply['via']; now: Date },
): StoredReply {
  return {
    id: replyIdOf({
      messageId: origin.messageId,
      channelId: origin.channelId,
      hash: remoteHash(origin.channelId, replyKeyOf(origin.platform, reply.remoteId)),
    }),
    org: origin.org,
    messageId: origin.messageId,
    channelId: origin.channelId,
    platform: origin.platform,
    remoteId: reply.remoteId,
    parentRemoteId: reply.parentRemoteId,
    ...(reply.threadRemoteId ? { threadRemoteId: reply.threadRemoteId } : {}),
    ...(reply.chat ? { chat: reply.chat } : {}),
    postRemoteId: origin.postRemoteId,
    ...(origin.postThreadRootId ? { postThreadRootId: origin.postThreadRootId } : {}),
    text: reply.text,
    author: {
      ...(reply.author.handle ? { handle: reply.author.handle } : {}),
      ...(reply.author.name ? { name: reply.author.name } : {}),
    },
    repliedAt: reply.repliedAt,
    collectedAt: options.now.toISOString(),
    via: options.via,
    question: isQuestion(reply.text),
    emergency: origin.emergency,
    platformHidden: reply.hidden,
    expiresAt: expiresAtFor(origin.publishedAt, options.retentionDays),
  };
}

/** Bluesky's remote ids carry the record's cid beside its uri; the reply is the uri. */
const replyKeyOf = (platform: PlatformId, remoteId: string) =>
  platform === 'bluesky' ? (remoteId.split('|')[0] ?? remoteId) : remoteId;

/** Store one reply, or update what changed; `created` when it is new to Herold. */
export async function storeReply(
  store: Store,
  reply: StoredReply,
  known?: StoredReply,
): Promise<'created' | 'updated' | 'unchanged'> {
  if (!known && (await putNewReply(store, reply))) return 'created';
  if (
    known &&
    known.text === reply.text &&
    known.platformHidden === reply.platformHidden &&
    known.expiresAt === reply.expiresAt &&
    known.parentRemoteId === reply.parentRemoteId &&
    known.threadRemoteId === reply.threadRemoteId
  )
    return 'unchanged';
  await updateSeenReply(store, reply, reply);
  return 'updated';
}

export const originOf = (delivery: Delivery): ReplyOrigin | undefined =>
  delivery.state === 'PUBLISHED' && delivery.remoteId && delivery.publishedAt
    ? {
        org: delivery.org,
        messageId: delivery.messageId,
        channelId: delivery.channelId,
        platform: delivery.platform,
        postRemoteId: delivery.remoteId,
        ...(delivery.threadRootId ? { postThreadRootId: delivery.threadRootId } : {}),
        publishedAt: delivery.publishedAt,
        emergency: delivery.priority === 'emergency',
      }
    : undefined;

export async function collectRepliesJob(job: CollectRepliesJob, deps: CollectDeps): Promise<CollectOutcome> {
  const startedMs = deps.now();
  const channel = await getChannel(deps.store, job.channelId);
  const replies = deps.client?.replies;
  if (!channel || !replies) return { kind: 'skipped', reason: 'no channel, or no replies on this platform' };
  if (channel.state !== 'active') return { kind: 'skipped', reason: `channel is ${channel.state}` };
  if (channel.inbox?.status === 'waiting' && (channel.inbox.until ?? 0) > startedMs)
    return { kind: 'waiting', untilMs: channel.inbox.until ?? startedMs };
  const context: PlatformContext = {
    channel,
    credentials: await deps.credentials(channel),
    baseUrl: platformBaseUrl(channel.platform),
    saveCheckpoint: async () => undefined,
    timeoutMs: deps.requestTimeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const note = (inbox: Omit<ChannelInbox, 'since'>) => noteInbox(deps.store, channel, inbox, new Date(deps.now()));

  if (!job.messageIds) {
    if (!replies.checkAccess) return { kind: 'skipped', reason: 'this platform needs no access check' };
    try {
      const access = await replies.checkAccess(context, await deps.webhook?.(channel));
      await note(
        access.ok
          ? { status: 'ok', ...(access.discussionGroup ? { discussionGroup: access.discussionGroup } : {}) }
          : {
              status: 'no-access',
              reason: access.reason,
              ...(access.discussionGroup ? { discussionGroup: access.discussionGroup } : {}),
            },
      );
      return { kind: 'checked', ok: access.ok };
    } catch (error) {
      return platformFault(error, note, deps.now());
    }
  }

  if (!replies.list) return { kind: 'skipped', reason: 'replies on this platform come only by push' };
  const reader: PostReader = { deps, channel, context, list: replies.list, settings: new Map() };
  const posts: { messageId: string; outcome: PostOutcome }[] = [];
  const pending = [...job.messageIds];
  let inboxOk = channel.inbox?.status === 'ok';
  while (pending.length > 0 && deps.now() - startedMs < READ_WINDOW_MS) {
    const messageId = pending.shift()!;
    let outcome: PostOutcome;
    try {
      outcome = await collectPost(messageId, reader, note);
    } catch (error) {
      // our own fault (the table, a bug) on this post: the channel's other posts are still read
      outcome = { kind: 'failed', reason: error instanceof Error ? error.name : 'error' };
    }
    posts.push({ messageId, outcome });
    if (outcome.kind === 'collected' && !inboxOk) {
      await note({ status: 'ok' });
      inboxOk = true;
    }
    if (outcome.kind === 'waiting' || outcome.kind === 'no-access') break;
  }
  return { kind: 'read', posts, unread: pending };
}

interface PostReader {
  deps: CollectDeps;
  channel: Channel;
  context: PlatformContext;
  list: NonNullable<NonNullable<PlatformClient['replies']>['list']>;
  /** each organisation's reply settings, read once per job */
  settings: Map<string, Promise<ReplySettings>>;
}

/** Read every reply under one post of the channel and bring Herold's copy up to date. */
async function collectPost(
  messageId: string,
  reader: PostReader,
  note: (inbox: Omit<ChannelInbox, 'since'>) => Promise<void>,
): Promise<PostOutcome> {
  const { deps, channel } = reader;
  const delivery = await getDelivery(deps.store, messageId, channel.id);
  const origin = delivery && originOf(delivery);
  if (!origin) return { kind: 'skipped', reason: 'the message is not published on this channel' };
  if (!reader.settings.has(origin.org)) reader.settings.set(origin.org, readReplySettings(deps.store, origin.org));
  const settings = await reader.settings.get(origin.org)!;
  const now = deps.now();
  if (expiresAtFor(origin.publishedAt, settings.retentionDays) * 1000 <= now)
    return { kind: 'skipped', reason: 'the retention period of the post is over' };

  const known = await repliesOfPost(deps.store, origin.messageId, origin.channelId);
  const rule = PLATFORMS[channel.platform].inbox.reads;
  const scope = rule && readBudgetScope(channel.platform, rule, channel.id);
  let listed: PlatformReply[];
  try {
    listed = await reader.list(
      { remoteId: origin.postRemoteId, ...(origin.postThreadRootId ? { threadRootId: origin.postThreadRootId } : {}) },
      {
        ...reader.context,
        beforeRead: () => (rule && scope ? takeRead(deps.store, scope, rule, deps.now()) : Promise.resolve()),
        hiddenRemoteIds: known.filter((reply) => reply.platformHidden).map((reply) => reply.remoteId),
      },
    );
  } catch (error) {
    if (error instanceof ReadBudgetSpent) return { kind: 'waiting', untilMs: error.retryAtMs };
    return platformFault(error, note, now);
  }

  const stamp = new Date(now);
  const byId = new Map(known.map((reply) => [reply.id, reply]));
  const seen = new Set<string>();
  let stored = 0;
  let updated = 0;
  for (const reply of listed) {
    const next = storedReply(reply, origin, { retentionDays: settings.retentionDays, via: 'poll', now: stamp });
    if (seen.has(next.id)) continue;
    seen.add(next.id);
    const outcome = await storeReply(deps.store, next, byId.get(next.id));
    if (outcome === 'created') stored += 1;
    if (outcome === 'updated') updated += 1;
  }
  // what the platform no longer lists was deleted there (by its author, or by the platform)
  const gone = known.filter((reply) => !seen.has(reply.id));
  for (const reply of gone) await deleteReply(deps.store, reply.id);
  return { kind: 'collected', stored, updated, deleted: gone.length };
}

/** What a failed platform call means for the channel's inbox. */
async function platformFault(
  error: unknown,
  note: (inbox: Omit<ChannelInbox, 'since'>) => Promise<void>,
  now: number,
): Promise<Exclude<PostOutcome, { kind: 'collected' | 'skipped' }>> {
  if (!(error instanceof PlatformError)) throw error;
  if (error.errorClass === 'rate-limited') {
    const untilMs = now + Math.max(1, error.retryAfterSeconds ?? 60) * 1000;
    await note({ status: 'waiting', reason: safeDetail(error.message), until: untilMs });
    return { kind: 'waiting', untilMs };
  }
  if (error.errorClass === 'auth') {
    const reason = safeDetail(error.message);
    await note({ status: 'no-access', reason });
    return { kind: 'no-access', reason };
  }
  return { kind: 'failed', reason: safeDetail(error.message) };
}

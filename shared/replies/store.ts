/**
 * Replies in the table, in partitions of their own: `REPLIES#<messageId>` holds the replies to one
 * message, `R#<channelId>#<hash>` each (never the message's partition, which every message read
 * loads whole). GSI1 lists an organisation's replies newest first (`ORGREPLIES#<org>`). Every item
 * carries `expiresAt`, the end of the organisation's retention period for its post, and DynamoDB's
 * TTL deletes it then; reads leave out what has expired but not yet been deleted.
 *
 * Beside them: per published post one reference item (`POSTREF#<platform>#<id>`), which maps the
 * platform's id of the post to its message for a webhook and lists the organisation's watched posts
 * for the poll schedule (GSI1 `REPLYWATCH#<org>`); and, for Telegram, which discussion-group
 * message belongs to which post (`TGMSG#<chat>#<id>`).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { IdSchema, OrgIdSchema, PlatformIdSchema } from '../model/schemas';
import type { PlatformId } from '../platforms/registry';
import { isConditionFailure, queryAll, withoutKeys, type Store } from '../store/client';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { replyKeyParts, type ReplyKeyParts } from './ids';

const DAY_SECONDS = 24 * 60 * 60;

export const ModerationSchema = z.object({
  /** a person asked to hide or show the reply; the platform's function is doing it */
  pending: z
    .object({
      requestId: z.string(),
      action: z.enum(['hide', 'unhide']),
      reason: z.string().optional(),
      note: z.string().optional(),
      by: z.string(),
      byName: z.string().optional(),
      at: z.iso.datetime(),
    })
    .optional(),
  /** who hid it through Herold, when and under which rule of the netiquette */
  hidden: z
    .object({
      by: z.string(),
      byName: z.string().optional(),
      at: z.iso.datetime(),
      reason: z.string(),
      note: z.string().optional(),
    })
    .optional(),
  /** the platform refused the last request; the reply is as it was */
  lastError: z.object({ at: z.iso.datetime(), action: z.enum(['hide', 'unhide']), detail: z.string() }).optional(),
});
export type Moderation = z.infer<typeof ModerationSchema>;

export const StoredReplySchema = z.object({
  id: z.string(),
  org: OrgIdSchema,
  messageId: IdSchema,
  channelId: IdSchema,
  platform: PlatformIdSchema,
  /** the platform's ids, for answering and hiding: never shown by the API */
  remoteId: z.string(),
  parentRemoteId: z.string(),
  threadRemoteId: z.string().optional(),
  chat: z.string().optional(),
  postRemoteId: z.string(),
  postThreadRootId: z.string().optional(),
  text: z.string(),
  author: z.object({ handle: z.string().optional(), name: z.string().optional() }),
  repliedAt: z.iso.datetime(),
  /** when Herold first stored it, and how it came */
  collectedAt: z.iso.datetime(),
  via: z.enum(['poll', 'push']),
  question: z.boolean(),
  /** a reply to an emergency message: on top in the inbox, answered on the urgent lane */
  emergency: z.boolean(),
  /** hidden on the platform, as last seen there */
  platformHidden: z.boolean(),
  moderation: ModerationSchema.optional(),
  answer: z
    .object({ messageId: IdSchema, by: z.string(), byName: z.string().optional(), at: z.iso.datetime() })
    .optional(),
  /** TTL: epoch seconds */
  expiresAt: z.number().int(),
});
export type StoredReply = z.infer<typeof StoredReplySchema>;

export const replyKeys = {
  partition: (messageId: string) => `REPLIES#${messageId}`,
  channelPrefix: (channelId: string) => `R#${channelId}#`,
  item: (parts: ReplyKeyParts) => ({ PK: `REPLIES#${parts.messageId}`, SK: `R#${parts.channelId}#${parts.hash}` }),
  /** GSI1: an organisation's replies, newest first */
  org: (org: string) => `ORGREPLIES#${org}`,
  orgSort: (repliedAt: string, id: string) => `${repliedAt}#${id}`,
};

export const replyItem = (reply: StoredReply) => {
  const parts = replyKeyParts(reply.id);
  if (!parts) throw new Error(`not a reply id: ${reply.id}`);
  return {
    ...replyKeys.item(parts),
    GSI1PK: replyKeys.org(reply.org),
    GSI1SK: replyKeys.orgSort(reply.repliedAt, reply.id),
    ...StoredReplySchema.parse(reply),
  };
};

/** The TTL of a post's replies: the organisation's retention period after the post was published. */
export const expiresAtFor = (publishedAt: string, retentionDays: number): number =>
  Math.floor(Date.parse(publishedAt) / 1000) + retentionDays * DAY_SECONDS;

const alive = (item: { expiresAt?: unknown }, nowMs: number) =>
  typeof item.expiresAt === 'number' && item.expiresAt * 1000 > nowMs;

/** Store a reply seen for the first time; false when it is stored already (push and poll saw it both). */
export async function putNewReply(store: Store, reply: StoredReply): Promise<boolean> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: replyItem(reply),
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** What the platform shows of a reply Herold has: its text (edited), whether it is hidden there, and the retention. */
export async function updateSeenReply(
  store: Store,
  reply: Pick<StoredReply, 'id'>,
  seen: Pick<StoredReply, 'text' | 'question' | 'platformHidden' | 'expiresAt' | 'parentRemoteId' | 'threadRemoteId'>,
): Promise<void> {
  const parts = replyKeyParts(reply.id);
  if (!parts) return;
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: replyKeys.item(parts),
        UpdateExpression: `SET #text = :text, question = :question, platformHidden = :hidden, expiresAt = :expires, parentRemoteId = :parent${seen.threadRemoteId ? ', threadRemoteId = :thread' : ''}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#text': 'text' },
        ExpressionAttributeValues: {
          ':text': seen.text,
          ':question': seen.question,
          ':hidden': seen.platformHidden,
          ':expires': seen.expiresAt,
          ':parent': seen.parentRemoteId,
          ...(seen.threadRemoteId ? { ':thread': seen.threadRemoteId } : {}),
        },
      }),
    );
  } catch (error) {
    // deleted meanwhile (by its author on the platform, or its TTL): nothing to update
    if (!isConditionFailure(error)) throw error;
  }
}

/** A webhook said the reply was hidden or shown on the platform. */
export async function setPlatformHidden(store: Store, id: string, hidden: boolean): Promise<void> {
  const parts = replyKeyParts(id);
  if (!parts) return;
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: replyKeys.item(parts),
        UpdateExpression: 'SET platformHidden = :hidden',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':hidden': hidden },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function deleteReply(store: Store, id: string): Promise<void> {
  const parts = replyKeyParts(id);
  if (parts) await store.doc.send(new DeleteCommand({ TableName: store.table, Key: replyKeys.item(parts) }));
}

export async function getReply(store: Store, id: string, nowMs = Date.now()): Promise<StoredReply | undefined> {
  const parts = replyKeyParts(id);
  if (!parts) return undefined;
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: replyKeys.item(parts), ConsistentRead: true }),
  );
  return Item && alive(Item, nowMs) ? StoredReplySchema.parse(withoutKeys(Item)) : undefined;
}

/** Every reply Herold keeps of one post on one channel (expired ones included: a poll may renew or delete them). */
export async function repliesOfPost(store: Store, messageId: string, channelId: string): Promise<StoredReply[]> {
  const items = await queryAll(store.doc, {
    TableName: store.table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': replyKeys.partition(messageId), ':prefix': replyKeys.channelPrefix(channelId) },
    ConsistentRead: true,
  });
  return items.map((item) => StoredReplySchema.parse(withoutKeys(item)));
}

export interface ReplyFilter {
  platform?: PlatformId;
  messageId?: string;
  unanswered?: boolean;
}

export interface ReplyPage {
  replies: StoredReply[];
  next?: string;
}

/** DynamoDB pages read for one API page at most (a filter may leave some of them empty). */
const MAX_READS_PER_PAGE = 10;

/** An organisation's replies, newest first, filtered; `cursor` continues where the last page ended. */
export async function listReplies(
  store: Store,
  org: string,
  options: { limit: number; cursor?: string; filter: ReplyFilter; nowMs: number },
): Promise<ReplyPage> {
  const conditions = ['expiresAt > :now'];
  const values: Record<string, unknown> = { ':pk': replyKeys.org(org), ':now': Math.floor(options.nowMs / 1000) };
  if (options.filter.platform) {
    conditions.push('platform = :platform');
    values[':platform'] = options.filter.platform;
  }
  if (options.filter.messageId) {
    conditions.push('messageId = :messageId');
    values[':messageId'] = options.filter.messageId;
  }
  if (options.filter.unanswered) conditions.push('attribute_not_exists(answer)');
  const replies: StoredReply[] = [];
  let startKey = options.cursor ? decodeCursor(options.cursor, (key) => key.GSI1PK === replyKeys.org(org)) : undefined;
  for (let reads = 0; reads < MAX_READS_PER_PAGE && replies.length < options.limit; reads += 1) {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        FilterExpression: conditions.join(' AND '),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: options.limit - replies.length,
        ExclusiveStartKey: startKey,
      }),
    );
    replies.push(...(page.Items ?? []).map((item) => StoredReplySchema.parse(withoutKeys(item))));
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { replies, ...(startKey ? { next: encodeCursor(startKey) } : {}) };
}

/** Set a reply's moderation: the whole object, conditional on what was read (`pendingRequestId`: the request still pending). */
export async function setModeration(
  store: Store,
  id: string,
  moderation: Moderation,
  condition: { pendingRequestId?: string; noPending?: boolean; platformHidden?: boolean },
): Promise<boolean> {
  const parts = replyKeyParts(id);
  if (!parts) return false;
  try {
    await store.doc.send(new UpdateCommand(moderationUpdate(store, parts, moderation, condition)));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The update behind setModeration, also usable inside a transaction. */
export function moderationUpdate(
  store: Store,
  parts: ReplyKeyParts,
  moderation: Moderation,
  condition: { pendingRequestId?: string; noPending?: boolean; platformHidden?: boolean },
) {
  const conditions = ['attribute_exists(PK)'];
  const values: Record<string, unknown> = { ':moderation': ModerationSchema.parse(moderation) };
  if (condition.pendingRequestId !== undefined) {
    conditions.push('moderation.pending.requestId = :request');
    values[':request'] = condition.pendingRequestId;
  }
  if (condition.noPending)
    conditions.push('(attribute_not_exists(moderation) OR attribute_not_exists(moderation.pending))');
  if (condition.platformHidden !== undefined) values[':hidden'] = condition.platformHidden;
  return {
    TableName: store.table,
    Key: replyKeys.item(parts),
    UpdateExpression:
      condition.platformHidden === undefined
        ? 'SET moderation = :moderation'
        : 'SET moderation = :moderation, platformHidden = :hidden',
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
  };
}

/** One of Herold's published posts whose replies are read: found by its platform id (webhooks) and listed per organisation (the poll schedule). */
export const PostRefSchema = z.object({
  org: OrgIdSchema,
  messageId: IdSchema,
  channelId: IdSchema,
  platform: PlatformIdSchema,
  remoteId: z.string(),
  threadRootId: z.string().optional(),
  emergency: z.boolean(),
  publishedAt: z.iso.datetime(),
  expiresAt: z.number().int(),
});
export type PostRef = z.infer<typeof PostRefSchema>;

/**
 * The key under which a post is found by its platform id. Meta's ids are unique on their
 * platform; Telegram counts message ids per chat, so its key also names the channel.
 */
export const postRefKey = (platform: PlatformId, channelId: string, remoteId: string) => ({
  PK: `POSTREF#${platform}#${platform === 'telegram' ? `${channelId}:${remoteId}` : remoteId}`,
  SK: 'POSTREF',
});

export const watchKeys = {
  org: (org: string) => `REPLYWATCH#${org}`,
  orgSort: (publishedAt: string, messageId: string, channelId: string) => `${publishedAt}#${messageId}#${channelId}`,
};

/** Post references outlive the longest retention period by a day; the poll stops with the organisation's own. */
const POSTREF_DAYS = 91;

export async function putPostRef(store: Store, ref: Omit<PostRef, 'expiresAt'>): Promise<void> {
  const item: PostRef = { ...ref, expiresAt: expiresAtFor(ref.publishedAt, POSTREF_DAYS) };
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: {
        ...postRefKey(ref.platform, ref.channelId, ref.remoteId),
        GSI1PK: watchKeys.org(ref.org),
        GSI1SK: watchKeys.orgSort(ref.publishedAt, ref.messageId, ref.channelId),
        ...PostRefSchema.parse(item),
      },
    }),
  );
}

export async function getPostRef(
  store: Store,
  platform: PlatformId,
  channelId: string,
  remoteId: string,
): Promise<PostRef | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: postRefKey(platform, channelId, remoteId) }),
  );
  return Item ? PostRefSchema.parse(withoutKeys(Item)) : undefined;
}

/** The organisation's posts published since `sinceIso`, oldest first. */
export async function watchedPosts(store: Store, org: string, sinceIso: string): Promise<PostRef[]> {
  const items = await queryAll(store.doc, {
    TableName: store.table,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :since',
    ExpressionAttributeValues: { ':pk': watchKeys.org(org), ':since': sinceIso },
  });
  return items.map((item) => PostRefSchema.parse(withoutKeys(item)));
}

/** Telegram: which post a message of the discussion group belongs to (its automatic forward, or a comment under it). */
const tgKey = (chat: string, messageId: string) => ({ PK: `TGMSG#${chat}#${messageId}`, SK: 'TGMSG' });
const TgMessageSchema = z.object({ channelId: IdSchema, postRemoteId: z.string(), expiresAt: z.number().int() });

export async function putTelegramMessage(
  store: Store,
  chat: string,
  messageId: string,
  entry: z.infer<typeof TgMessageSchema>,
): Promise<void> {
  await store.doc.send(
    new PutCommand({ TableName: store.table, Item: { ...tgKey(chat, messageId), ...TgMessageSchema.parse(entry) } }),
  );
}

export async function getTelegramMessage(
  store: Store,
  chat: string,
  messageId: string,
): Promise<z.infer<typeof TgMessageSchema> | undefined> {
  const { Item } = await store.doc.send(new GetCommand({ TableName: store.table, Key: tgKey(chat, messageId) }));
  return Item ? TgMessageSchema.parse(withoutKeys(Item)) : undefined;
}

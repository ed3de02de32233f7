/**
 * YouTube (Data API v3).
 *
 * Credentials: `{ accessToken }`, a Google OAuth 2.0 token with `youtube.upload` and `youtube.readonly`.
 * `channel.account`: the channel id (`UC…`); the API acts on the token's own channel (`mine=true`).
 *
 * Publishing is `videos.insert` as a resumable upload: a POST with the metadata opens an upload
 * session (its URL comes back in `Location`), a PUT sends the bytes. The session URL is saved as
 * checkpoint `uploadUrl` before the PUT, so after an ambiguous outcome the session itself says
 * whether the video arrived (without a saved session no bytes were sent, so there is no video), and
 * a later attempt resumes the same session from the last byte it kept instead of uploading twice.
 * Only messages with a video reach this client.
 */
import * as z from 'zod';
import type { Media } from '../../model/schemas';
import {
  PlatformError,
  type AnswerRequest,
  type PlatformClient,
  type PlatformReply,
  type ReplyCapabilities,
  type PlatformContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { checkAnswer, httpRequest, parseAnswer, safeDetail, unexpectedAnswer, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';
import { downloadMedia } from './media-download';

export const YOUTUBE_LIMITS = { title: 100, description: PLATFORMS.youtube.text.limit } as const;

/** Answers as the Data API v3 documents them, only the fields Herold reads. */
const VideoAnswer = z.looseObject({ id: z.string() });
/** `items` is empty (or left out) when the token has no channel. */
const ChannelsAnswer = z.looseObject({
  items: z
    .array(
      z.looseObject({
        statistics: z.looseObject({
          subscriberCount: z.string().optional(),
          hiddenSubscriberCount: z.boolean().optional(),
        }),
      }),
    )
    .optional(),
});

const answerOf = (context: PlatformContext, call: string) => ({
  platform: 'YouTube',
  call,
  secrets: context.credentials,
});

const RATE_REASONS = new Set([
  'quotaExceeded',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'uploadLimitExceeded',
  'dailyLimitExceeded',
]);
const AUTH_REASONS = new Set([
  'authError',
  'forbidden',
  'insufficientPermissions',
  'youtubeSignupRequired',
  'unauthorized',
]);

interface GoogleErrorBody {
  error?: { code?: number; message?: string; errors?: { reason?: string; message?: string; domain?: string }[] };
}

/** Seconds until the daily quota resets: midnight Pacific Time. */
export function secondsUntilPacificMidnight(now = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  const elapsed = part('hour') * 3600 + part('minute') * 60 + part('second');
  return Math.max(1, 24 * 3600 - elapsed);
}

/** Sort a Google API error into the publisher's classes. */
export function youtubeError(response: HttpResponse, action: string, now = Date.now()): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as GoogleErrorBody;
  const reason = body.error?.errors?.[0]?.reason;
  const code = reason ?? response.status;
  const message =
    `${action}: HTTP ${response.status} ${reason ?? ''} ${safeDetail(body.error?.message ?? response.body)}`
      .replace(/\s+/g, ' ')
      .trim();
  if (reason && RATE_REASONS.has(reason)) {
    // The daily quota only comes back at midnight Pacific; short-term limits after a minute.
    const wait =
      reason === 'quotaExceeded' || reason === 'dailyLimitExceeded' || reason === 'uploadLimitExceeded'
        ? secondsUntilPacificMidnight(now)
        : 60;
    return new PlatformError('rate-limited', message, { code, retryAfterSeconds: wait });
  }
  if (response.status === 429) return new PlatformError('rate-limited', message, { code, retryAfterSeconds: 60 });
  if (response.status === 401 || (reason && AUTH_REASONS.has(reason)))
    return new PlatformError('auth', message, { code });
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code });
  return new PlatformError('permanent', message, { code });
}

function bearer(context: PlatformContext): string {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'YouTube credentials have no accessToken');
  return `Bearer ${token}`;
}

async function get<T>(context: PlatformContext, path: string, action: string, answer: z.ZodType<T>): Promise<T> {
  const response = await httpRequest({
    method: 'GET',
    url: `${context.baseUrl}${path}`,
    headers: { authorization: bearer(context) },
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status >= 300) throw youtubeError(response, action);
  return parseAnswer(response, answer, answerOf(context, action));
}

/** Title and description may not contain `<` or `>`; YouTube rejects them. */
const clean = (text: string) => text.replace(/[<>]/g, '');

function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** The video's snippet: the first line is the title, the whole text (and link) the description. */
export function videoSnippet(request: PublishRequest): { title: string; description: string } {
  const text = clean(request.text).trim();
  const firstLine = text.split('\n').find((line) => line.trim().length > 0) ?? '';
  const withLink = request.link && !text.includes(request.link) ? `${text}\n\n${request.link}` : text;
  return { title: fit(firstLine.trim(), YOUTUBE_LIMITS.title), description: fit(withLink, YOUTUBE_LIMITS.description) };
}

const result = (id: string): PublishResult => ({
  remoteId: id,
  remoteUrl: `https://www.youtube.com/watch?v=${id}`,
  threadRootId: id,
});

async function openUploadSession(
  context: PlatformContext,
  request: PublishRequest,
  video: Media,
  size: number,
): Promise<string> {
  const response = await httpRequest({
    method: 'POST',
    url: `${context.baseUrl}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`,
    headers: {
      authorization: bearer(context),
      'x-upload-content-length': String(size),
      'x-upload-content-type': video.mime,
      'content-type': 'application/json; charset=UTF-8',
    },
    body: {
      snippet: { ...videoSnippet(request), categoryId: '25' /* News & Politics */ },
      status: { privacyStatus: 'public', selfDeclaredMadeForKids: false, embeddable: true },
    },
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status >= 300) throw youtubeError(response, 'open upload session');
  const location = response.headers.get('location');
  if (!location)
    throw unexpectedAnswer(response, answerOf(context, 'open upload session'), 'expected the session URL in Location');
  return location;
}

type SessionState =
  { kind: 'complete'; result: PublishResult } | { kind: 'incomplete'; received: number } | { kind: 'gone' };

/** Ask an upload session how far it got (`Content-Range: bytes *\/<size>`): done, bytes received so far, or expired. */
async function querySession(context: PlatformContext, uploadUrl: string, size: string): Promise<SessionState> {
  const response = await httpRequest({
    method: 'PUT',
    url: uploadUrl,
    headers: { authorization: bearer(context), 'content-range': `bytes */${size}` },
    body: new Uint8Array(0),
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  // 200 or 201: the upload is complete and the answer is the video resource.
  if (response.status >= 200 && response.status < 300)
    return {
      kind: 'complete',
      result: result(parseAnswer(response, VideoAnswer, answerOf(context, 'check upload')).id),
    };
  // 308 Resume Incomplete names the bytes kept so far in `Range: bytes=0-<last>`.
  if (response.status === 308)
    return {
      kind: 'incomplete',
      received: Number(/bytes=0-(\d+)/.exec(response.headers.get('range') ?? '')?.[1] ?? -1) + 1,
    };
  if (response.status === 404 || response.status === 410) return { kind: 'gone' };
  throw youtubeError(response, 'check upload');
}

/** A comment's snippet (Data API v3 `comments`), only the fields Herold reads. */
const CommentSnippet = z.looseObject({
  authorDisplayName: z.string().optional(),
  authorChannelId: z.looseObject({ value: z.string() }).optional(),
  /** the channel the comments belong to (the video's) */
  channelId: z.string().optional(),
  textDisplay: z.string().optional(),
  parentId: z.string().optional(),
  publishedAt: z.string(),
});
const Comment = z.looseObject({ id: z.string(), snippet: CommentSnippet });
const CommentThreadsAnswer = z.looseObject({
  nextPageToken: z.string().optional(),
  items: z.array(
    z.looseObject({
      id: z.string(),
      snippet: z.looseObject({
        channelId: z.string().optional(),
        totalReplyCount: z.number().optional(),
        topLevelComment: Comment,
      }),
      /** a subset of the replies: comments.list with parentId has them all */
      replies: z.looseObject({ comments: z.array(Comment) }).optional(),
    }),
  ),
});
const CommentsAnswer = z.looseObject({ nextPageToken: z.string().optional(), items: z.array(Comment) });

/** The most pages one listing reads (100 comments a page). */
const MAX_PAGES = 200;

async function allPages<T>(
  readPage: (pageToken: string | undefined) => Promise<{ nextPageToken?: string; items: T[] }>,
  beforeRead: () => Promise<void>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    await beforeRead();
    const answer = await readPage(pageToken);
    items.push(...answer.items);
    pageToken = answer.nextPageToken;
    if (!pageToken) return items;
  }
  throw new PlatformError('permanent', `YouTube list comments: more than ${MAX_PAGES} pages`, {
    code: 'TOO_MANY_PAGES',
  });
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** Every reply to a top-level comment (comments.list by parentId, 1 unit a page). */
const repliesTo = (parentId: string, context: PlatformContext, beforeRead: () => Promise<void>) =>
  allPages(
    (pageToken) =>
      get(
        context,
        `/youtube/v3/comments?${query({ part: 'snippet', parentId, maxResults: '100', textFormat: 'plainText', pageToken })}`,
        'list comment replies',
        CommentsAnswer,
      ),
    beforeRead,
  );

/** Answers may only go under a top-level comment (snippet.parentId). */
const answerUnder = (request: AnswerRequest) =>
  request.answerTo.reply.threadRemoteId ?? request.answerTo.reply.remoteId;

/**
 * Replies: commentThreads.list by videoId (1 unit a page), comments.list by parentId where a
 * thread carries only some of its replies, and, when Herold has hidden some, the threads held for
 * review (held comments are not listed otherwise); answers through comments.insert (50 units);
 * hiding through comments.setModerationStatus heldForReview and back to published (50 units),
 * never `rejected`, which cannot be undone. Scope youtube.force-ssl.
 */
const youtubeReplies: ReplyCapabilities = {
  async list(post, context) {
    const threadsWith = (moderationStatus: string | undefined) =>
      allPages(
        (pageToken) =>
          get(
            context,
            `/youtube/v3/commentThreads?${query({
              part: 'snippet,replies',
              videoId: post.remoteId,
              maxResults: '100',
              order: 'time',
              textFormat: 'plainText',
              moderationStatus,
              pageToken,
            })}`,
            'list comment threads',
            CommentThreadsAnswer,
          ),
        context.beforeRead,
      );
    // held comments are listed only when asked for: a comment first seen in that pass is hidden
    const replies = new Map<string, PlatformReply>();
    const read = async (moderationStatus: string | undefined) => {
      const hidden = moderationStatus !== undefined;
      for (const thread of await threadsWith(moderationStatus)) {
        const top = thread.snippet.topLevelComment;
        const channelId = thread.snippet.channelId;
        const add = (comment: z.infer<typeof Comment>, parent: string) => {
          if (
            replies.has(comment.id) ||
            comment.snippet.authorChannelId?.value === (comment.snippet.channelId ?? channelId)
          )
            return;
          const name = comment.snippet.authorDisplayName;
          replies.set(comment.id, {
            remoteId: comment.id,
            parentRemoteId: parent,
            threadRemoteId: top.id,
            text: comment.snippet.textDisplay ?? '',
            author: name ? (name.startsWith('@') ? { handle: name.slice(1) } : { name }) : {},
            repliedAt: new Date(Date.parse(comment.snippet.publishedAt)).toISOString(),
            hidden,
          });
        };
        add(top, post.remoteId);
        const inline = thread.replies?.comments ?? [];
        const all =
          !hidden && (thread.snippet.totalReplyCount ?? 0) > inline.length
            ? await repliesTo(top.id, context, context.beforeRead)
            : inline;
        for (const reply of all) add(reply, reply.snippet.parentId ?? top.id);
      }
    };
    await read(undefined);
    if (context.hiddenRemoteIds.length > 0) await read('heldForReview');
    return [...replies.values()];
  },

  async answer(request, context) {
    await context.clearToPublish();
    const response = await httpRequest({
      method: 'POST',
      url: `${context.baseUrl}/youtube/v3/comments?part=snippet`,
      headers: { authorization: bearer(context) },
      body: { snippet: { parentId: answerUnder(request), textOriginal: request.text } },
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    });
    if (response.status >= 300) throw youtubeError(response, 'answer comment');
    const created = parseAnswer(response, Comment, answerOf(context, 'answer comment'));
    return { remoteId: created.id, threadRootId: request.answerTo.post.remoteId };
  },

  async findAnswer(request, context) {
    const replies = await repliesTo(answerUnder(request), context, async () => undefined);
    const own = replies.find(
      (reply) =>
        reply.snippet.authorChannelId?.value !== undefined &&
        reply.snippet.authorChannelId.value === reply.snippet.channelId &&
        (reply.snippet.textDisplay ?? '').includes(request.marker),
    );
    return own ? { remoteId: own.id, threadRootId: request.answerTo.post.remoteId } : null;
  },

  async setHidden(reply, _post, hidden, context) {
    const response = await httpRequest({
      method: 'POST',
      url: `${context.baseUrl}/youtube/v3/comments/setModerationStatus?${query({
        id: reply.remoteId,
        moderationStatus: hidden ? 'heldForReview' : 'published',
      })}`,
      headers: { authorization: bearer(context) },
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    });
    if (response.status >= 300) throw youtubeError(response, hidden ? 'hide comment' : 'show comment');
    checkAnswer(response, answerOf(context, 'set moderation status'));
  },
};

export const youtubeClient: PlatformClient = {
  platform: 'youtube',
  replies: youtubeReplies,

  async publish(request, context) {
    const video = request.media.find((media) => media.mime.startsWith('video/'));
    if (!video) throw new PlatformError('permanent', 'YouTube needs a video', { code: 'video-required' });
    const { bytes, mime } = await downloadMedia(video, {
      fetch: context.fetch,
      timeoutMs: 10 * 60_000,
      maxBytes: PLATFORMS.youtube.media.maxVideoBytes,
    });
    const size = String(bytes.byteLength);

    // An earlier attempt's session is resumed where it stopped; only an expired one is replaced.
    let uploadUrl = request.checkpoint.uploadUrl;
    let offset = 0;
    if (uploadUrl && request.checkpoint.uploadSize === size) {
      const session = await querySession(context, uploadUrl, size);
      if (session.kind === 'complete') return session.result;
      if (session.kind === 'incomplete') offset = session.received;
      else uploadUrl = undefined;
    } else {
      uploadUrl = undefined;
    }
    if (!uploadUrl) {
      uploadUrl = await openUploadSession(context, request, video, bytes.byteLength);
      await context.saveCheckpoint({ ...request.checkpoint, uploadUrl, uploadSize: size });
    }

    // The bytes make the video: once they are on their way, a lost answer means "look first".
    await context.clearToPublish();
    const response = await httpRequest({
      method: 'PUT',
      url: uploadUrl,
      headers: {
        authorization: bearer(context),
        'content-type': mime,
        ...(offset > 0 ? { 'content-range': `bytes ${offset}-${bytes.byteLength - 1}/${size}` } : {}),
      },
      body: bytes.subarray(offset),
      fetch: context.fetch,
      timeoutMs: Math.max(context.timeoutMs ?? 0, 10 * 60_000),
    });
    // 308 here means the upload stopped short; the next attempt resumes the same session.
    if (response.status === 308)
      throw new PlatformError('retryable', 'the upload stopped before the last byte', { code: 'upload-incomplete' });
    if (response.status >= 300) throw youtubeError(response, 'upload video');
    return result(parseAnswer(response, VideoAnswer, answerOf(context, 'upload video')).id);
  },

  async findPublished(request, context) {
    const { uploadUrl, uploadSize } = request.checkpoint;
    // The session is saved before any byte is sent: without one, no video can exist.
    if (!uploadUrl || !uploadSize) return null;
    const session = await querySession(context, uploadUrl, uploadSize);
    return session.kind === 'complete' ? session.result : null;
  },

  async followerCount(context) {
    const channels = await get(
      context,
      '/youtube/v3/channels?part=statistics&mine=true',
      'read subscribers',
      ChannelsAnswer,
    );
    const count = Number(channels.items?.[0]?.statistics.subscriberCount);
    if (!Number.isFinite(count))
      throw new PlatformError('permanent', 'channels.list answered without a subscriberCount (hidden or no channel)');
    return count;
  },
};

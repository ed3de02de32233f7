/**
 * X (API v2).
 *
 * Credentials: `{ accessToken }`, an OAuth 2.0 user-context token with the scopes
 * `tweet.read tweet.write users.read media.write`.
 * `channel.account`: the account's username without `@` (used for the post URL
 * `https://x.com/<username>/status/<id>`).
 *
 * Publishing is `POST /2/tweets` (`text`, `reply.in_reply_to_tweet_id`, `media.media_ids`); media go
 * up first through `POST /2/media/upload` (base64 in a JSON body) and get their alt text through
 * `POST /2/media/metadata`. Length is X's weighted count, measured with twitter-text.
 */
import twitterText from 'twitter-text';
import type { Media } from '../../model/schemas';
import { PlatformError, type PlatformClient, type PlatformContext, type PublishRequest, type PublishResult } from '../client';
import { httpRequest, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';
import { downloadMedia } from './media-download';

export interface XLength {
  /** X's weighted length: URLs 23, CJK and most emoji 2, everything else 1 */
  weightedLength: number;
  valid: boolean;
  limit: number;
}

/** Measure a text the way X does (twitter-text's default configuration, 280 weighted). */
export function measureX(text: string): XLength {
  const parsed = twitterText.parseTweet(text);
  return { weightedLength: parsed.weightedLength, valid: parsed.valid, limit: PLATFORMS.x.text.limit };
}

/** The X error codes that mean "rate limited" (88) and "duplicate content" (187). */
const RATE_LIMIT_CODE = 88;
const DUPLICATE_CODE = 187;

interface XErrorBody {
  title?: string;
  detail?: string;
  type?: string;
  status?: number;
  errors?: { code?: number; message?: string }[];
}

/** Sort an X error response into the publisher's classes. */
export function xError(response: HttpResponse, action: string, now = Date.now()): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as XErrorBody;
  const codes = (body.errors ?? []).map((error) => error.code);
  const detail = safeDetail(body.detail ?? body.errors?.[0]?.message ?? body.title ?? response.body);
  const message = `${action}: HTTP ${response.status} ${detail}`;
  if (response.status === 429 || codes.includes(RATE_LIMIT_CODE)) {
    return new PlatformError('rate-limited', message, { code: codes.includes(RATE_LIMIT_CODE) ? RATE_LIMIT_CODE : 429, retryAfterSeconds: xResetSeconds(response.headers, now) });
  }
  if (response.status === 401) return new PlatformError('auth', message, { code: 401 });
  if (codes.includes(DUPLICATE_CODE) || /duplicate/i.test(detail)) return new PlatformError('permanent', message, { code: DUPLICATE_CODE });
  if (response.status === 403) {
    // Text too long or a reply into a conversation the account may not join are about this post; any other 403 is the token's scopes or the app's access.
    if (/too long|reply|replying|conversation/i.test(detail)) return new PlatformError('permanent', message, { code: 403 });
    return new PlatformError('auth', message, { code: 403 });
  }
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code: response.status });
  return new PlatformError('permanent', message, { code: response.status });
}

/** Seconds until the window that ran out resets: the per-user 24 h cap wins over the 15 min endpoint window. */
function xResetSeconds(headers: Headers, now: number): number | undefined {
  const dailySpent = headers.get('x-user-limit-24hour-remaining') === '0';
  const reset = Number((dailySpent && headers.get('x-user-limit-24hour-reset')) || headers.get('x-rate-limit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil(reset - now / 1000));
  return retryAfterSeconds(headers, now);
}

function authHeaders(context: PlatformContext): Record<string, string> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'X credentials have no accessToken');
  return { authorization: `Bearer ${token}` };
}

async function call(context: PlatformContext, method: 'GET' | 'POST', path: string, action: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
  const response = await httpRequest({
    method,
    url: `${context.baseUrl}${path}`,
    headers: authHeaders(context),
    body,
    fetch: context.fetch,
    timeoutMs: timeoutMs ?? context.timeoutMs,
  });
  if (response.status >= 300) throw xError(response, action);
  return response.body;
}

const MEDIA_CATEGORY: Record<string, string> = { 'image/gif': 'tweet_gif', 'video/mp4': 'tweet_video', 'video/quicktime': 'tweet_video' };

async function uploadMedia(media: Media, context: PlatformContext): Promise<string> {
  const isVideo = media.mime.startsWith('video/');
  const { bytes } = await downloadMedia(media, { fetch: context.fetch, maxBytes: isVideo ? PLATFORMS.x.media.maxVideoBytes : PLATFORMS.x.media.maxImageBytes });
  const uploaded = (await call(
    context,
    'POST',
    '/2/media/upload',
    'media upload',
    { media: Buffer.from(bytes).toString('base64'), media_category: MEDIA_CATEGORY[media.mime] ?? 'tweet_image', media_type: media.mime },
    60_000,
  )) as { data?: { id?: string } };
  const mediaId = uploaded.data?.id;
  if (!mediaId) throw new PlatformError('retryable', 'media upload answered without a media id');
  if (!isVideo) {
    await call(context, 'POST', '/2/media/metadata', 'media alt text', { id: mediaId, metadata: { alt_text: { text: media.altText.slice(0, PLATFORMS.x.media.maxAltText) } } });
  }
  return mediaId;
}

function postUrl(context: PlatformContext, id: string): string {
  return `https://x.com/${context.channel.account.replace(/^@/, '')}/status/${id}`;
}

function result(context: PlatformContext, id: string, request: PublishRequest): PublishResult {
  return { remoteId: id, remoteUrl: postUrl(context, id), threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : id };
}

export const xClient: PlatformClient = {
  platform: 'x',

  async publish(request, context) {
    const length = measureX(request.text);
    if (!length.valid) {
      throw new PlatformError('permanent', `text is ${length.weightedLength} weighted characters, X allows ${length.limit}`, { code: 'text-too-long' });
    }
    if (request.media.length > PLATFORMS.x.media.maxItems) {
      throw new PlatformError('permanent', `X takes at most ${PLATFORMS.x.media.maxItems} media per post`, { code: 'too-many-media' });
    }
    const mediaIds: string[] = [];
    for (const media of request.media) mediaIds.push(await uploadMedia(media, context));

    const body: Record<string, unknown> = { text: request.text };
    if (request.replyTo) body.reply = { in_reply_to_tweet_id: request.replyTo.remoteId };
    if (mediaIds.length > 0) body.media = { media_ids: mediaIds };

    const created = (await call(context, 'POST', '/2/tweets', 'create post', body)) as { data?: { id?: string } };
    const id = created.data?.id;
    if (!id) throw new PlatformError('ambiguous', 'create post answered without a post id');
    return result(context, id, request);
  },

  async findPublished(request, context) {
    const me = (await call(context, 'GET', '/2/users/me', 'look up account')) as { data?: { id?: string } };
    const userId = me.data?.id;
    if (!userId) throw new PlatformError('retryable', 'account lookup answered without a user id');
    // The most one page holds: a busy account may post many times between a lost answer and this lookup.
    const timeline = (await call(context, 'GET', `/2/users/${encodeURIComponent(userId)}/tweets?max_results=100&tweet.fields=created_at`, 'list recent posts')) as {
      data?: { id: string; text: string }[];
    };
    const match = (timeline.data ?? []).find((post) => post.text.includes(request.marker));
    return match ? result(context, match.id, request) : null;
  },

  async followerCount(context) {
    const me = (await call(context, 'GET', '/2/users/me?user.fields=public_metrics', 'read followers')) as {
      data?: { public_metrics?: { followers_count?: number } };
    };
    const count = me.data?.public_metrics?.followers_count;
    if (typeof count !== 'number') throw new PlatformError('retryable', 'account lookup answered without public_metrics.followers_count');
    return count;
  },
};

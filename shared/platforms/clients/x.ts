/**
 * X (API v2).
 *
 * Credentials: `{ accessToken }`, an OAuth 2.0 user-context token with the scopes
 * `tweet.read tweet.write users.read media.write`.
 * `channel.account`: the account's numeric user id (informational: lookups ask `/2/users/me`, the
 * token's own account); `channel.handle` (`@name`) gives the post URL `https://x.com/<name>/status/<id>`.
 *
 * Publishing is `POST /2/tweets` (`text`, `reply.in_reply_to_tweet_id`, `media.media_ids`). Media go
 * up first: still images through `POST /2/media/upload` (base64 in a JSON body), GIFs and videos
 * through the chunked `initialize` / `append` / `finalize` flow, waiting while X processes them;
 * images and GIFs get their alt text through `POST /2/media/metadata`. Length is X's weighted count,
 * measured with twitter-text. The classification of X's errors and the token refresh are in ./x-api.ts.
 */
import twitterText from 'twitter-text';
import * as z from 'zod';
import type { Media } from '../../model/schemas';
import {
  PlatformError,
  type PlatformClient,
  type PlatformContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { checkAnswer, httpRequest, parseAnswer, safeDetail } from '../http';
import { PLATFORMS } from '../registry';
import { refreshXToken, xError } from './x-api';
import { findSince, markSent, sentWindowStart } from './marker-lookup';
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

function authHeaders(context: PlatformContext): Record<string, string> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'X credentials have no accessToken');
  return { authorization: `Bearer ${token}` };
}

/** Answers as the X API v2 documents them, only the fields Herold reads. */
const ProcessingInfo = z.looseObject({
  state: z.enum(['pending', 'in_progress', 'succeeded', 'failed']),
  check_after_secs: z.number().optional(),
  error: z.looseObject({ message: z.string().optional() }).optional(),
});
const MediaAnswer = z.looseObject({
  data: z.looseObject({ id: z.string(), processing_info: ProcessingInfo.optional() }),
});
type MediaState = z.infer<typeof MediaAnswer>['data'];
const MediaStatusAnswer = z.looseObject({ data: z.looseObject({ processing_info: ProcessingInfo.optional() }) });
const CreatedPostAnswer = z.looseObject({ data: z.looseObject({ id: z.string() }) });
const MeAnswer = z.looseObject({ data: z.looseObject({ id: z.string() }) });
/** `data` is left out when the timeline has no posts; `meta` is always there. */
const TimelineAnswer = z.looseObject({
  data: z.array(z.looseObject({ id: z.string(), text: z.string(), created_at: z.string() })).optional(),
  meta: z.looseObject({ next_token: z.string().optional() }),
});
const FollowersAnswer = z.looseObject({
  data: z.looseObject({ public_metrics: z.looseObject({ followers_count: z.number() }) }),
});

/** One call; a successful answer is parsed with `answer` (none: the answer is not used). */
async function call<T = undefined>(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  action: string,
  options: { answer?: z.ZodType<T>; body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const response = await httpRequest({
    method,
    url: `${context.baseUrl}${path}`,
    headers: authHeaders(context),
    body: options.body,
    fetch: context.fetch,
    timeoutMs: options.timeoutMs ?? context.timeoutMs,
  });
  if (response.status >= 300) throw xError(response, action);
  const source = { platform: 'X', call: action, secrets: context.credentials };
  if (options.answer) return parseAnswer(response, options.answer, source);
  checkAnswer(response, source);
  return undefined as T;
}

/** GIFs and videos go through the chunked upload; still images in one request. */
const CHUNKED_CATEGORY: Record<string, string> = {
  'image/gif': 'tweet_gif',
  'video/mp4': 'tweet_video',
  'video/quicktime': 'tweet_video',
};
const CHUNK_BYTES = 4 * 1024 * 1024;
/** How long a publish waits for X to process a video before it gives up and retries later. */
const PROCESSING_BUDGET_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function uploadChunked(
  context: PlatformContext,
  bytes: Uint8Array,
  mime: string,
  category: string,
): Promise<string> {
  const initialized = await call(context, 'POST', '/2/media/upload/initialize', 'media upload init', {
    answer: MediaAnswer,
    body: { media_type: mime, total_bytes: bytes.byteLength, media_category: category },
  });
  const mediaId = initialized.data.id;
  for (let offset = 0, segment = 0; offset < bytes.byteLength; offset += CHUNK_BYTES, segment += 1) {
    const chunk = Buffer.from(bytes.subarray(offset, offset + CHUNK_BYTES)).toString('base64');
    await call(context, 'POST', `/2/media/upload/${mediaId}/append`, 'media upload append', {
      body: { media: chunk, segment_index: segment },
      timeoutMs: 60_000,
    });
  }
  let state: Pick<MediaState, 'processing_info'> = (
    await call(context, 'POST', `/2/media/upload/${mediaId}/finalize`, 'media upload finalize', {
      answer: MediaAnswer,
    })
  ).data;
  const deadline = Date.now() + PROCESSING_BUDGET_MS;
  while (state.processing_info && state.processing_info.state !== 'succeeded') {
    if (state.processing_info.state === 'failed') {
      throw new PlatformError(
        'permanent',
        `X could not process the media: ${safeDetail(state.processing_info.error?.message ?? 'failed')}`,
        { code: 'media-processing-failed' },
      );
    }
    const wait = Math.max(1, state.processing_info.check_after_secs ?? 1) * 1000;
    if (Date.now() + wait > deadline)
      throw new PlatformError('retryable', 'X is still processing the media', { code: 'media-processing' });
    await sleep(wait);
    state = (
      await call(context, 'GET', `/2/media/upload?command=STATUS&media_id=${mediaId}`, 'media upload status', {
        answer: MediaStatusAnswer,
      })
    ).data;
  }
  return mediaId;
}

async function uploadMedia(media: Media, context: PlatformContext): Promise<string> {
  const isVideo = media.mime.startsWith('video/');
  const { bytes } = await downloadMedia(media, {
    fetch: context.fetch,
    maxBytes: isVideo ? PLATFORMS.x.media.maxVideoBytes : PLATFORMS.x.media.maxImageBytes,
  });
  const category = CHUNKED_CATEGORY[media.mime];
  let mediaId: string;
  if (category) {
    mediaId = await uploadChunked(context, bytes, media.mime, category);
  } else {
    const body = {
      media: Buffer.from(bytes).toString('base64'),
      media_category: 'tweet_image',
      media_type: media.mime,
    };
    mediaId = (
      await call(context, 'POST', '/2/media/upload', 'media upload', { answer: MediaAnswer, body, timeoutMs: 60_000 })
    ).data.id;
  }
  // X stores alt text for images and GIFs.
  if (!isVideo) {
    await call(context, 'POST', '/2/media/metadata', 'media alt text', {
      body: { id: mediaId, metadata: { alt_text: { text: media.altText.slice(0, PLATFORMS.x.media.maxAltText) } } },
    });
  }
  return mediaId;
}

function postUrl(context: PlatformContext, id: string): string {
  return `https://x.com/${context.channel.handle.replace(/^@/, '')}/status/${id}`;
}

function result(context: PlatformContext, id: string, request: PublishRequest): PublishResult {
  return {
    remoteId: id,
    remoteUrl: postUrl(context, id),
    threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : id,
  };
}

export const xClient: PlatformClient = {
  platform: 'x',

  async refreshCredentials(context) {
    const tokens = await refreshXToken(context);
    const now = Date.now();
    return {
      ...context.credentials,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(now + tokens.expiresInSeconds * 1000).toISOString(),
      refreshedAt: new Date(now).toISOString(),
    };
  },

  async publish(request, context) {
    const length = measureX(request.text);
    if (!length.valid) {
      throw new PlatformError(
        'permanent',
        `text is ${length.weightedLength} weighted characters, X allows ${length.limit}`,
        { code: 'text-too-long' },
      );
    }
    if (request.media.length > PLATFORMS.x.media.maxItems) {
      throw new PlatformError('permanent', `X takes at most ${PLATFORMS.x.media.maxItems} media per post`, {
        code: 'too-many-media',
      });
    }
    const mediaIds: string[] = [];
    for (const media of request.media) mediaIds.push(await uploadMedia(media, context));

    const body: Record<string, unknown> = { text: request.text };
    if (request.replyTo) body.reply = { in_reply_to_tweet_id: request.replyTo.remoteId };
    if (mediaIds.length > 0) body.media = { media_ids: mediaIds };

    await context.clearToPublish();
    await markSent(request, context);
    const created = await call(context, 'POST', '/2/tweets', 'create post', { answer: CreatedPostAnswer, body });
    return result(context, created.data.id, request);
  },

  async findPublished(request, context) {
    const since = sentWindowStart(request);
    if (since === undefined) return null;
    const userId = (await call(context, 'GET', '/2/users/me', 'look up account', { answer: MeAnswer })).data.id;
    // start_time limits the timeline to posts from the attempt on; X answers newest first.
    const startTime = new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const match = await findSince(
      request,
      since,
      async (cursor) => {
        const query = new URLSearchParams({
          max_results: '100',
          'tweet.fields': 'created_at',
          start_time: startTime,
          ...(cursor ? { pagination_token: cursor } : {}),
        });
        const page = await call(
          context,
          'GET',
          `/2/users/${encodeURIComponent(userId)}/tweets?${query.toString()}`,
          'list recent posts',
          { answer: TimelineAnswer },
        );
        return {
          posts: (page.data ?? []).map((post) => ({
            id: post.id,
            text: post.text,
            createdAtMs: Date.parse(post.created_at),
          })),
          next: page.meta.next_token,
        };
      },
      { newestFirst: true },
    );
    return match ? result(context, match.id, request) : null;
  },

  async followerCount(context) {
    const me = await call(context, 'GET', '/2/users/me?user.fields=public_metrics', 'read followers', {
      answer: FollowersAnswer,
    });
    return me.data.public_metrics.followers_count;
  },
};

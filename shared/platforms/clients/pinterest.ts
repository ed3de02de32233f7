/**
 * Pinterest (API v5).
 *
 * Credentials: `{ accessToken }`, an OAuth 2.0 user token with `pins:write`, `pins:read`,
 * `boards:read` and `user_accounts:read`.
 * `channel.account`: the id of the board the pins go to.
 *
 * Publishing is `POST /v5/pins`. An image is given by URL (`media_source.source_type: image_url`) and
 * Pinterest fetches it itself; a video is registered (`POST /v5/media`), posted with its form fields
 * to the returned upload URL, and used once `GET /v5/media/{id}` reports it processed
 * (`source_type: video_id`). A pin needs one of them: a message without never reaches this client.
 */
import * as z from 'zod';
import type { Media } from '../../model/schemas';
import { PlatformError, type PlatformClient, type PlatformContext, type PublishResult } from '../client';
import { checkAnswer, httpRequest, parseAnswer, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { refreshWithGrant } from '../oauth-refresh';
import { PLATFORMS } from '../registry';
import { findSince, markSent, sentWindowStart } from './marker-lookup';
import { downloadMedia } from './media-download';

/** Field limits of the Pin create schema. */
export const PIN_LIMITS = {
  title: 100,
  description: PLATFORMS.pinterest.text.limit,
  altText: PLATFORMS.pinterest.media.maxAltText,
  link: 2048,
} as const;

/** Answers as the API v5 reference documents them, only the fields Herold reads. */
const MediaUploadAnswer = z.looseObject({
  media_id: z.string(),
  upload_url: z.string(),
  upload_parameters: z.record(z.string(), z.string()).optional(),
});
const MediaStatusAnswer = z.looseObject({ status: z.string() });
const PinAnswer = z.looseObject({ id: z.string() });
const BoardPinsAnswer = z.looseObject({
  items: z.array(z.looseObject({ id: z.string(), description: z.string().nullish(), created_at: z.string() })),
  bookmark: z.string().nullish(),
});
const AccountAnswer = z.looseObject({ follower_count: z.number() });

/** Sort a Pinterest error (`{ code, message }`) into the publisher's classes. */
export function pinterestError(response: HttpResponse, action: string): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as {
    code?: number;
    message?: string;
  };
  const code = body.code ?? response.status;
  const message = `${action}: HTTP ${response.status} ${safeDetail(body.message ?? response.body)}`;
  if (response.status === 429)
    return new PlatformError('rate-limited', message, { code, retryAfterSeconds: retryAfterSeconds(response.headers) });
  if (response.status === 401 || response.status === 403) return new PlatformError('auth', message, { code });
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code });
  return new PlatformError('permanent', message, { code });
}

async function call<T>(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  action: string,
  answer: z.ZodType<T>,
  body?: unknown,
): Promise<T> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'Pinterest credentials have no accessToken');
  const response = await httpRequest({
    method,
    url: `${context.baseUrl}${path}`,
    headers: { authorization: `Bearer ${token}` },
    body,
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status >= 300) throw pinterestError(response, action);
  return parseAnswer(response, answer, { platform: 'Pinterest', call: action, secrets: context.credentials });
}

/** Cut at a character boundary (code points, never half a surrogate pair) and mark the cut. */
function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** The pin title: the text's first line, as a headline. */
export function pinTitle(text: string): string {
  return fit((text.split('\n').find((line) => line.trim().length > 0) ?? '').trim(), PIN_LIMITS.title);
}

const VIDEO_POLL_MS = 1000;
/** How long a publish waits for Pinterest to process a video before it retries later. */
const VIDEO_PROCESSING_BUDGET_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A multipart form as bytes, so it goes through the same HTTP layer as every other request. */
async function encodeForm(
  fields: Record<string, string>,
  file: { bytes: Uint8Array; mime: string; name: string },
): Promise<{ body: Uint8Array; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mime }), file.name);
  const encoded = new Request('http://form.invalid/', { method: 'POST', body: form });
  return {
    body: new Uint8Array(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
  };
}

/** Register the upload, POST the file to the returned storage URL with its form fields, wait until processed. */
async function uploadVideo(context: PlatformContext, video: Media): Promise<string> {
  const { bytes, mime } = await downloadMedia(video, {
    fetch: context.fetch,
    timeoutMs: 10 * 60_000,
    maxBytes: PLATFORMS.pinterest.media.maxVideoBytes,
  });
  const registered = await call(context, 'POST', '/v5/media', 'register video upload', MediaUploadAnswer, {
    media_type: 'video',
  });
  const form = await encodeForm(registered.upload_parameters ?? {}, { bytes, mime, name: 'video.mp4' });
  const uploaded = await httpRequest({
    method: 'POST',
    url: registered.upload_url,
    headers: { 'content-type': form.contentType },
    body: form.body,
    fetch: context.fetch,
    timeoutMs: 10 * 60_000,
  });
  if (uploaded.status >= 300) {
    // No pin exists yet, so every failure here may be retried; only a refused file is permanent.
    const detail = `video upload: HTTP ${uploaded.status} ${safeDetail(uploaded.body)}`;
    if (uploaded.status === 429)
      throw new PlatformError('rate-limited', detail, {
        code: `upload-${uploaded.status}`,
        retryAfterSeconds: retryAfterSeconds(uploaded.headers),
      });
    // 403 from the storage host: the signed upload URL expired; the next attempt registers a new one
    const transient = uploaded.status >= 500 || uploaded.status === 408 || uploaded.status === 403;
    throw new PlatformError(transient ? 'retryable' : 'permanent', detail, { code: `upload-${uploaded.status}` });
  }
  checkAnswer(uploaded, { platform: 'Pinterest', call: 'video upload', secrets: context.credentials });
  const deadline = Date.now() + VIDEO_PROCESSING_BUDGET_MS;
  for (;;) {
    const media = await call(
      context,
      'GET',
      `/v5/media/${encodeURIComponent(registered.media_id)}`,
      'video status',
      MediaStatusAnswer,
    );
    if (media.status === 'succeeded') return registered.media_id;
    if (media.status === 'failed')
      throw new PlatformError('permanent', 'Pinterest could not process the video', { code: 'media-failed' });
    if (Date.now() + VIDEO_POLL_MS > deadline)
      throw new PlatformError('retryable', 'Pinterest is still processing the video', { code: 'media-processing' });
    await sleep(VIDEO_POLL_MS);
  }
}

const result = (id: string): PublishResult => ({
  remoteId: id,
  remoteUrl: `https://www.pinterest.com/pin/${id}/`,
  threadRootId: id,
});

export const pinterestClient: PlatformClient = {
  platform: 'pinterest',

  /** POST /v5/oauth/token (HTTP Basic), grant_type=refresh_token: the answer's new refresh token is stored */
  refreshCredentials: (context) =>
    refreshWithGrant(context, { platform: 'Pinterest', url: `${context.baseUrl}/v5/oauth/token`, clientAuth: 'basic' }),

  async publish(request, context) {
    const media = request.media[0];
    if (!media) throw new PlatformError('permanent', 'a pin needs an image or a video', { code: 'media-required' });
    if ([...request.text].length > PIN_LIMITS.description) {
      throw new PlatformError(
        'permanent',
        `text is longer than the ${PIN_LIMITS.description} characters of a pin description`,
        { code: 'text-too-long' },
      );
    }
    const pin: Record<string, unknown> = {
      board_id: context.channel.account,
      title: pinTitle(request.text),
      description: request.text,
      alt_text: fit(media.altText, PIN_LIMITS.altText),
      media_source: media.mime.startsWith('video/')
        ? { source_type: 'video_id', media_id: await uploadVideo(context, media), cover_image_key_frame_time: 0 }
        : { source_type: 'image_url', url: media.url },
    };
    if (request.link && request.link.length <= PIN_LIMITS.link) pin.link = request.link;
    await context.clearToPublish();
    await markSent(request, context);
    return result((await call(context, 'POST', '/v5/pins', 'create pin', PinAnswer, pin)).id);
  },

  async findPublished(request, context) {
    const since = sentWindowStart(request);
    if (since === undefined) return null;
    const board = encodeURIComponent(context.channel.account);
    // A board's order can be rearranged by hand, so every page is read.
    const match = await findSince(
      request,
      since,
      async (cursor) => {
        const query = new URLSearchParams({ page_size: '250', ...(cursor ? { bookmark: cursor } : {}) });
        const listed = await call(
          context,
          'GET',
          `/v5/boards/${board}/pins?${query.toString()}`,
          'list recent pins',
          BoardPinsAnswer,
        );
        return {
          posts: listed.items.map((pin) => ({
            id: pin.id,
            text: pin.description ?? '',
            createdAtMs: Date.parse(pin.created_at),
          })),
          next: listed.bookmark ?? undefined,
        };
      },
      { newestFirst: false },
    );
    return match ? result(match.id) : null;
  },

  async followerCount(context) {
    return (await call(context, 'GET', '/v5/user_account', 'read followers', AccountAnswer)).follower_count;
  },
};

/**
 * Pinterest (API v5).
 *
 * Credentials: `{ accessToken }`, an OAuth 2.0 user token with `pins:write`, `pins:read`,
 * `boards:read` and `user_accounts:read`.
 * `channel.account`: the id of the board the pins go to.
 *
 * Publishing is `POST /v5/pins` with the image given by URL (`media_source.source_type: image_url`);
 * Pinterest fetches it itself. A pin needs an image: a message without one never reaches this client.
 */
import { PlatformError, type PlatformClient, type PlatformContext, type PublishResult } from '../client';
import { httpRequest, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';

/** Field limits of the Pin create schema. */
export const PIN_LIMITS = { title: 100, description: PLATFORMS.pinterest.text.limit, altText: PLATFORMS.pinterest.media.maxAltText, link: 2048 } as const;

/** Sort a Pinterest error (`{ code, message }`) into the publisher's classes. */
export function pinterestError(response: HttpResponse, action: string): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { code?: number; message?: string };
  const code = body.code ?? response.status;
  const message = `${action}: HTTP ${response.status} ${safeDetail(body.message ?? response.body)}`;
  if (response.status === 429) return new PlatformError('rate-limited', message, { code, retryAfterSeconds: retryAfterSeconds(response.headers) });
  if (response.status === 401 || response.status === 403) return new PlatformError('auth', message, { code });
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code });
  return new PlatformError('permanent', message, { code });
}

async function call(context: PlatformContext, method: 'GET' | 'POST', path: string, action: string, body?: unknown): Promise<unknown> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'Pinterest credentials have no accessToken');
  const response = await httpRequest({ method, url: `${context.baseUrl}${path}`, headers: { authorization: `Bearer ${token}` }, body, fetch: context.fetch, timeoutMs: context.timeoutMs });
  if (response.status >= 300) throw pinterestError(response, action);
  return response.body;
}

/** Cut at a character boundary (code points, never half a surrogate pair) and mark the cut. */
function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The pin title: the text's first line, as a headline. */
export function pinTitle(text: string): string {
  return fit((text.split('\n').find((line) => line.trim().length > 0) ?? '').trim(), PIN_LIMITS.title);
}

const result = (id: string): PublishResult => ({ remoteId: id, remoteUrl: `https://www.pinterest.com/pin/${id}/`, threadRootId: id });

export const pinterestClient: PlatformClient = {
  platform: 'pinterest',

  async publish(request, context) {
    const image = request.media[0];
    if (!image) throw new PlatformError('permanent', 'a pin needs an image', { code: 'media-required' });
    if (!image.mime.startsWith('image/')) {
      throw new PlatformError('unsupported', 'Herold publishes image pins; video pins are not supported', { code: 'video-unsupported' });
    }
    if ([...request.text].length > PIN_LIMITS.description) {
      throw new PlatformError('permanent', `text is longer than the ${PIN_LIMITS.description} characters of a pin description`, { code: 'text-too-long' });
    }
    const pin: Record<string, unknown> = {
      board_id: context.channel.account,
      title: pinTitle(request.text),
      description: request.text,
      alt_text: fit(image.altText, PIN_LIMITS.altText),
      media_source: { source_type: 'image_url', url: image.url },
    };
    if (request.link && request.link.length <= PIN_LIMITS.link) pin.link = request.link;
    const created = (await call(context, 'POST', '/v5/pins', 'create pin', pin)) as { id?: string };
    if (!created.id) throw new PlatformError('ambiguous', 'create pin answered without an id');
    return result(created.id);
  },

  async findPublished(request, context) {
    const board = encodeURIComponent(context.channel.account);
    const listed = (await call(context, 'GET', `/v5/boards/${board}/pins?page_size=25`, 'list recent pins')) as { items?: { id: string; description?: string | null }[] };
    const match = (listed.items ?? []).find((pin) => (pin.description ?? '').includes(request.marker));
    return match ? result(match.id) : null;
  },

  async followerCount(context) {
    const account = (await call(context, 'GET', '/v5/user_account', 'read followers')) as { follower_count?: number };
    if (typeof account.follower_count !== 'number') throw new PlatformError('retryable', 'user_account answered without follower_count');
    return account.follower_count;
  },
};

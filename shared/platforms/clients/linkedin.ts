/**
 * LinkedIn (Community Management API, versioned `/rest` endpoints).
 *
 * Credentials: `{ accessToken }`, a 3-legged OAuth 2.0 token of a page admin with
 * `w_organization_social` and `r_organization_social` (and `rw_organization_admin` for followers).
 * `channel.account`: the organisation's numeric id; posts go out as `urn:li:organization:<id>`.
 *
 * Publishing is `POST /rest/posts`; images go up first (`POST /rest/images?action=initializeUpload`,
 * then a PUT of the bytes to the returned upload URL). The post URN comes back in the
 * `x-restli-id` header. Post text is "little text format": reserved characters are escaped.
 */
import type { Media } from '../../model/schemas';
import { PlatformError, type PlatformClient, type PlatformContext, type PublishRequest, type PublishResult } from '../client';
import { httpRequest, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';
import { downloadMedia } from './media-download';

/** The API version (YYYYMM) Herold is written against; LinkedIn keeps each version for a year. */
export const LINKEDIN_VERSION = '202610';

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/** Escape the characters little text format reserves, so the text shows as written. */
export function escapeCommentary(text: string): string {
  return text.replace(RESERVED, (char) => `\\${char}`);
}

/** The inverse, for comparing a post read back from the API. */
export function unescapeCommentary(text: string): string {
  return text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

export const organizationUrn = (account: string): string => (account.startsWith('urn:li:') ? account : `urn:li:organization:${account}`);

interface LinkedInErrorBody {
  message?: string;
  serviceErrorCode?: number;
  code?: string;
  status?: number;
}

/** Sort a LinkedIn error response into the publisher's classes. */
export function linkedinError(response: HttpResponse, action: string): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as LinkedInErrorBody;
  const code = body.code ?? body.serviceErrorCode ?? response.status;
  const message = `${action}: HTTP ${response.status} ${safeDetail(body.message ?? response.body)}`;
  if (response.status === 429) return new PlatformError('rate-limited', message, { code, retryAfterSeconds: retryAfterSeconds(response.headers) });
  // 403 is a missing permission or a token of someone who is no page admin: a person has to re-authorise.
  if (response.status === 401 || response.status === 403) return new PlatformError('auth', message, { code });
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code });
  return new PlatformError('permanent', message, { code });
}

function headers(context: PlatformContext, extra: Record<string, string> = {}): Record<string, string> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'LinkedIn credentials have no accessToken');
  return { authorization: `Bearer ${token}`, 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': '2.0.0', ...extra };
}

async function call(context: PlatformContext, method: 'GET' | 'POST', path: string, action: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<HttpResponse> {
  const response = await httpRequest({ method, url: `${context.baseUrl}${path}`, headers: headers(context, extraHeaders), body, fetch: context.fetch, timeoutMs: context.timeoutMs });
  if (response.status >= 300) throw linkedinError(response, action);
  return response;
}

async function uploadImage(context: PlatformContext, owner: string, media: Media): Promise<string> {
  const { bytes, mime } = await downloadMedia(media, { fetch: context.fetch, maxBytes: PLATFORMS.linkedin.media.maxImageBytes });
  const initialized = await call(context, 'POST', '/rest/images?action=initializeUpload', 'initialise image upload', { initializeUploadRequest: { owner } });
  const value = (initialized.body as { value?: { uploadUrl?: string; image?: string } } | undefined)?.value;
  if (!value?.uploadUrl || !value.image) throw new PlatformError('retryable', 'image upload was initialised without an upload URL');
  const uploaded = await httpRequest({
    method: 'PUT',
    url: value.uploadUrl,
    headers: { authorization: headers(context).authorization as string, 'content-type': mime },
    body: bytes,
    fetch: context.fetch,
    timeoutMs: 60_000,
  });
  // A repeated upload only replaces the bytes of an image no post uses yet, so a lost answer is safe to retry.
  if (uploaded.status >= 300) throw linkedinError(uploaded, 'upload image');
  return value.image;
}

async function mediaContent(context: PlatformContext, owner: string, request: PublishRequest): Promise<Record<string, unknown> | undefined> {
  if (request.media.length === 0) return undefined;
  if (request.media.some((media) => media.mime.startsWith('video/'))) {
    throw new PlatformError('unsupported', 'Herold publishes images to LinkedIn; video upload is not supported', { code: 'video-unsupported' });
  }
  if (request.media.length > PLATFORMS.linkedin.media.maxItems) {
    throw new PlatformError('permanent', `LinkedIn takes at most ${PLATFORMS.linkedin.media.maxItems} images per post`, { code: 'too-many-media' });
  }
  const images: { id: string; altText: string }[] = [];
  for (const media of request.media) {
    images.push({ id: await uploadImage(context, owner, media), altText: media.altText.slice(0, PLATFORMS.linkedin.media.maxAltText) });
  }
  return images.length === 1 ? { media: images[0] } : { multiImage: { images } };
}

function result(id: string): PublishResult {
  return { remoteId: id, remoteUrl: `https://www.linkedin.com/feed/update/${id}/`, threadRootId: id };
}

export const linkedinClient: PlatformClient = {
  platform: 'linkedin',

  async publish(request, context) {
    if (request.text.length > PLATFORMS.linkedin.text.limit) {
      throw new PlatformError('permanent', `text is ${request.text.length} characters, LinkedIn allows ${PLATFORMS.linkedin.text.limit}`, { code: 'text-too-long' });
    }
    const author = organizationUrn(context.channel.account);
    const post: Record<string, unknown> = {
      author,
      commentary: escapeCommentary(request.text),
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    };
    const content = await mediaContent(context, author, request);
    if (content) post.content = content;
    const response = await call(context, 'POST', '/rest/posts', 'create post', post);
    const id = response.headers.get('x-restli-id');
    if (!id) throw new PlatformError('ambiguous', 'create post answered without x-restli-id');
    return result(id);
  },

  async findPublished(request, context) {
    const author = encodeURIComponent(organizationUrn(context.channel.account));
    const response = await call(context, 'GET', `/rest/posts?author=${author}&q=author&count=20&sortBy=LAST_MODIFIED`, 'list recent posts', undefined, {
      'x-restli-method': 'FINDER',
    });
    const elements = (response.body as { elements?: { id: string; commentary?: string }[] } | undefined)?.elements ?? [];
    const match = elements.find((post) => unescapeCommentary(post.commentary ?? '').includes(request.marker));
    return match ? result(match.id) : null;
  },

  async followerCount(context) {
    const urn = encodeURIComponent(organizationUrn(context.channel.account));
    const response = await call(context, 'GET', `/rest/networkSizes/${urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`, 'read followers');
    const count = (response.body as { firstDegreeSize?: number } | undefined)?.firstDegreeSize;
    if (typeof count !== 'number') throw new PlatformError('retryable', 'networkSizes answered without firstDegreeSize');
    return count;
  },
};

/**
 * LinkedIn (Community Management API, versioned `/rest` endpoints).
 *
 * Credentials: `{ accessToken }`, a 3-legged OAuth 2.0 token of a page admin with
 * `w_organization_social` and `r_organization_social` (and `rw_organization_admin` for followers).
 * `channel.account`: the organisation's numeric id; posts go out as `urn:li:organization:<id>`.
 *
 * Publishing is `POST /rest/posts`; images go up first (`POST /rest/images?action=initializeUpload`,
 * then a PUT of the bytes to the returned upload URL), a video through the Videos API
 * (initializeUpload, a PUT per part, finalizeUpload, then waiting until it is AVAILABLE). The post URN comes back in the
 * `x-restli-id` header. Post text is "little text format": reserved characters are escaped.
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
import {
  checkAnswer,
  httpRequest,
  parseAnswer,
  retryAfterSeconds,
  safeDetail,
  unexpectedAnswer,
  type HttpResponse,
} from '../http';
import { PLATFORMS } from '../registry';
import { findSince, markSent, sentWindowStart } from './marker-lookup';
import { downloadMedia } from './media-download';

/** The API version (YYYYMM) Herold is written against; LinkedIn keeps each version for about a year. */
export const LINKEDIN_VERSION = '202605';

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/** Escape the characters little text format reserves, so the text shows as written. */
export function escapeCommentary(text: string): string {
  return text.replace(RESERVED, (char) => `\\${char}`);
}

/** The inverse, for comparing a post read back from the API. */
export function unescapeCommentary(text: string): string {
  return text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

export const organizationUrn = (account: string): string =>
  account.startsWith('urn:li:') ? account : `urn:li:organization:${account}`;

/** Answers as the Community Management API documents them, only the fields Herold reads. */
const ImageUploadAnswer = z.looseObject({ value: z.looseObject({ uploadUrl: z.string(), image: z.string() }) });
const VideoUploadAnswer = z.looseObject({
  value: z.looseObject({
    video: z.string(),
    uploadToken: z.string().optional(),
    uploadInstructions: z
      .array(z.looseObject({ uploadUrl: z.string(), firstByte: z.number(), lastByte: z.number() }))
      .min(1),
  }),
});
const VideoStatusAnswer = z.looseObject({ status: z.string() });
const PostsAnswer = z.looseObject({
  elements: z.array(z.looseObject({ id: z.string(), commentary: z.string().optional(), createdAt: z.number() })),
});
const NetworkSizeAnswer = z.looseObject({ firstDegreeSize: z.number() });

const read = <T>(context: PlatformContext, response: HttpResponse, answer: z.ZodType<T>, call: string): T =>
  parseAnswer(response, answer, { platform: 'LinkedIn', call, secrets: context.credentials });

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
  if (response.status === 429)
    return new PlatformError('rate-limited', message, { code, retryAfterSeconds: retryAfterSeconds(response.headers) });
  // 403 is a missing permission or a token of someone who is no page admin: a person has to re-authorise.
  if (response.status === 401 || response.status === 403) return new PlatformError('auth', message, { code });
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code });
  return new PlatformError('permanent', message, { code });
}

function headers(context: PlatformContext, extra: Record<string, string> = {}): Record<string, string> {
  const token = context.credentials.accessToken;
  if (!token) throw new PlatformError('auth', 'LinkedIn credentials have no accessToken');
  return {
    authorization: `Bearer ${token}`,
    'linkedin-version': LINKEDIN_VERSION,
    'x-restli-protocol-version': '2.0.0',
    ...extra,
  };
}

async function call(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  action: string,
  body?: unknown,
  extraHeaders?: Record<string, string>,
): Promise<HttpResponse> {
  const response = await httpRequest({
    method,
    url: `${context.baseUrl}${path}`,
    headers: headers(context, extraHeaders),
    body,
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status >= 300) throw linkedinError(response, action);
  return response;
}

async function uploadImage(context: PlatformContext, owner: string, media: Media): Promise<string> {
  const { bytes, mime } = await downloadMedia(media, {
    fetch: context.fetch,
    maxBytes: PLATFORMS.linkedin.media.maxImageBytes,
  });
  const initialized = await call(context, 'POST', '/rest/images?action=initializeUpload', 'initialise image upload', {
    initializeUploadRequest: { owner },
  });
  const { value } = read(context, initialized, ImageUploadAnswer, 'initialise image upload');
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
  checkAnswer(uploaded, { platform: 'LinkedIn', call: 'upload image', secrets: context.credentials });
  return value.image;
}

const VIDEO_POLL_MS = 1000;
/** How long a publish waits for LinkedIn to process a video before it retries later. */
const VIDEO_PROCESSING_BUDGET_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** initializeUpload → PUT each part (keeping its ETag) → finalizeUpload → wait until the video is AVAILABLE. */
async function uploadVideo(context: PlatformContext, owner: string, media: Media): Promise<string> {
  const { bytes } = await downloadMedia(media, {
    fetch: context.fetch,
    timeoutMs: 10 * 60_000,
    maxBytes: PLATFORMS.linkedin.media.maxVideoBytes,
  });
  const initialized = await call(context, 'POST', '/rest/videos?action=initializeUpload', 'initialise video upload', {
    initializeUploadRequest: { owner, fileSizeBytes: bytes.byteLength, uploadCaptions: false, uploadThumbnail: false },
  });
  const upload = read(context, initialized, VideoUploadAnswer, 'initialise video upload').value;
  const partIds: string[] = [];
  for (const part of upload.uploadInstructions) {
    const uploaded = await httpRequest({
      method: 'PUT',
      url: part.uploadUrl,
      headers: { authorization: headers(context).authorization as string, 'content-type': 'application/octet-stream' },
      body: bytes.subarray(part.firstByte, part.lastByte + 1),
      fetch: context.fetch,
      timeoutMs: 5 * 60_000,
    });
    if (uploaded.status >= 300) throw linkedinError(uploaded, 'upload video part');
    const etag = uploaded.headers.get('etag');
    if (!etag)
      throw unexpectedAnswer(
        uploaded,
        { platform: 'LinkedIn', call: 'upload video part', secrets: context.credentials },
        'expected an ETag header',
      );
    partIds.push(etag);
  }
  const finalized = await call(context, 'POST', '/rest/videos?action=finalizeUpload', 'finalise video upload', {
    finalizeUploadRequest: { video: upload.video, uploadToken: upload.uploadToken ?? '', uploadedPartIds: partIds },
  });
  checkAnswer(finalized, { platform: 'LinkedIn', call: 'finalise video upload', secrets: context.credentials });
  const deadline = Date.now() + VIDEO_PROCESSING_BUDGET_MS;
  for (;;) {
    const { status } = read(
      context,
      await call(context, 'GET', `/rest/videos/${encodeURIComponent(upload.video)}`, 'video status'),
      VideoStatusAnswer,
      'video status',
    );
    if (status === 'AVAILABLE') return upload.video;
    if (status === 'PROCESSING_FAILED')
      throw new PlatformError('permanent', 'LinkedIn could not process the video', { code: 'PROCESSING_FAILED' });
    if (Date.now() + VIDEO_POLL_MS > deadline)
      throw new PlatformError('retryable', 'LinkedIn is still processing the video', { code: 'video-processing' });
    await sleep(VIDEO_POLL_MS);
  }
}

async function mediaContent(
  context: PlatformContext,
  owner: string,
  request: PublishRequest,
): Promise<Record<string, unknown> | undefined> {
  if (request.media.length === 0) return undefined;
  const video = request.media.find((media) => media.mime.startsWith('video/'));
  if (video) {
    if (request.media.length > 1)
      throw new PlatformError('permanent', 'a LinkedIn post carries one video, without images', { code: 'media-mix' });
    return { media: { id: await uploadVideo(context, owner, video) } };
  }
  if (request.media.length > PLATFORMS.linkedin.media.maxItems) {
    throw new PlatformError(
      'permanent',
      `LinkedIn takes at most ${PLATFORMS.linkedin.media.maxItems} images per post`,
      { code: 'too-many-media' },
    );
  }
  const images: { id: string; altText: string }[] = [];
  for (const media of request.media) {
    images.push({
      id: await uploadImage(context, owner, media),
      altText: media.altText.slice(0, PLATFORMS.linkedin.media.maxAltText),
    });
  }
  return images.length === 1 ? { media: images[0] } : { multiImage: { images } };
}

function result(id: string): PublishResult {
  return { remoteId: id, remoteUrl: `https://www.linkedin.com/feed/update/${id}/`, threadRootId: id };
}

/**
 * A comment (Comments API, `socialActions/{urn}/comments`), only the fields Herold reads. The
 * actor is a member or organisation URN: LinkedIn names no one without the restricted profile
 * APIs, and Herold keeps no URN of a person, so a member's comment shows without a name.
 */
const LinkedInComment = z.looseObject({
  id: z.string().optional(),
  $URN: z.string().optional(),
  commentUrn: z.string().optional(),
  actor: z.string(),
  message: z.looseObject({ text: z.string() }).optional(),
  created: z.looseObject({ time: z.number() }),
  parentComment: z.string().optional(),
  commentsSummary: z
    .looseObject({ totalFirstLevelComments: z.number().optional(), aggregatedTotalComments: z.number().optional() })
    .optional(),
});
const CommentsAnswer = z.looseObject({
  paging: z.looseObject({ start: z.number(), count: z.number(), total: z.number().optional() }).optional(),
  elements: z.array(LinkedInComment),
});
const CreatedCommentAnswer = LinkedInComment.partial();

/** The most pages one listing reads (100 comments a page). */
const MAX_COMMENT_PAGES = 200;
const COMMENT_PAGE = 100;

const commentUrnOf = (comment: z.infer<typeof CreatedCommentAnswer>) => comment.$URN ?? comment.commentUrn;

/** Every comment on a post or a comment, page by page (start/count). */
async function commentsOn(
  context: PlatformContext,
  urn: string,
  beforeRead: () => Promise<void>,
): Promise<z.infer<typeof LinkedInComment>[]> {
  const all: z.infer<typeof LinkedInComment>[] = [];
  for (let page = 0; page < MAX_COMMENT_PAGES; page += 1) {
    await beforeRead();
    const start = page * COMMENT_PAGE;
    const answer = read(
      context,
      await call(
        context,
        'GET',
        `/rest/socialActions/${encodeURIComponent(urn)}/comments?start=${start}&count=${COMMENT_PAGE}`,
        'list comments',
      ),
      CommentsAnswer,
      'list comments',
    );
    all.push(...answer.elements);
    const total = answer.paging?.total;
    if (answer.elements.length < COMMENT_PAGE || (total !== undefined && start + COMMENT_PAGE >= total)) return all;
  }
  throw new PlatformError('permanent', `LinkedIn list comments: more than ${MAX_COMMENT_PAGES} pages`, {
    code: 'TOO_MANY_PAGES',
  });
}

/**
 * Replies: the comments on the post (Get Comments on Shares) and on its comments (Get Comments on
 * Comments); answers as the organisation (Create a Comment with `parentComment`). LinkedIn has no
 * way to hide a comment. Scopes r_organization_social and w_organization_social.
 */
const linkedinReplies: ReplyCapabilities = {
  async list(post, context) {
    const own = organizationUrn(context.channel.account);
    const replies: PlatformReply[] = [];
    const walk = async (urn: string, thread: string | undefined, depth: number) => {
      for (const comment of await commentsOn(context, urn, context.beforeRead)) {
        const id = commentUrnOf(comment);
        if (!id) continue;
        if (comment.actor !== own)
          replies.push({
            remoteId: id,
            parentRemoteId: comment.parentComment ?? urn,
            threadRemoteId: thread ?? id,
            text: comment.message?.text ?? '',
            author: {},
            repliedAt: new Date(comment.created.time).toISOString(),
            hidden: false,
          });
        const nested =
          comment.commentsSummary?.totalFirstLevelComments ?? comment.commentsSummary?.aggregatedTotalComments;
        if (depth === 0 && (nested ?? 0) > 0) await walk(id, thread ?? id, depth + 1);
      }
    };
    await walk(post.remoteId, undefined, 0);
    return replies;
  },

  async answer(request, context) {
    const actor = organizationUrn(context.channel.account);
    await context.clearToPublish();
    const response = await call(
      context,
      'POST',
      `/rest/socialActions/${encodeURIComponent(request.answerTo.post.remoteId)}/comments`,
      'answer comment',
      {
        actor,
        object: request.answerTo.post.remoteId,
        message: { text: request.text },
        parentComment: request.answerTo.reply.remoteId,
      },
    );
    const created = response.text.trim() ? read(context, response, CreatedCommentAnswer, 'answer comment') : {};
    const id = commentUrnOf(created) ?? response.headers.get('x-restli-id');
    if (!id)
      throw unexpectedAnswer(
        response,
        { platform: 'LinkedIn', call: 'answer comment', secrets: context.credentials },
        'expected the comment URN in the body or the x-restli-id header',
      );
    return { remoteId: id, threadRootId: request.answerTo.post.remoteId };
  },

  async findAnswer(request: AnswerRequest, context) {
    const own = organizationUrn(context.channel.account);
    const nested = await commentsOn(context, request.answerTo.reply.remoteId, async () => undefined);
    const found = nested.find(
      (comment) => comment.actor === own && (comment.message?.text ?? '').includes(request.marker),
    );
    const id = found && commentUrnOf(found);
    return id ? { remoteId: id, threadRootId: request.answerTo.post.remoteId } : null;
  },
};

export const linkedinClient: PlatformClient = {
  platform: 'linkedin',
  replies: linkedinReplies,

  async publish(request, context) {
    if (request.text.length > PLATFORMS.linkedin.text.limit) {
      throw new PlatformError(
        'permanent',
        `text is ${request.text.length} characters, LinkedIn allows ${PLATFORMS.linkedin.text.limit}`,
        { code: 'text-too-long' },
      );
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
    await context.clearToPublish();
    await markSent(request, context);
    const response = await call(context, 'POST', '/rest/posts', 'create post', post);
    // 201 Created with an empty body: the new post's URN is in the x-restli-id header
    const id = response.headers.get('x-restli-id');
    if (!id)
      throw unexpectedAnswer(
        response,
        { platform: 'LinkedIn', call: 'create post', secrets: context.credentials },
        'expected the post URN in the x-restli-id header',
      );
    return result(id);
  },

  async findPublished(request, context) {
    const since = sentWindowStart(request);
    if (since === undefined) return null;
    const author = encodeURIComponent(organizationUrn(context.channel.account));
    const PAGE = 100;
    const match = await findSince(
      request,
      since,
      async (cursor) => {
        const start = Number(cursor ?? 0);
        const response = await call(
          context,
          'GET',
          `/rest/posts?author=${author}&q=author&start=${start}&count=${PAGE}&sortBy=CREATED`,
          'list recent posts',
          undefined,
          {
            'x-restli-method': 'FINDER',
          },
        );
        const { elements } = read(context, response, PostsAnswer, 'list recent posts');
        return {
          posts: elements.map((post) => ({
            id: post.id,
            text: unescapeCommentary(post.commentary ?? ''),
            createdAtMs: post.createdAt,
          })),
          next: elements.length === PAGE ? String(start + PAGE) : undefined,
        };
      },
      { newestFirst: true },
    );
    return match ? result(match.id) : null;
  },

  async followerCount(context) {
    const urn = encodeURIComponent(organizationUrn(context.channel.account));
    const response = await call(
      context,
      'GET',
      `/rest/networkSizes/${urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
      'read followers',
    );
    return read(context, response, NetworkSizeAnswer, 'read followers').firstDegreeSize;
  },
};

/**
 * YouTube Data API v3 (www.googleapis.com): resumable `videos.insert` (a POST opens the upload
 * session and answers with its URL in `Location`, a PUT sends the bytes, a PUT with
 * `Content-Range: bytes *\/<size>` asks how far it got: 308 incomplete, 200 with the video when
 * done) and `channels.list` with statistics. The daily quota
 * answers 403 `quotaExceeded`; errors use Google's `{ error: { code, message, errors: [{ reason }] } }`.
 * Comments (citizens' through POST /_sim/replies): `commentThreads.list` by videoId (published
 * threads by default, `moderationStatus=heldForReview` for threads with a held comment),
 * `comments.list` by parentId, both paged with pageToken/nextPageToken, `comments.insert` (the
 * channel's answer under a top-level comment) and `comments.setModerationStatus`. YouTube sends no
 * webhooks: replies are polled.
 */
import { createHash } from 'node:crypto';
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';

/** The channel the simulated token belongs to. */
export const YOUTUBE_SIM_CHANNEL = 'UCsimHeroldDresden0000001';
const TITLE_LIMIT = 100;
const DESCRIPTION_MAX_BYTES = PLATFORMS.youtube.text.limit;

interface UploadSession {
  id: string;
  snippet: { title: string; description: string; categoryId?: string };
  status: Record<string, unknown>;
  size?: number;
  mime: string;
  videoId?: string;
}
interface Video {
  id: string;
  title: string;
  description: string;
  publishedAt: string;
  categoryId?: string;
  privacyStatus: string;
}

/** A comment on a video: top-level (no parentId) or a reply to a top-level comment. */
interface Comment {
  id: string;
  videoId: string;
  parentId?: string;
  text: string;
  authorDisplayName: string;
  authorChannelId: string;
  publishedAt: string;
  moderationStatus: 'published' | 'heldForReview' | 'rejected';
}

/** YouTube pages up to 100 (default 20); the simulator pages at 25 so tests see several pages. */
const COMMENT_PAGE = 25;
/** How many replies a comment thread carries inline: a subset, the rest come from comments.list. */
const INLINE_REPLIES = 5;

const store = (state: SimState) => ({
  sessions: state.scratch('youtube', 'sessions', () => new Map<string, UploadSession>()),
  videos: state.scratch('youtube', 'videos', () => [] as Video[]),
  comments: state.scratch('youtube', 'comments', () => new Map<string, Comment>()),
});

function googleError(status: number, reason: string, message: string, domain = 'youtube.video'): SimResponse {
  return { status, body: { error: { code: status, message, errors: [{ message, domain, reason }] } } };
}

function youtubeErrorResponse(status: number, message: string): SimResponse {
  if (status === 401) return googleError(401, 'authError', 'Invalid Credentials', 'global');
  if (status === 403) return googleError(403, 'forbidden', 'Forbidden', 'global');
  if (status === 429) return googleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'youtube.quota');
  if (status >= 500) return googleError(status, 'backendError', 'Backend Error', 'global');
  return googleError(status, 'badRequest', message, 'global');
}

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const videoIdFor = (seed: string) => createHash('sha256').update(seed).digest('base64url').slice(0, 11);

function openSession(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('uploadType') !== 'resumable')
    return googleError(400, 'badRequest', 'uploadType must be resumable for this endpoint', 'global');
  const parts = (request.query.get('part') ?? '').split(',');
  if (!parts.includes('snippet'))
    return googleError(400, 'missingRequiredParameter', 'No filter selected. Expected one of: part', 'global');
  const snippet = object(object(request.body)?.snippet);
  const title = snippet?.title;
  const description = typeof snippet?.description === 'string' ? snippet.description : '';
  if (typeof title !== 'string' || title.trim().length === 0)
    return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid or empty video title.');
  if ([...title].length > TITLE_LIMIT || /[<>]/.test(title))
    return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid video title.');
  if (Buffer.byteLength(description) > DESCRIPTION_MAX_BYTES || /[<>]/.test(description))
    return googleError(400, 'invalidDescription', 'The request metadata specifies an invalid video description.');
  const mime = request.headers['x-upload-content-type'] ?? 'video/*';
  if (!mime.startsWith('video/'))
    return googleError(400, 'invalidContentType', 'The uploaded file is not a video', 'global');
  const declared = request.headers['x-upload-content-length'];
  if (!state.takeQuota('youtube', YOUTUBE_SIM_CHANNEL)) {
    return googleError(
      403,
      'quotaExceeded',
      'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      'youtube.quota',
    );
  }
  const id = createHash('sha256').update(`upload:${state.nextId()}`).digest('base64url').slice(0, 24);
  store(state).sessions.set(id, {
    id,
    snippet: {
      title,
      description,
      ...(typeof snippet?.categoryId === 'string' ? { categoryId: snippet.categoryId } : {}),
    },
    status: object(object(request.body)?.status) ?? {},
    ...(declared ? { size: Number(declared) } : {}),
    mime,
  });
  return {
    status: 200,
    headers: {
      location: `${state.baseUrl}/youtube/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}&part=${parts.join(',')}`,
    },
  };
}

function videoBody(video: Video): Record<string, unknown> {
  return {
    kind: 'youtube#video',
    etag: createHash('sha256').update(video.id).digest('base64url').slice(0, 27),
    id: video.id,
    snippet: {
      publishedAt: video.publishedAt,
      channelId: YOUTUBE_SIM_CHANNEL,
      title: video.title,
      description: video.description,
      categoryId: video.categoryId ?? '22',
    },
    status: {
      uploadStatus: 'uploaded',
      privacyStatus: video.privacyStatus,
      embeddable: true,
      selfDeclaredMadeForKids: false,
    },
  };
}

function upload(request: SimRequest, state: SimState): SimResponse {
  const session = store(state).sessions.get(request.query.get('upload_id') ?? '');
  if (!session) return { status: 404, body: 'Not Found' };
  const finished = session.videoId ? store(state).videos.find((video) => video.id === session.videoId) : undefined;
  // A status query, or a repeated upload of a session that already finished.
  if (/^bytes \*\/\d+$/.test(request.headers['content-range'] ?? '') || finished) {
    return finished ? { status: 200, body: videoBody(finished) } : { status: 308, headers: { 'content-length': '0' } };
  }
  const size = request.rawBody.byteLength;
  if (size === 0) return googleError(400, 'badContent', 'The uploaded file is empty', 'global');
  if (session.size !== undefined && session.size !== size)
    return googleError(400, 'badContent', `Expected ${session.size} bytes, received ${size}`, 'global');
  if (size > PLATFORMS.youtube.media.maxVideoBytes)
    return googleError(400, 'uploadLimitExceeded', 'The video is larger than allowed', 'youtube.video');

  const video: Video = {
    id: videoIdFor(`${session.id}:${state.nextId()}`),
    title: session.snippet.title,
    description: session.snippet.description,
    publishedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(session.snippet.categoryId ? { categoryId: session.snippet.categoryId } : {}),
    privacyStatus: typeof session.status.privacyStatus === 'string' ? session.status.privacyStatus : 'public',
  };
  session.videoId = video.id;
  store(state).videos.push(video);
  state.record({
    platform: 'youtube',
    id: video.id,
    account: YOUTUBE_SIM_CHANNEL,
    text: `${video.title}\n${video.description}`,
    media: [{ url: `youtube-upload:${session.id}` }],
  });
  return { status: 200, body: videoBody(video) };
}

function channels(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('mine') !== 'true' && request.query.get('id') !== YOUTUBE_SIM_CHANNEL)
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: mine, id, forHandle',
      'youtube.parameter',
    );
  const parts = (request.query.get('part') ?? '').split(',');
  if (parts.length === 0 || parts[0] === '')
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: part',
      'youtube.parameter',
    );
  const item: Record<string, unknown> = { kind: 'youtube#channel', etag: 'sim-etag', id: YOUTUBE_SIM_CHANNEL };
  if (parts.includes('statistics')) {
    item.statistics = {
      viewCount: '91500',
      subscriberCount: String(state.followers('youtube', YOUTUBE_SIM_CHANNEL)),
      hiddenSubscriberCount: false,
      videoCount: String(store(state).videos.length),
    };
  }
  return {
    status: 200,
    body: {
      kind: 'youtube#channelListResponse',
      etag: 'sim-etag',
      pageInfo: { totalResults: 1, resultsPerPage: 5 },
      items: [item],
    },
  };
}

const time = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

function commentResource(comment: Comment): Record<string, unknown> {
  return {
    kind: 'youtube#comment',
    etag: createHash('sha256').update(`${comment.id}:${comment.text}`).digest('base64url').slice(0, 27),
    id: comment.id,
    snippet: {
      channelId: YOUTUBE_SIM_CHANNEL,
      videoId: comment.videoId,
      textDisplay: comment.text,
      textOriginal: comment.text,
      ...(comment.parentId ? { parentId: comment.parentId } : {}),
      authorDisplayName: comment.authorDisplayName,
      authorChannelUrl: `http://www.youtube.com/channel/${comment.authorChannelId}`,
      authorChannelId: { value: comment.authorChannelId },
      canRate: true,
      viewerRating: 'none',
      likeCount: 0,
      // returned to the channel owner only, which the simulated token is
      moderationStatus: comment.moderationStatus,
      publishedAt: time(comment.publishedAt),
      updatedAt: time(comment.publishedAt),
    },
  };
}

/** Page tokens are opaque to clients; here they carry the next offset. */
const pageToken = (offset: number) => Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
function offsetOf(token: string | null): number | undefined {
  if (!token) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function pageOf<T>(
  request: SimRequest,
  all: T[],
): { items: T[]; nextPageToken?: string; resultsPerPage: number } | SimResponse {
  const maxResults = Number(request.query.get('maxResults') ?? '20');
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
    return googleError(400, 'invalidParameter', 'maxResults must be between 1 and 100', 'youtube.parameter');
  const start = offsetOf(request.query.get('pageToken'));
  if (start === undefined)
    return googleError(
      400,
      'invalidPageToken',
      'The request specifies an invalid page token.',
      'youtube.commentThread',
    );
  const size = Math.min(maxResults, COMMENT_PAGE);
  const items = all.slice(start, start + size);
  return {
    items,
    resultsPerPage: size,
    ...(start + items.length < all.length ? { nextPageToken: pageToken(start + items.length) } : {}),
  };
}

const isPage = <T>(
  value: { items: T[] } | SimResponse,
): value is { items: T[]; nextPageToken?: string; resultsPerPage: number } => 'items' in value;

/** commentThreads.list by videoId: a thread is a top-level comment with (some of) its replies. */
function commentThreads(request: SimRequest, state: SimState): SimResponse {
  const parts = (request.query.get('part') ?? '').split(',').filter(Boolean);
  if (parts.length === 0 || parts.some((part) => !['id', 'snippet', 'replies'].includes(part)))
    return googleError(400, 'invalidPart', 'part must list id, snippet and/or replies', 'youtube.part');
  const videoId = request.query.get('videoId');
  if (!videoId)
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: videoId, id, channelId, allThreadsRelatedToChannelId',
      'youtube.parameter',
    );
  if (!store(state).videos.some((video) => video.id === videoId))
    return googleError(
      404,
      'videoNotFound',
      'The video identified by the videoId parameter could not be found.',
      'youtube.commentThread',
    );
  const status = request.query.get('moderationStatus') ?? 'published';
  if (!['published', 'heldForReview', 'likelySpam'].includes(status))
    return googleError(400, 'invalidParameter', `Invalid moderationStatus ${status}`, 'youtube.parameter');
  const comments = [...store(state).comments.values()].filter((comment) => comment.videoId === videoId);
  const repliesOf = (top: Comment) => comments.filter((comment) => comment.parentId === top.id);
  // published: the top-level comment is published; heldForReview: it or one of its replies is held
  const threads = comments
    .filter((comment) => comment.parentId === undefined)
    .filter((top) =>
      status === 'published'
        ? top.moderationStatus === 'published'
        : [top, ...repliesOf(top)].some((comment) => comment.moderationStatus === status),
    );
  // order=time (the default): newest first
  if ((request.query.get('order') ?? 'time') === 'time') threads.reverse();
  const page = pageOf(request, threads);
  if (!isPage(page)) return page;
  return {
    status: 200,
    body: {
      kind: 'youtube#commentThreadListResponse',
      etag: 'sim-etag',
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      pageInfo: { totalResults: threads.length, resultsPerPage: page.resultsPerPage },
      items: page.items.map((top) => {
        const visible = repliesOf(top).filter((reply) => reply.moderationStatus === status);
        return {
          kind: 'youtube#commentThread',
          etag: 'sim-etag',
          id: top.id,
          ...(parts.includes('snippet')
            ? {
                snippet: {
                  channelId: YOUTUBE_SIM_CHANNEL,
                  videoId,
                  topLevelComment: commentResource(top),
                  canReply: true,
                  totalReplyCount: repliesOf(top).filter((reply) => reply.moderationStatus === 'published').length,
                  isPublic: true,
                },
              }
            : {}),
          ...(parts.includes('replies') && visible.length > 0
            ? { replies: { comments: visible.slice(0, INLINE_REPLIES).map(commentResource) } }
            : {}),
        };
      }),
    },
  };
}

/** comments.list by parentId: the published replies to one top-level comment, oldest first. */
function listComments(request: SimRequest, state: SimState): SimResponse {
  if (!(request.query.get('part') ?? '').split(',').includes('snippet'))
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: part',
      'youtube.parameter',
    );
  const parentId = request.query.get('parentId');
  if (!parentId)
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: parentId, id',
      'youtube.parameter',
    );
  const { comments } = store(state);
  if (!comments.has(parentId))
    return googleError(
      404,
      'commentNotFound',
      'The comment identified by the parentId parameter could not be found.',
      'youtube.comment',
    );
  const replies = [...comments.values()].filter(
    (comment) => comment.parentId === parentId && comment.moderationStatus === 'published',
  );
  const page = pageOf(request, replies);
  if (!isPage(page)) return page;
  return {
    status: 200,
    body: {
      kind: 'youtube#commentListResponse',
      etag: 'sim-etag',
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      pageInfo: { totalResults: replies.length, resultsPerPage: page.resultsPerPage },
      items: page.items.map(commentResource),
    },
  };
}

/** comments.insert: the channel's reply; snippet.parentId must name a top-level comment. */
function insertComment(request: SimRequest, state: SimState): SimResponse {
  if (!(request.query.get('part') ?? '').split(',').includes('snippet'))
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: part',
      'youtube.parameter',
    );
  const snippet = object(object(request.body)?.snippet);
  const { comments } = store(state);
  const parentId = typeof snippet?.parentId === 'string' ? snippet.parentId : undefined;
  const parent = parentId ? comments.get(parentId) : undefined;
  if (!parentId)
    return googleError(400, 'parentIdMissing', 'No parent ID was specified for the comment.', 'youtube.comment');
  if (!parent)
    return googleError(404, 'parentCommentNotFound', 'The parent comment could not be found.', 'youtube.comment');
  if (parent.parentId)
    return googleError(400, 'operationNotSupported', 'A reply must answer a top-level comment.', 'youtube.comment');
  const text = snippet?.textOriginal;
  if (typeof text !== 'string' || text.trim().length === 0)
    return googleError(
      400,
      'commentTextRequired',
      'The comment resource must contain a snippet.textOriginal.',
      'youtube.comment',
    );
  const comment: Comment = {
    id: `${parent.id}.${createHash('sha256').update(`reply:${state.nextId()}`).digest('base64url').slice(0, 22)}`,
    videoId: parent.videoId,
    parentId: parent.id,
    text,
    authorDisplayName: '@LHDDresden',
    authorChannelId: YOUTUBE_SIM_CHANNEL,
    publishedAt: new Date().toISOString(),
    moderationStatus: 'published',
  };
  comments.set(comment.id, comment);
  state.record({
    platform: 'youtube',
    id: comment.id,
    account: YOUTUBE_SIM_CHANNEL,
    text,
    media: [],
    replyTo: parent.id,
  });
  return { status: 200, body: commentResource(comment) };
}

/** comments.setModerationStatus: 204; a rejected comment cannot be published again. */
function setModerationStatus(request: SimRequest, state: SimState): SimResponse {
  const ids = (request.query.get('id') ?? '').split(',').filter(Boolean);
  const status = request.query.get('moderationStatus');
  if (ids.length === 0 || ids.length > 50)
    return googleError(400, 'missingRequiredParameter', 'id must list 1 to 50 comment ids', 'youtube.parameter');
  if (status !== 'heldForReview' && status !== 'published' && status !== 'rejected')
    return googleError(
      400,
      'invalidModerationStatus',
      'Check the value of the moderationStatus parameter.',
      'youtube.comment',
    );
  const { comments } = store(state);
  const chosen = ids.map((id) => comments.get(id));
  if (chosen.some((comment) => comment === undefined))
    return googleError(404, 'commentNotFound', 'One or more comments could not be found.', 'youtube.comment');
  if (status === 'published' && chosen.some((comment) => comment!.moderationStatus === 'rejected'))
    return googleError(
      400,
      'processingFailure',
      'The API server failed to successfully process the request.',
      'youtube.comment',
    );
  for (const comment of chosen) comment!.moderationStatus = status;
  return { status: 204 };
}

export const youtubeSim: SimPlatform = {
  id: 'youtube',
  errorResponse: youtubeErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    const known = [
      'POST /upload/youtube/v3/videos',
      'PUT /upload/youtube/v3/videos',
      'GET /youtube/v3/channels',
      'GET /youtube/v3/commentThreads',
      'GET /youtube/v3/comments',
      'POST /youtube/v3/comments',
      'POST /youtube/v3/comments/setModerationStatus',
    ];
    if (!known.includes(route)) return undefined;
    if (!state.acceptsToken('youtube', /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1]))
      return youtubeErrorResponse(401, '');
    if (route === 'POST /upload/youtube/v3/videos') return openSession(request, state);
    if (route === 'PUT /upload/youtube/v3/videos') return upload(request, state);
    if (route === 'GET /youtube/v3/commentThreads') return commentThreads(request, state);
    if (route === 'GET /youtube/v3/comments') return listComments(request, state);
    if (route === 'POST /youtube/v3/comments') return insertComment(request, state);
    if (route === 'POST /youtube/v3/comments/setModerationStatus') return setModerationStatus(request, state);
    return channels(request, state);
  },
  replies: {
    add(input, state) {
      const { comments, videos } = store(state);
      const video = videos.find((item) => item.id === input.postId);
      const parent = input.parentId ? comments.get(input.parentId) : undefined;
      if (!video || (input.parentId && parent?.videoId !== video.id)) return undefined;
      const seed = createHash('sha256').update(`comment:${state.nextId()}`).digest('base64url');
      const top = parent ? (parent.parentId ? comments.get(parent.parentId)! : parent) : undefined;
      const comment: Comment = {
        // top-level ids look like `Ugx…`; a reply's id is its top-level comment's id, a dot, and its own
        id: top ? `${top.id}.${seed.slice(0, 22)}` : `Ugx${seed.slice(0, 23)}`,
        videoId: video.id,
        ...(top ? { parentId: top.id } : {}),
        text: input.text,
        // YouTube shows the author's @handle as authorDisplayName
        authorDisplayName: input.handle ? `@${input.handle.replace(/^@/, '')}` : (input.name ?? '@buerger'),
        authorChannelId: `UC${seed.slice(23, 45)}`,
        publishedAt: new Date().toISOString(),
        moderationStatus: 'published',
      };
      comments.set(comment.id, comment);
      return { id: comment.id };
    },
    remove(id, state) {
      const { comments } = store(state);
      if (!comments.has(id)) return false;
      for (const reply of [...comments.values()].filter((comment) => comment.parentId === id))
        comments.delete(reply.id);
      return comments.delete(id);
    },
  },
};

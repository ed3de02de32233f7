/**
 * LinkedIn versioned REST API (api.linkedin.com/rest): image upload (initializeUpload, then a PUT of
 * the bytes to the upload URL), video upload (initializeUpload with 4 MiB parts, a PUT per part
 * answering an ETag, finalizeUpload with the ETags, PROCESSING then AVAILABLE), posts as an organisation, the author finder, and organisation
 * follower counts from networkSizes. Every /rest call needs `Linkedin-Version` (YYYYMM) and
 * `X-Restli-Protocol-Version: 2.0.0`. Commentary is little text format: LinkedIn would mangle
 * unescaped reserved characters, so the simulator refuses them outright, making the mistake visible.
 * Comments (citizens' through POST /_sim/replies): `GET /rest/socialActions/{post or comment URN}/comments`
 * paged by start/count (a page shorter than count is the last), and `POST` of the same path to
 * comment as the organisation (`parentComment` for an answer to a comment). LinkedIn has no way to
 * hide a comment and sends no webhooks for them: replies are polled.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';

interface Image {
  urn: string;
  owner: string;
  status: 'WAITING_UPLOAD' | 'AVAILABLE';
}
interface Video {
  urn: string;
  owner: string;
  size: number;
  parts: { firstByte: number; lastByte: number; etag?: string }[];
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE';
}
interface StoredPost {
  id: string;
  author: string;
  commentary: string;
  createdAt: number;
}

/** A comment on a post, or (with parentComment) on a comment. */
interface Comment {
  id: string;
  urn: string;
  actor: string;
  /** the post the comment belongs to */
  object: string;
  parentComment?: string;
  text: string;
  createdAt: number;
}

const store = (state: SimState) => ({
  images: state.scratch('linkedin', 'images', () => new Map<string, Image>()),
  videos: state.scratch('linkedin', 'videos', () => new Map<string, Video>()),
  posts: state.scratch('linkedin', 'posts', () => [] as StoredPost[]),
  comments: state.scratch('linkedin', 'comments', () => new Map<string, Comment>()),
});

const error = (status: number, message: string, extra: Record<string, unknown> = {}): SimResponse => ({
  status,
  body: { status, message, ...extra },
});

function linkedinErrorResponse(status: number, message: string): SimResponse {
  if (status === 401)
    return error(401, 'Invalid access token', { serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN' });
  if (status === 403)
    return error(403, 'Not enough permissions to access this resource', {
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
    });
  if (status === 429)
    return error(429, 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.', {
      serviceErrorCode: 101,
      code: 'TOO_MANY_REQUESTS',
    });
  return error(status, message);
}

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const AUTHOR = /^urn:li:(organization|person):[A-Za-z0-9_-]+$/;
/** A reserved character not preceded by an escaping backslash (pairs of backslashes are escaped backslashes). */
const UNESCAPED_RESERVED = /(^|[^\\])(\\\\)*[|{}@[\]()<>#*_~]/;
const unescape = (text: string) => text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');

const bearerOf = (request: SimRequest) => /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1];

function checkHeaders(request: SimRequest, state: SimState): SimResponse | undefined {
  if (!state.acceptsToken('linkedin', bearerOf(request))) return linkedinErrorResponse(401, '');
  const version = request.headers['linkedin-version'];
  if (!version)
    return error(400, 'A version must be present. Please specify a version by adding the LinkedIn-Version header.', {
      code: 'VERSION_MISSING',
    });
  if (!/^20\d{2}(0[1-9]|1[0-2])(\.\d{2})?$/.test(version))
    return error(426, `Requested version ${version} is not active`, { code: 'NONEXISTENT_VERSION' });
  if (request.headers['x-restli-protocol-version'] !== '2.0.0')
    return error(400, 'X-Restli-Protocol-Version 2.0.0 is required for this API');
  return undefined;
}

function initializeUpload(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('action') !== 'initializeUpload') return error(400, 'Unsupported action');
  const owner = object(object(request.body)?.initializeUploadRequest)?.owner;
  if (typeof owner !== 'string' || !AUTHOR.test(owner))
    return error(422, 'ERROR :: /initializeUploadRequest/owner :: is not a valid urn');
  const id = `D4E10AQ${state.nextId()}`;
  const urn = `urn:li:image:${id}`;
  store(state).images.set(id, { urn, owner, status: 'WAITING_UPLOAD' });
  return {
    status: 200,
    body: {
      value: {
        uploadUrlExpiresAt: Date.now() + 24 * 3600 * 1000,
        uploadUrl: `${state.baseUrl}/linkedin/dms-uploads/${id}/uploaded-image/0`,
        image: urn,
      },
    },
  };
}

function uploadImage(request: SimRequest, state: SimState): SimResponse {
  if (!state.acceptsToken('linkedin', bearerOf(request))) return linkedinErrorResponse(401, '');
  const image = store(state).images.get(request.path.split('/')[2] ?? '');
  if (!image) return error(404, 'Upload URL not found');
  if (request.rawBody.byteLength === 0) return error(400, 'Empty upload');
  if (request.rawBody.byteLength > PLATFORMS.linkedin.media.maxImageBytes) return error(413, 'Image too large');
  image.status = 'AVAILABLE';
  return { status: 201 };
}

/** LinkedIn splits video uploads into parts of 4 MiB. */
const VIDEO_PART_BYTES = 4 * 1024 * 1024;

function initializeVideoUpload(request: SimRequest, state: SimState): SimResponse {
  const action = request.query.get('action');
  if (action === 'finalizeUpload') return finalizeVideoUpload(request, state);
  if (action !== 'initializeUpload') return error(400, 'Unsupported action');
  const upload = object(object(request.body)?.initializeUploadRequest);
  const owner = upload?.owner;
  const size = Number(upload?.fileSizeBytes);
  if (typeof owner !== 'string' || !AUTHOR.test(owner))
    return error(422, 'ERROR :: /initializeUploadRequest/owner :: is not a valid urn');
  if (!Number.isInteger(size) || size <= 0)
    return error(422, 'ERROR :: /initializeUploadRequest/fileSizeBytes :: field is required but not found');
  if (size > PLATFORMS.linkedin.media.maxVideoBytes)
    return error(422, 'ERROR :: /initializeUploadRequest/fileSizeBytes :: video is too large');
  const id = `D5610AQ${state.nextId()}`;
  const parts = [];
  for (let firstByte = 0; firstByte < size; firstByte += VIDEO_PART_BYTES)
    parts.push({ firstByte, lastByte: Math.min(size, firstByte + VIDEO_PART_BYTES) - 1 });
  const video: Video = { urn: `urn:li:video:${id}`, owner, size, parts, status: 'WAITING_UPLOAD' };
  store(state).videos.set(id, video);
  return {
    status: 200,
    body: {
      value: {
        uploadUrlsExpireAt: Date.now() + 24 * 3600 * 1000,
        video: video.urn,
        uploadInstructions: parts.map((part, index) => ({
          uploadUrl: `${state.baseUrl}/linkedin/dms-uploads/${id}/uploaded-video/${index}`,
          firstByte: part.firstByte,
          lastByte: part.lastByte,
        })),
        uploadToken: '',
      },
    },
  };
}

function uploadVideoPart(request: SimRequest, state: SimState): SimResponse {
  if (!state.acceptsToken('linkedin', bearerOf(request))) return linkedinErrorResponse(401, '');
  const [, , id = '', , index = ''] = request.path.split('/');
  const part = store(state).videos.get(id)?.parts[Number(index)];
  if (!part) return error(404, 'Upload URL not found');
  if (request.rawBody.byteLength !== part.lastByte - part.firstByte + 1)
    return error(400, `Part ${index} must be ${part.lastByte - part.firstByte + 1} bytes`);
  part.etag = `/ETag-${id}-${index}`;
  return { status: 200, headers: { etag: part.etag } };
}

function finalizeVideoUpload(request: SimRequest, state: SimState): SimResponse {
  const finalize = object(object(request.body)?.finalizeUploadRequest);
  const video = store(state).videos.get(String(finalize?.video ?? '').replace('urn:li:video:', ''));
  if (!video) return error(404, 'Video not found');
  const partIds = finalize?.uploadedPartIds;
  const expected = video.parts.map((part) => part.etag);
  if (
    !Array.isArray(partIds) ||
    expected.some((etag) => !etag) ||
    JSON.stringify(partIds) !== JSON.stringify(expected)
  ) {
    return error(400, 'ERROR :: /finalizeUploadRequest/uploadedPartIds :: must list every uploaded part ETag in order');
  }
  video.status = 'PROCESSING';
  return { status: 200 };
}

function videoStatus(request: SimRequest, state: SimState): SimResponse {
  const urn = decodeURIComponent(request.path.slice('/rest/videos/'.length));
  const video = store(state).videos.get(urn.replace('urn:li:video:', ''));
  if (!video) return error(404, `Video ${urn} not found`);
  // Processing finishes by the time the status is asked for a second time.
  const status = video.status;
  if (video.status === 'PROCESSING') video.status = 'AVAILABLE';
  return {
    status: 200,
    body: { owner: video.owner, id: video.urn, status, duration: 0, aspectRatioWidth: 16, aspectRatioHeight: 9 },
  };
}

function invalidContent(content: Record<string, unknown> | undefined, state: SimState): string | undefined {
  if (!content) return undefined;
  const available = (id: unknown) =>
    typeof id === 'string' &&
    (id.startsWith('urn:li:video:')
      ? store(state).videos.get(id.replace('urn:li:video:', ''))?.status === 'AVAILABLE'
      : store(state).images.get(id.replace('urn:li:image:', ''))?.status === 'AVAILABLE');
  const media = object(content.media);
  if (media && !available(media.id))
    return 'ERROR :: /content/media/id :: media is not uploaded, still processing or unknown';
  const multi = object(content.multiImage)?.images;
  if (multi !== undefined) {
    if (!Array.isArray(multi) || multi.length < 2 || multi.length > PLATFORMS.linkedin.media.maxItems)
      return 'ERROR :: /content/multiImage/images :: needs 2 to 20 images';
    if (multi.some((image) => !available(object(image)?.id)))
      return 'ERROR :: /content/multiImage/images :: image is not uploaded or unknown';
  }
  return undefined;
}

function createPost(request: SimRequest, state: SimState): SimResponse {
  const post = object(request.body);
  if (!post) return error(400, 'Request body must be a JSON object');
  const author = post.author;
  if (typeof author !== 'string' || !AUTHOR.test(author))
    return error(422, 'ERROR :: /author :: is not a valid organization or person urn');
  const commentary = post.commentary;
  if (typeof commentary !== 'string') return error(422, 'ERROR :: /commentary :: field is required but not found');
  if (commentary.length > PLATFORMS.linkedin.text.limit)
    return error(422, `ERROR :: /commentary :: length ${commentary.length} exceeds ${PLATFORMS.linkedin.text.limit}`);
  if (UNESCAPED_RESERVED.test(commentary))
    return error(422, 'ERROR :: /commentary :: contains unescaped little text format characters');
  if (!['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'].includes(String(post.visibility)))
    return error(422, 'ERROR :: /visibility :: field is required');
  if (typeof object(post.distribution)?.feedDistribution !== 'string')
    return error(422, 'ERROR :: /distribution/feedDistribution :: field is required but not found');
  if (!['PUBLISHED', 'DRAFT'].includes(String(post.lifecycleState)))
    return error(422, 'ERROR :: /lifecycleState :: field is required');
  const invalid = invalidContent(object(post.content), state);
  if (invalid) return error(422, invalid);
  const text = unescape(commentary);
  const existing = store(state).posts.find((stored) => stored.author === author && stored.commentary === commentary);
  if (existing)
    return error(422, `Content is a duplicate of ${existing.id}`, {
      errorDetailType: 'com.linkedin.common.error.BadRequest',
    });
  if (!state.takeQuota('linkedin', author)) return linkedinErrorResponse(429, '');

  const id = `urn:li:share:${state.nextId()}`;
  store(state).posts.push({ id, author, commentary, createdAt: Date.now() });
  const content = object(post.content);
  const images = [
    object(content?.media),
    ...((object(content?.multiImage)?.images as unknown[] | undefined) ?? []).map(object),
  ].filter((image) => image !== undefined);
  state.record({
    platform: 'linkedin',
    id,
    account: author.split(':').pop() ?? author,
    text,
    media: images.map((image) => ({
      url: String(image.id),
      ...(typeof image.altText === 'string' ? { altText: image.altText } : {}),
    })),
  });
  return { status: 201, headers: { 'x-restli-id': id, 'x-linkedin-id': id } };
}

function findByAuthor(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('q') !== 'author') return error(400, 'Unsupported finder; use q=author');
  const author = request.query.get('author') ?? '';
  const start = Number(request.query.get('start') ?? '0');
  const count = Number(request.query.get('count') ?? '10');
  if (!Number.isInteger(count) || count < 1 || count > 100) return error(400, 'count must be between 1 and 100');
  if (!Number.isInteger(start) || start < 0) return error(400, 'start must be a non-negative integer');
  const sortBy = request.query.get('sortBy') ?? 'LAST_MODIFIED';
  if (!['LAST_MODIFIED', 'CREATED'].includes(sortBy))
    return error(400, `sortBy must be LAST_MODIFIED or CREATED, not ${sortBy}`);
  // Posts are never edited here, so both orders are newest first.
  const all = store(state)
    .posts.filter((post) => post.author === author)
    .reverse();
  const posts = all.slice(start, start + count);
  return {
    status: 200,
    body: {
      paging: { start, count, links: [], total: all.length },
      elements: posts.map((post) => ({
        id: post.id,
        author: post.author,
        commentary: post.commentary,
        visibility: 'PUBLIC',
        lifecycleState: 'PUBLISHED',
        createdAt: post.createdAt,
        publishedAt: post.createdAt,
      })),
    },
  };
}

function networkSize(request: SimRequest, state: SimState): SimResponse {
  const urn = decodeURIComponent(request.path.slice('/rest/networkSizes/'.length));
  if (!/^urn:li:organization:\d+$/.test(urn)) return error(400, `Invalid organization urn ${urn}`);
  if (request.query.get('edgeType') !== 'COMPANY_FOLLOWED_BY_MEMBER')
    return error(400, 'edgeType must be COMPANY_FOLLOWED_BY_MEMBER');
  return { status: 200, body: { firstDegreeSize: state.followers('linkedin', urn.split(':').pop() ?? urn) } };
}

const COMMENTS_PATH = /^\/rest\/socialActions\/([^/]+)\/comments$/;

/** The comments directly on a post (no parent) or on one comment, oldest first. */
function commentsOn(target: string, state: SimState): Comment[] {
  return [...store(state).comments.values()].filter((comment) =>
    target.startsWith('urn:li:comment:')
      ? comment.parentComment === target
      : comment.object === target && !comment.parentComment,
  );
}

function commentBody(comment: Comment, state: SimState): Record<string, unknown> {
  const nested = commentsOn(comment.urn, state).length;
  return {
    id: comment.id,
    commentUrn: comment.urn,
    $URN: comment.urn,
    actor: comment.actor,
    object: comment.object,
    ...(comment.parentComment ? { parentComment: comment.parentComment } : {}),
    message: { text: comment.text, attributes: [] },
    created: { actor: comment.actor, time: comment.createdAt },
    lastModified: { actor: comment.actor, time: comment.createdAt },
    commentsSummary: { totalFirstLevelComments: nested, aggregatedTotalComments: nested, selectedComments: [] },
  };
}

/** The post or comment a socialActions path names; undefined when there is none. */
function socialTarget(encoded: string, state: SimState): string | undefined {
  const urn = decodeURIComponent(encoded);
  if (urn.startsWith('urn:li:comment:')) return store(state).comments.has(urn) ? urn : undefined;
  return store(state).posts.some((post) => post.id === urn) ? urn : undefined;
}

function listComments(target: string, request: SimRequest, state: SimState): SimResponse {
  const start = Number(request.query.get('start') ?? '0');
  const count = Number(request.query.get('count') ?? '10');
  if (!Number.isInteger(count) || count < 1 || count > 100) return error(400, 'count must be between 1 and 100');
  if (!Number.isInteger(start) || start < 0) return error(400, 'start must be a non-negative integer');
  const all = commentsOn(target, state);
  return {
    status: 200,
    body: {
      paging: { start, count, links: [], total: all.length },
      elements: all.slice(start, start + count).map((comment) => commentBody(comment, state)),
    },
  };
}

/** Create a Comment as the organisation that wrote the post: 201 with the comment. */
function createComment(target: string, request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  if (!body) return error(400, 'Request body must be a JSON object');
  const { comments, posts } = store(state);
  const post = target.startsWith('urn:li:comment:') ? comments.get(target)?.object : target;
  const author = posts.find((item) => item.id === post)?.author;
  if (typeof body.actor !== 'string' || !AUTHOR.test(body.actor))
    return error(422, 'ERROR :: /actor :: is not a valid organization or person urn');
  if (body.actor !== author) return linkedinErrorResponse(403, '');
  if (body.object !== post) return error(422, `ERROR :: /object :: must be ${post}`);
  const text = object(body.message)?.text;
  if (typeof text !== 'string' || text.trim().length === 0)
    return error(422, 'ERROR :: /message/text :: field is required but not found');
  const parent = body.parentComment;
  if (parent !== undefined && (typeof parent !== 'string' || comments.get(parent)?.object !== post))
    return error(422, 'ERROR :: /parentComment :: is not a comment on this post');
  const comment = newComment(state, { actor: body.actor, object: post!, text, parentComment: parent });
  state.record({
    platform: 'linkedin',
    id: comment.urn,
    account: body.actor.split(':').pop() ?? body.actor,
    text,
    media: [],
    ...(comment.parentComment ? { replyTo: comment.parentComment } : {}),
  });
  return { status: 201, body: commentBody(comment, state) };
}

function newComment(
  state: SimState,
  fields: { actor: string; object: string; text: string; parentComment?: string },
): Comment {
  const id = state.nextId();
  const comment: Comment = {
    id,
    urn: `urn:li:comment:(${fields.object},${id})`,
    actor: fields.actor,
    object: fields.object,
    ...(fields.parentComment ? { parentComment: fields.parentComment } : {}),
    text: fields.text,
    createdAt: Date.now(),
  };
  store(state).comments.set(comment.urn, comment);
  return comment;
}

export const linkedinSim: SimPlatform = {
  id: 'linkedin',
  errorResponse: linkedinErrorResponse,
  handle(request, state) {
    if (request.method === 'PUT' && /^\/dms-uploads\/[^/]+\/uploaded-image\/0$/.test(request.path))
      return uploadImage(request, state);
    if (request.method === 'PUT' && /^\/dms-uploads\/[^/]+\/uploaded-video\/\d+$/.test(request.path))
      return uploadVideoPart(request, state);
    const comments = COMMENTS_PATH.exec(request.path);
    if (comments && (request.method === 'GET' || request.method === 'POST')) {
      const rejected = checkHeaders(request, state);
      if (rejected) return rejected;
      const target = socialTarget(comments[1]!, state);
      if (!target) return error(404, `No post or comment ${decodeURIComponent(comments[1]!)}`);
      return request.method === 'GET' ? listComments(target, request, state) : createComment(target, request, state);
    }
    const route = `${request.method} ${request.path}`;
    const isNetworkSize = request.method === 'GET' && request.path.startsWith('/rest/networkSizes/');
    const isVideo = request.method === 'GET' && request.path.startsWith('/rest/videos/');
    if (
      !['POST /rest/images', 'POST /rest/videos', 'POST /rest/posts', 'GET /rest/posts'].includes(route) &&
      !isNetworkSize &&
      !isVideo
    )
      return undefined;
    const rejected = checkHeaders(request, state);
    if (rejected) return rejected;
    if (isVideo) return videoStatus(request, state);
    if (route === 'POST /rest/images') return initializeUpload(request, state);
    if (route === 'POST /rest/videos') return initializeVideoUpload(request, state);
    if (route === 'POST /rest/posts') return createPost(request, state);
    if (route === 'GET /rest/posts') return findByAuthor(request, state);
    return networkSize(request, state);
  },
  replies: {
    add(input, state) {
      const { comments, posts } = store(state);
      const post = posts.find((item) => item.id === input.postId);
      const parent = input.parentId ? comments.get(input.parentId) : undefined;
      if (!post || (input.parentId && parent?.object !== post.id)) return undefined;
      // a member's comment: LinkedIn names only the actor's URN
      const member = `urn:li:person:sim${comments.size + 1000}`;
      const comment = newComment(state, {
        actor: member,
        object: post.id,
        text: input.text,
        ...(parent ? { parentComment: parent.urn } : {}),
      });
      return { id: comment.urn };
    },
    remove(id, state) {
      const { comments } = store(state);
      if (!comments.has(id)) return false;
      for (const nested of commentsOn(id, state)) comments.delete(nested.urn);
      return comments.delete(id);
    },
  },
};

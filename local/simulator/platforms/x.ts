/**
 * X API v2 (api.x.com): media upload (one request for still images; initialize / append / finalize
 * and status polling for GIFs and videos, which are "processed" over two status reads) and alt text, creating posts (with replies and media), the
 * authenticated user with public metrics, and the user's post timeline. Errors use X's problem
 * body (`title`, `detail`, `type`, `status`); rate limits carry the `x-rate-limit-*` and
 * `x-user-limit-24hour-*` headers. Length is X's weighted count, measured with twitter-text.
 */
import twitterText from 'twitter-text';
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';

/** The one account the simulated token belongs to. */
export const X_SIM_USER = { id: '1580661436132757506', username: 'herold_sim', name: 'Herold Simulator' } as const;

interface UploadedMedia {
  id: string;
  category: string;
  mime: string;
  size: number;
  altText?: string;
  /** chunked uploads: declared size, received segments, and processing progress */
  totalBytes?: number;
  segments?: Map<number, number>;
  state: 'uploading' | 'pending' | 'in_progress' | 'succeeded';
}

/** What the one-request upload takes (still images and subtitles); GIFs and videos must be chunked. */
const SIMPLE_CATEGORIES = ['tweet_image', 'dm_image', 'subtitles'];
const SIMPLE_TYPES = [
  'text/srt',
  'text/vtt',
  'image/jpeg',
  'image/bmp',
  'image/png',
  'image/webp',
  'image/pjpeg',
  'image/tiff',
];
const CHUNKED_CATEGORIES = [
  'amplify_video',
  'tweet_gif',
  'tweet_image',
  'tweet_video',
  'dm_gif',
  'dm_image',
  'dm_video',
  'subtitles',
];
const CHUNKED_TYPES = [
  'video/mp4',
  'video/webm',
  'video/mp2t',
  'video/quicktime',
  'text/srt',
  'text/vtt',
  'image/jpeg',
  'image/gif',
  'image/bmp',
  'image/png',
  'image/webp',
  'image/pjpeg',
  'image/tiff',
];
const ALT_TEXT_LIMIT = 1000;

const problem = (
  status: number,
  title: string,
  detail: string,
  type = 'about:blank',
  headers?: Record<string, string>,
): SimResponse => ({
  status,
  headers,
  body: { title, detail, type, status },
});

const invalid = (message: string): SimResponse => ({
  status: 400,
  body: {
    errors: [{ message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  },
});

function xErrorResponse(status: number, message: string, retryAfter?: number): SimResponse {
  if (status === 401) return problem(401, 'Unauthorized', 'Unauthorized');
  if (status === 429) {
    // X names the end of the window in epoch seconds, not as Retry-After.
    const headers =
      retryAfter === undefined
        ? undefined
        : { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + retryAfter) };
    return problem(429, 'Too Many Requests', 'Too Many Requests', 'about:blank', headers);
  }
  if (status === 404)
    return problem(404, 'Not Found Error', message, 'https://api.twitter.com/2/problems/resource-not-found');
  if (status >= 500) return problem(status, 'Service Unavailable', 'Service Unavailable');
  return problem(status, 'Error', message);
}

const media = (state: SimState) => state.scratch('x', 'media', () => new Map<string, UploadedMedia>());

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const sizeLimit = (category: string) =>
  category.includes('video')
    ? PLATFORMS.x.media.maxVideoBytes
    : category.includes('gif')
      ? 15 * 1024 * 1024
      : PLATFORMS.x.media.maxImageBytes;

function upload(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const data = typeof body?.media === 'string' ? Buffer.from(body.media, 'base64') : undefined;
  if (!data || data.byteLength === 0)
    return invalid('The `media` field is required and must be base64-encoded file content');
  const category = typeof body?.media_category === 'string' ? body.media_category : '';
  if (!SIMPLE_CATEGORIES.includes(category))
    return invalid(`The \`media_category\` value [${category}] is not one of [${SIMPLE_CATEGORIES.join(',')}]`);
  const mime = typeof body?.media_type === 'string' ? body.media_type : 'image/jpeg';
  if (!SIMPLE_TYPES.includes(mime))
    return invalid(
      `The \`media_type\` value [${mime}] is not one of [${SIMPLE_TYPES.join(',')}]; GIFs and videos need the chunked upload`,
    );
  if (data.byteLength > sizeLimit(category)) return invalid(`File size exceeds ${sizeLimit(category)} bytes`);
  const id = state.nextId();
  media(state).set(id, { id, category, mime, size: data.byteLength, state: 'succeeded' });
  return {
    status: 200,
    body: { data: { id, media_key: `3_${id}`, size: data.byteLength, expires_after_secs: 86400 } },
  };
}

function initialize(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const category = String(body?.media_category ?? '');
  const mime = String(body?.media_type ?? '');
  const totalBytes = Number(body?.total_bytes);
  if (!CHUNKED_CATEGORIES.includes(category))
    return invalid(`The \`media_category\` value [${category}] is not one of [${CHUNKED_CATEGORIES.join(',')}]`);
  if (!CHUNKED_TYPES.includes(mime)) return invalid(`The \`media_type\` value [${mime}] is not supported`);
  if (!Number.isInteger(totalBytes) || totalBytes <= 0) return invalid('The `total_bytes` field is required');
  if (totalBytes > sizeLimit(category)) return invalid(`File size exceeds ${sizeLimit(category)} bytes`);
  const id = state.nextId();
  media(state).set(id, { id, category, mime, size: 0, totalBytes, segments: new Map(), state: 'uploading' });
  return { status: 200, body: { data: { id, media_key: `7_${id}`, expires_after_secs: 86399 } } };
}

function append(id: string, request: SimRequest, state: SimState): SimResponse {
  const item = media(state).get(id);
  if (!item?.segments || item.state !== 'uploading')
    return problem(400, 'Invalid Request', 'The media id is unknown, expired or already finalized');
  const body = object(request.body);
  const segment = Number(body?.segment_index);
  if (!Number.isInteger(segment) || segment < 0 || segment > 999)
    return invalid('The `segment_index` value must be between 0 and 999');
  const file = body?.media;
  const size =
    typeof file === 'string' ? Buffer.from(file, 'base64').byteLength : (object(file)?.size as number | undefined);
  if (!size) return invalid('The `media` field is required');
  item.segments.set(segment, size);
  return { status: 200, body: { data: { expires_at: Math.floor(Date.now() / 1000) + 86399 } } };
}

function processingInfo(item: UploadedMedia): Record<string, unknown> | undefined {
  if (item.state === 'succeeded')
    return item.category.includes('video') || item.category.includes('gif')
      ? { state: 'succeeded', progress_percent: 100 }
      : undefined;
  return { state: item.state, check_after_secs: 1, progress_percent: item.state === 'pending' ? 0 : 50 };
}

function finalize(id: string, state: SimState): SimResponse {
  const item = media(state).get(id);
  if (!item?.segments || item.state !== 'uploading')
    return problem(400, 'Invalid Request', 'The media id is unknown, expired or already finalized');
  const received = [...item.segments.values()].reduce((sum, size) => sum + size, 0);
  if (received !== item.totalBytes)
    return invalid(`File size mismatch: declared ${item.totalBytes} bytes, received ${received}`);
  item.size = received;
  // Videos are processed after finalize; GIFs and images are ready at once.
  item.state = item.category.includes('video') ? 'pending' : 'succeeded';
  return {
    status: 200,
    body: {
      data: {
        id,
        media_key: `7_${id}`,
        size: received,
        expires_after_secs: 86399,
        processing_info: processingInfo(item),
      },
    },
  };
}

function status(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('command') !== 'STATUS') return invalid('The `command` query parameter must be STATUS');
  const item = media(state).get(request.query.get('media_id') ?? '');
  if (!item) return problem(400, 'Invalid Request', 'The media id is unknown or expired');
  // Each status read moves processing one step on, as a real transcode would progress.
  if (item.state === 'pending') item.state = 'in_progress';
  else if (item.state === 'in_progress') item.state = 'succeeded';
  return {
    status: 200,
    body: { data: { id: item.id, media_key: `7_${item.id}`, processing_info: processingInfo(item) } },
  };
}

function metadata(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const item = typeof body?.id === 'string' ? media(state).get(body.id) : undefined;
  if (!item)
    return problem(
      400,
      'Invalid Request',
      'The media id is unknown or expired',
      'https://api.twitter.com/2/problems/invalid-request',
    );
  const altText = object(object(body?.metadata)?.alt_text)?.text;
  if (typeof altText !== 'string' || altText.length > ALT_TEXT_LIMIT)
    return invalid(`alt_text.text must be a string of at most ${ALT_TEXT_LIMIT} characters`);
  item.altText = altText;
  return { status: 200, body: { data: { id: item.id, associated_metadata: { alt_text: { text: altText } } } } };
}

function rateLimitHeaders(state: SimState): Record<string, string> {
  const usage = state.quotaUsage('x', X_SIM_USER.id);
  const reset = String(Math.floor(Date.now() / 1000) + usage.windowSeconds);
  return {
    'x-rate-limit-limit': String(usage.limit),
    'x-rate-limit-remaining': String(Math.max(0, usage.limit - usage.used)),
    'x-rate-limit-reset': reset,
    'x-user-limit-24hour-limit': String(usage.limit),
    'x-user-limit-24hour-remaining': String(Math.max(0, usage.limit - usage.used)),
    'x-user-limit-24hour-reset': reset,
  };
}

function createPost(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  if (!body) return invalid('The request body must be a JSON object');
  const text = typeof body.text === 'string' ? body.text : '';
  const mediaIds = object(body.media)?.media_ids;
  const attached = Array.isArray(mediaIds) ? mediaIds : [];
  if (!text && attached.length === 0) return invalid('Post text or media is required');
  if (text && !twitterText.parseTweet(text).valid)
    return problem(
      403,
      'Forbidden',
      'Your Post text is too long. For more information on how X counts characters, see the docs.',
    );
  if (attached.length > PLATFORMS.x.media.maxItems)
    return invalid(`At most ${PLATFORMS.x.media.maxItems} media ids are allowed`);
  const items = attached.map((id) => (typeof id === 'string' ? media(state).get(id) : undefined));
  if (items.some((item) => item?.state !== 'succeeded'))
    return invalid('Your media IDs are invalid: unknown, expired or still processing');

  const reply = object(body.reply);
  const replyTo = typeof reply?.in_reply_to_tweet_id === 'string' ? reply.in_reply_to_tweet_id : undefined;
  if (reply && !replyTo) return invalid('reply.in_reply_to_tweet_id is required');
  if (replyTo && !state.findPost('x', replyTo))
    return problem(400, 'Invalid Request', 'The Post you are replying to has been deleted or is not visible to you.');

  if (text && state.posts('x').some((post) => post.account === X_SIM_USER.id && post.text === text)) {
    return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
  }
  if (!state.takeQuota('x', X_SIM_USER.id))
    return problem(429, 'Too Many Requests', 'Too Many Requests', 'about:blank', rateLimitHeaders(state));

  const id = state.nextId();
  state.record({
    platform: 'x',
    id,
    account: X_SIM_USER.id,
    text,
    media: items.map((item) => ({ url: `x-media:${item?.id}`, altText: item?.altText })),
    replyTo,
  });
  return { status: 201, headers: rateLimitHeaders(state), body: { data: { id, text, edit_history_tweet_ids: [id] } } };
}

function me(request: SimRequest, state: SimState): SimResponse {
  const fields = (request.query.get('user.fields') ?? '').split(',');
  const user: Record<string, unknown> = { ...X_SIM_USER };
  if (fields.includes('public_metrics')) {
    const posts = state.posts('x').filter((post) => post.account === X_SIM_USER.id).length;
    user.public_metrics = {
      followers_count: state.followers('x', X_SIM_USER.id),
      following_count: 112,
      tweet_count: posts,
      listed_count: 41,
      like_count: 0,
    };
  }
  return { status: 200, body: { data: user } };
}

/** The user's posts, newest first; `start_time` bounds them, `pagination_token` continues a listing. */
function userTimeline(userId: string, request: SimRequest, state: SimState): SimResponse {
  const maxResults = Number(request.query.get('max_results') ?? '10');
  if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100)
    return invalid(`The \`max_results\` query parameter value [${maxResults}] is not between 5 and 100`);
  const startTime = request.query.get('start_time');
  if (startTime !== null && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(startTime))
    return invalid(`The \`start_time\` query parameter value [${startTime}] is not a valid RFC 3339 date-time`);
  const offset = Number(Buffer.from(request.query.get('pagination_token') ?? '', 'base64url').toString() || '0');
  const matching = state
    .posts('x')
    .filter((post) => post.account === userId && (startTime === null || post.receivedAt >= startTime))
    .reverse();
  const posts = matching
    .slice(offset, offset + maxResults)
    .map((post) => ({ id: post.id, text: post.text, created_at: post.receivedAt, edit_history_tweet_ids: [post.id] }));
  if (posts.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };
  const nextToken =
    offset + maxResults < matching.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
  return {
    status: 200,
    body: {
      data: posts,
      meta: {
        result_count: posts.length,
        newest_id: posts[0]?.id,
        oldest_id: posts.at(-1)?.id,
        ...(nextToken ? { next_token: nextToken } : {}),
      },
    },
  };
}

/**
 * OAuth 2.0 refresh (POST /2/oauth2/token, grant_type=refresh_token). Refresh tokens rotate: every
 * answer carries a new one and the one sent is spent. Tokens issued here are accepted like the seed's.
 * Any unspent `sim-x-refresh-…` token is valid, so every seeded channel can start its own chain.
 */
const oauth = (state: SimState) => state.scratch('x', 'oauth', () => ({ spentRefreshTokens: new Set<string>() }));

const oauthError = (status: number, error: string, description: string): SimResponse => ({
  status,
  body: { error, error_description: description },
});

function refreshToken(request: SimRequest, state: SimState): SimResponse {
  const form = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const clientId =
    typeof form.client_id === 'string'
      ? form.client_id
      : basic && Buffer.from(basic, 'base64').toString().split(':')[0];
  if (!clientId) return oauthError(401, 'invalid_client', 'Missing valid authorization header');
  if (form.grant_type !== 'refresh_token')
    return oauthError(400, 'invalid_request', 'Value passed for the grant type was invalid.');
  const sent = typeof form.refresh_token === 'string' ? form.refresh_token : '';
  const { spentRefreshTokens } = oauth(state);
  if (!sent.startsWith('sim-x-refresh-') || spentRefreshTokens.has(sent))
    return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
  spentRefreshTokens.add(sent);
  const accessToken = state.issueToken('x', 'sim-x-access');
  return {
    status: 200,
    body: {
      token_type: 'bearer',
      expires_in: 7200,
      access_token: accessToken,
      scope: 'tweet.read tweet.write users.read media.write offline.access',
      refresh_token: `sim-x-refresh-${state.nextId()}`,
    },
  };
}

const acceptsToken = (request: SimRequest, state: SimState) => {
  const bearer = /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1];
  return state.acceptsToken('x', bearer);
};

export const xSim: SimPlatform = {
  id: 'x',
  errorResponse: xErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    if (route === 'POST /2/oauth2/token') return refreshToken(request, state);
    const chunk = /^POST \/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(route);
    const timeline = /^GET \/2\/users\/(\d+)\/tweets$/.exec(route);
    const known = [
      'POST /2/media/upload',
      'GET /2/media/upload',
      'POST /2/media/upload/initialize',
      'POST /2/media/metadata',
      'POST /2/tweets',
      'GET /2/users/me',
    ];
    if (!known.includes(route) && !chunk && !timeline) return undefined;
    if (!acceptsToken(request, state)) return xErrorResponse(401, 'Unauthorized');
    if (chunk) return chunk[2] === 'append' ? append(chunk[1] ?? '', request, state) : finalize(chunk[1] ?? '', state);
    if (timeline) return userTimeline(timeline[1] ?? '', request, state);
    switch (route) {
      case 'POST /2/media/upload':
        return upload(request, state);
      case 'GET /2/media/upload':
        return status(request, state);
      case 'POST /2/media/upload/initialize':
        return initialize(request, state);
      case 'POST /2/media/metadata':
        return metadata(request, state);
      case 'POST /2/tweets':
        return createPost(request, state);
      default:
        return me(request, state);
    }
  },
};

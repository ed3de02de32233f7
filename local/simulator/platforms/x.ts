/**
 * X API v2 (api.x.com): media upload and alt text, creating posts (with replies and media), the
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
  size: number;
  altText?: string;
}

const MEDIA_CATEGORIES = ['tweet_image', 'tweet_gif', 'tweet_video', 'amplify_video', 'subtitles', 'dm_image', 'dm_gif', 'dm_video'];
const ALT_TEXT_LIMIT = 1000;

const problem = (status: number, title: string, detail: string, type = 'about:blank', headers?: Record<string, string>): SimResponse => ({
  status,
  headers,
  body: { title, detail, type, status },
});

const invalid = (message: string): SimResponse => ({
  status: 400,
  body: { errors: [{ message }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' },
});

function xErrorResponse(status: number, message: string): SimResponse {
  if (status === 401) return problem(401, 'Unauthorized', 'Unauthorized');
  if (status === 429) return problem(429, 'Too Many Requests', 'Too Many Requests');
  if (status === 404) return problem(404, 'Not Found Error', message, 'https://api.twitter.com/2/problems/resource-not-found');
  if (status >= 500) return problem(status, 'Service Unavailable', 'Service Unavailable');
  return problem(status, 'Error', message);
}

const media = (state: SimState) => state.scratch('x', 'media', () => new Map<string, UploadedMedia>());

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function upload(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const data = typeof body?.media === 'string' ? Buffer.from(body.media, 'base64') : undefined;
  if (!data || data.byteLength === 0) return invalid('The `media` field is required and must be base64-encoded file content');
  const category = typeof body?.media_category === 'string' ? body.media_category : 'tweet_image';
  if (!MEDIA_CATEGORIES.includes(category)) return invalid(`The \`media_category\` value [${category}] is not one of [${MEDIA_CATEGORIES.join(',')}]`);
  const limit = category.includes('video') ? PLATFORMS.x.media.maxVideoBytes : PLATFORMS.x.media.maxImageBytes;
  if (data.byteLength > limit) return invalid(`File size exceeds ${limit} bytes`);
  const id = state.nextId();
  media(state).set(id, { id, category, size: data.byteLength });
  return { status: 200, body: { data: { id, media_key: `3_${id}`, size: data.byteLength, expires_after_secs: 86400 } } };
}

function metadata(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const item = typeof body?.id === 'string' ? media(state).get(body.id) : undefined;
  if (!item) return problem(400, 'Invalid Request', 'The media id is unknown or expired', 'https://api.twitter.com/2/problems/invalid-request');
  const altText = object(object(body?.metadata)?.alt_text)?.text;
  if (typeof altText !== 'string' || altText.length > ALT_TEXT_LIMIT) return invalid(`alt_text.text must be a string of at most ${ALT_TEXT_LIMIT} characters`);
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
  if (text && !twitterText.parseTweet(text).valid) return problem(403, 'Forbidden', 'Your Post text is too long. For more information on how X counts characters, see the docs.');
  if (attached.length > PLATFORMS.x.media.maxItems) return invalid(`At most ${PLATFORMS.x.media.maxItems} media ids are allowed`);
  const items = attached.map((id) => (typeof id === 'string' ? media(state).get(id) : undefined));
  if (items.some((item) => !item)) return invalid('One or more media ids are unknown or expired');

  const reply = object(body.reply);
  const replyTo = typeof reply?.in_reply_to_tweet_id === 'string' ? reply.in_reply_to_tweet_id : undefined;
  if (reply && !replyTo) return invalid('reply.in_reply_to_tweet_id is required');
  if (replyTo && !state.findPost('x', replyTo)) return problem(400, 'Invalid Request', 'The Post you are replying to has been deleted or is not visible to you.');

  if (text && state.posts('x').some((post) => post.account === X_SIM_USER.id && post.text === text)) {
    return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
  }
  if (!state.takeQuota('x', X_SIM_USER.id)) return problem(429, 'Too Many Requests', 'Too Many Requests', 'about:blank', rateLimitHeaders(state));

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
    user.public_metrics = { followers_count: state.followers('x', X_SIM_USER.id), following_count: 112, tweet_count: posts, listed_count: 41, like_count: 0 };
  }
  return { status: 200, body: { data: user } };
}

function timeline(userId: string, request: SimRequest, state: SimState): SimResponse {
  const maxResults = Number(request.query.get('max_results') ?? '10');
  if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) return invalid(`The \`max_results\` query parameter value [${maxResults}] is not between 5 and 100`);
  const posts = state
    .posts('x')
    .filter((post) => post.account === userId)
    .reverse()
    .slice(0, maxResults)
    .map((post) => ({ id: post.id, text: post.text, created_at: post.receivedAt, edit_history_tweet_ids: [post.id] }));
  if (posts.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };
  return { status: 200, body: { data: posts, meta: { result_count: posts.length, newest_id: posts[0]?.id, oldest_id: posts.at(-1)?.id } } };
}

export const xSim: SimPlatform = {
  id: 'x',
  errorResponse: xErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    const known = ['POST /2/media/upload', 'POST /2/media/metadata', 'POST /2/tweets', 'GET /2/users/me'].includes(route) || /^GET \/2\/users\/\d+\/tweets$/.test(route);
    if (!known) return undefined;
    if (request.headers.authorization !== `Bearer ${state.token('x')}`) return xErrorResponse(401, 'Unauthorized');
    if (route === 'POST /2/media/upload') return upload(request, state);
    if (route === 'POST /2/media/metadata') return metadata(request, state);
    if (route === 'POST /2/tweets') return createPost(request, state);
    if (route === 'GET /2/users/me') return me(request, state);
    return timeline(request.path.split('/')[3] ?? '', request, state);
  },
};

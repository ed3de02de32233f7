/**
 * Pinterest API v5 (api.pinterest.com/v5): creating pins on a board (an image or video is
 * required; title 100, description 800, alt text 500, link 2,048), video uploads (register, a form
 * POST to the storage URL with the issued fields, processing status), listing a board's pins, and
 * the user account with its follower count. Errors are `{ code, message }` as in the OpenAPI spec.
 */
import { createHash } from 'node:crypto';
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimFile, SimPlatform, SimRequest, SimResponse, SimState } from '../types';

/** The account the simulated token belongs to. */
export const PINTEREST_SIM_USER = { id: '549755885175', username: 'herold_sim' } as const;

const LIMITS = {
  title: 100,
  description: PLATFORMS.pinterest.text.limit,
  altText: PLATFORMS.pinterest.media.maxAltText,
  link: 2048,
};
const SOURCE_TYPES = [
  'image_url',
  'image_base64',
  'multiple_image_urls',
  'multiple_image_base64',
  'video_id',
  'pin_url',
];

interface Pin {
  id: string;
  board_id: string;
  title: string | null;
  description: string | null;
  link: string | null;
  alt_text: string | null;
  created_at: string;
  media_type: 'image' | 'video';
}

interface VideoUpload {
  id: string;
  parameters: Record<string, string>;
  status: 'registered' | 'processing' | 'succeeded';
}

const pins = (state: SimState) => state.scratch('pinterest', 'pins', () => [] as Pin[]);
const uploads = (state: SimState) => state.scratch('pinterest', 'uploads', () => new Map<string, VideoUpload>());

const error = (status: number, code: number, message: string): SimResponse => ({ status, body: { code, message } });

function pinterestErrorResponse(status: number, message: string): SimResponse {
  if (status === 401) return error(401, 2, 'Authentication failed.');
  if (status === 403) return error(403, 29, 'You are not permitted to access that resource.');
  if (status === 429) return error(429, 8, 'You have exceeded your rate limit. Try again later.');
  if (status >= 500) return error(status, 3, 'Service unavailable. Please try again later.');
  return error(status, 1, message);
}

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const codePoints = (text: string) => [...text].length;
const optionalString = (value: unknown) => (typeof value === 'string' ? value : null);

/** Register a video: the answer names a storage URL and the one-time form fields it demands. */
function registerMedia(request: SimRequest, state: SimState): SimResponse {
  if (object(request.body)?.media_type !== 'video')
    return error(400, 1, 'Invalid parameters: media_type must be video');
  const id = state.nextId();
  const parameters = {
    'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    'x-amz-signature': createHash('sha256').update(`signature:${id}`).digest('hex'),
    'x-amz-security-token': createHash('sha256').update(`token:${id}`).digest('base64'),
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    key: `uploads/${id}/video.mp4`,
    policy: Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 3600_000).toISOString() })).toString(
      'base64',
    ),
    'x-amz-credential': 'ASIAEXAMPLE/20240202/us-east-1/s3/aws4_request',
    'Content-Type': 'multipart/form-data',
  };
  uploads(state).set(id, { id, parameters, status: 'registered' });
  return {
    status: 201,
    body: {
      media_id: id,
      media_type: 'video',
      upload_url: `${state.baseUrl}/pinterest/media-uploads/${id}`,
      upload_parameters: parameters,
    },
  };
}

/** The storage side: every form field as issued, then a non-empty `file` part; answers 204 like S3. */
function storeUpload(id: string, request: SimRequest, state: SimState): SimResponse {
  const upload = uploads(state).get(id);
  if (!upload) return { status: 404, body: 'NoSuchUpload' };
  const fields = object(request.body) ?? {};
  const missing = Object.entries(upload.parameters).find(([name, value]) => fields[name] !== value);
  if (missing) return { status: 403, body: `AccessDenied: form field ${missing[0]} missing or altered` };
  const file = object(fields.file) as SimFile | undefined;
  if (!file?.size) return { status: 400, body: 'InvalidArgument: POST requires exactly one file upload per request' };
  upload.status = 'processing';
  return { status: 204 };
}

/** Processing finishes by the second status read after the upload. */
function mediaStatus(id: string, state: SimState): SimResponse {
  const upload = uploads(state).get(id);
  if (!upload) return error(404, 2711, 'Media not found');
  const status = upload.status;
  if (upload.status === 'processing') upload.status = 'succeeded';
  return { status: 200, body: { media_id: upload.id, media_type: 'video', status } };
}

function invalidPin(body: Record<string, unknown>, state: SimState): string | undefined {
  if (typeof body.board_id !== 'string' || !/^\d+$/.test(body.board_id))
    return 'Invalid parameters: board_id is required';
  const source = object(body.media_source);
  if (!source) return 'Invalid parameters: media_source is required';
  if (!SOURCE_TYPES.includes(String(source.source_type)))
    return `Invalid parameters: media_source.source_type must be one of ${SOURCE_TYPES.join(', ')}`;
  if (source.source_type === 'image_url' && (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)))
    return 'Invalid parameters: media_source.url must be an http(s) URL';
  if (source.source_type === 'video_id') {
    if (typeof source.media_id !== 'string') return 'Invalid parameters: media_source.media_id is required';
    if (uploads(state).get(source.media_id)?.status !== 'succeeded')
      return 'Invalid parameters: media_source.media_id is not an uploaded, processed video';
    if (source.cover_image_url === undefined && source.cover_image_key_frame_time === undefined)
      return 'Invalid parameters: a video pin needs cover_image_url or cover_image_key_frame_time';
  }
  for (const [field, max] of [
    ['title', LIMITS.title],
    ['description', LIMITS.description],
    ['alt_text', LIMITS.altText],
    ['link', LIMITS.link],
  ] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || codePoints(value) > max))
      return `Invalid parameters: ${field} must be at most ${max} characters`;
  }
  if (typeof body.link === 'string' && !URL.canParse(body.link)) return 'Invalid parameters: link must be a valid URL';
  return undefined;
}

function createPin(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  if (!body) return error(400, 1, 'Invalid request body');
  const problem = invalidPin(body, state);
  if (problem) return error(400, 1, problem);
  const boardId = String(body.board_id);
  if (!state.takeQuota('pinterest', boardId)) return pinterestErrorResponse(429, '');
  const source = object(body.media_source) ?? {};
  const pin: Pin = {
    id: state.nextId(),
    board_id: boardId,
    title: optionalString(body.title),
    description: optionalString(body.description),
    link: optionalString(body.link),
    alt_text: optionalString(body.alt_text),
    created_at: new Date().toISOString().replace(/\.\d{3}Z$/, '-00:00'),
    media_type: source.source_type === 'video_id' ? 'video' : 'image',
  };
  pins(state).push(pin);
  state.record({
    platform: 'pinterest',
    id: pin.id,
    account: boardId,
    text: pin.description ?? '',
    ...(pin.link ? { link: pin.link } : {}),
    media: [{ url: String(source.url ?? source.media_id ?? ''), ...(pin.alt_text ? { altText: pin.alt_text } : {}) }],
  });
  return { status: 201, body: pinBody(pin) };
}

function pinBody(pin: Pin): Record<string, unknown> {
  return {
    id: pin.id,
    created_at: pin.created_at,
    link: pin.link,
    title: pin.title,
    description: pin.description,
    dominant_color: '#6E7874',
    alt_text: pin.alt_text,
    creative_type: pin.media_type === 'video' ? 'VIDEO' : 'REGULAR',
    board_id: pin.board_id,
    board_section_id: null,
    board_owner: { username: PINTEREST_SIM_USER.username },
    is_owner: true,
    media: { media_type: pin.media_type },
    parent_pin_id: null,
    is_standard: true,
    has_been_promoted: false,
    note: null,
    pin_metrics: null,
  };
}

function boardPins(boardId: string, request: SimRequest, state: SimState): SimResponse {
  const pageSize = Number(request.query.get('page_size') ?? '25');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250)
    return error(400, 1, 'Invalid parameters: page_size must be between 1 and 250');
  const offset = Number(Buffer.from(request.query.get('bookmark') ?? '', 'base64url').toString() || '0');
  const all = pins(state)
    .filter((pin) => pin.board_id === boardId)
    .reverse();
  const items = all.slice(offset, offset + pageSize).map(pinBody);
  const bookmark = offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)).toString('base64url') : null;
  return { status: 200, body: { items, bookmark } };
}

function userAccount(state: SimState): SimResponse {
  return {
    status: 200,
    body: {
      account_type: 'BUSINESS',
      id: PINTEREST_SIM_USER.id,
      username: PINTEREST_SIM_USER.username,
      about: 'Herold simulator',
      website_url: 'https://herold.example',
      business_name: 'Herold Simulator',
      board_count: 1,
      pin_count: pins(state).length,
      follower_count: state.followers('pinterest', PINTEREST_SIM_USER.username),
      following_count: 12,
      monthly_views: 4200,
    },
  };
}

export const pinterestSim: SimPlatform = {
  id: 'pinterest',
  errorResponse: pinterestErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    const stored = /^POST \/media-uploads\/(\d+)$/.exec(route)?.[1];
    if (stored) return storeUpload(stored, request, state);
    const board = /^GET \/v5\/boards\/(\d+)\/pins$/.exec(route)?.[1];
    const media = /^GET \/v5\/media\/(\d+)$/.exec(route)?.[1];
    if (!['POST /v5/pins', 'POST /v5/media', 'GET /v5/user_account'].includes(route) && !board && !media)
      return undefined;
    if (!state.acceptsToken('pinterest', /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1]))
      return pinterestErrorResponse(401, '');
    if (route === 'POST /v5/media') return registerMedia(request, state);
    if (media) return mediaStatus(media, state);
    if (route === 'POST /v5/pins') return createPin(request, state);
    if (route === 'GET /v5/user_account') return userAccount(state);
    return boardPins(board ?? '', request, state);
  },
};

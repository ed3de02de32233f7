/**
 * Pinterest API v5 (api.pinterest.com/v5): creating pins on a board (an image or video is
 * required; title 100, description 800, alt text 500, link 2,048), listing a board's pins, and the
 * user account with its follower count. Errors are `{ code, message }` as in the OpenAPI spec.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';

/** The account the simulated token belongs to. */
export const PINTEREST_SIM_USER = { id: '549755885175', username: 'herold_sim' } as const;

const LIMITS = { title: 100, description: PLATFORMS.pinterest.text.limit, altText: PLATFORMS.pinterest.media.maxAltText, link: 2048 };
const SOURCE_TYPES = ['image_url', 'image_base64', 'multiple_image_urls', 'multiple_image_base64', 'video_id', 'pin_url'];

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

const pins = (state: SimState) => state.scratch('pinterest', 'pins', () => [] as Pin[]);

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

function invalidPin(body: Record<string, unknown>): string | undefined {
  if (typeof body.board_id !== 'string' || !/^\d+$/.test(body.board_id)) return 'Invalid parameters: board_id is required';
  const source = object(body.media_source);
  if (!source) return 'Invalid parameters: media_source is required';
  if (!SOURCE_TYPES.includes(String(source.source_type))) return `Invalid parameters: media_source.source_type must be one of ${SOURCE_TYPES.join(', ')}`;
  if (source.source_type === 'image_url' && (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url))) return 'Invalid parameters: media_source.url must be an http(s) URL';
  if (source.source_type === 'video_id' && typeof source.media_id !== 'string') return 'Invalid parameters: media_source.media_id is required';
  for (const [field, max] of [['title', LIMITS.title], ['description', LIMITS.description], ['alt_text', LIMITS.altText], ['link', LIMITS.link]] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || codePoints(value) > max)) return `Invalid parameters: ${field} must be at most ${max} characters`;
  }
  if (typeof body.link === 'string' && !URL.canParse(body.link)) return 'Invalid parameters: link must be a valid URL';
  return undefined;
}

function createPin(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  if (!body) return error(400, 1, 'Invalid request body');
  const problem = invalidPin(body);
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
    created_at: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
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
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) return error(400, 1, 'Invalid parameters: page_size must be between 1 and 250');
  const items = pins(state)
    .filter((pin) => pin.board_id === boardId)
    .reverse()
    .slice(0, pageSize)
    .map(pinBody);
  return { status: 200, body: { items, bookmark: null } };
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
    const board = /^GET \/v5\/boards\/(\d+)\/pins$/.exec(route)?.[1];
    if (route !== 'POST /v5/pins' && route !== 'GET /v5/user_account' && !board) return undefined;
    if (request.headers.authorization !== `Bearer ${state.token('pinterest')}`) return pinterestErrorResponse(401, '');
    if (route === 'POST /v5/pins') return createPin(request, state);
    if (route === 'GET /v5/user_account') return userAccount(state);
    return boardPins(board ?? '', request, state);
  },
};

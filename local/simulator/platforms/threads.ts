/**
 * Threads (graph.threads.net/v1.0): containers, publishing, the media node, the user's threads,
 * insights and the publishing limit, with Graph's error envelope.
 * Video containers report IN_PROGRESS on their first status read and FINISHED after, so clients
 * must poll as the documentation asks; publishing an unfinished container fails like Graph does.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';
import {
  checkGraphToken,
  graphError,
  graphErrorResponse,
  graphParams,
  graphRoute,
  graphTime,
  isHttpUrl,
  threadsTextLength,
  unsupportedGet,
} from './meta-graph';

interface Container {
  id: string;
  userId: string;
  mediaType: 'TEXT' | 'IMAGE' | 'VIDEO' | 'CAROUSEL';
  text: string;
  imageUrl?: string;
  videoUrl?: string;
  altText?: string;
  link?: string;
  replyTo?: string;
  carouselItem: boolean;
  children: string[];
  statusReads: number;
  status: 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED';
  mediaId?: string;
}

interface Media {
  id: string;
  userId: string;
  mediaType: Container['mediaType'];
  text: string;
  shortcode: string;
  timestamp: string;
  replyTo?: string;
}

const MEDIA_TYPES = ['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'] as const;
const TEXT_LIMIT = PLATFORMS.threads.text.limit;

const store = (state: SimState) => ({
  containers: state.scratch('threads', 'containers', () => new Map<string, Container>()),
  media: state.scratch('threads', 'media', () => new Map<string, Media>()),
});

const username = (userId: string) => `sim_user_${userId}`;
const permalink = (media: Media) => `https://www.threads.net/@${username(media.userId)}/post/${media.shortcode}`;

function shortcodeFor(id: string): string {
  return BigInt(id).toString(36).toUpperCase();
}

function createContainer(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers, media } = store(state);
  const mediaType = params.media_type as Container['mediaType'];
  if (!MEDIA_TYPES.includes(mediaType))
    return graphError(
      400,
      100,
      'The parameter media_type is required and must be one of TEXT, IMAGE, VIDEO, CAROUSEL.',
    );
  const text = params.text ?? '';
  const carouselItem = params.is_carousel_item === 'true';
  if (mediaType === 'TEXT' && !text.trim())
    return graphError(400, 100, 'The parameter text is required for media_type TEXT.');
  if (threadsTextLength(text) > TEXT_LIMIT)
    return graphError(400, 100, `Param text must be at most ${TEXT_LIMIT} characters long.`, {
      userTitle: 'Text too long',
    });
  if (mediaType === 'IMAGE' && !isHttpUrl(params.image_url))
    return graphError(400, 100, 'The parameter image_url is required for media_type IMAGE and must be a public URL.');
  if (mediaType === 'VIDEO' && !isHttpUrl(params.video_url))
    return graphError(400, 100, 'The parameter video_url is required for media_type VIDEO and must be a public URL.');
  if (params.link_attachment !== undefined && (mediaType !== 'TEXT' || !isHttpUrl(params.link_attachment))) {
    return graphError(400, 100, 'link_attachment is only available for TEXT posts and must be a URL.');
  }
  if (params.alt_text !== undefined && params.alt_text.length > PLATFORMS.threads.media.maxAltText) {
    return graphError(
      400,
      100,
      `Param alt_text must be at most ${PLATFORMS.threads.media.maxAltText} characters long.`,
    );
  }
  if (params.reply_to_id !== undefined && !media.has(params.reply_to_id)) return unsupportedGet(params.reply_to_id);
  const children = mediaType === 'CAROUSEL' ? (params.children ?? '').split(',').filter(Boolean) : [];
  if (mediaType === 'CAROUSEL') {
    const valid = children.every(
      (child) => containers.get(child)?.carouselItem && containers.get(child)?.userId === userId,
    );
    if (children.length < 2 || children.length > PLATFORMS.threads.media.maxItems || !valid) {
      return graphError(400, 100, 'The parameter children must list 2 to 20 carousel item containers of this user.');
    }
  }
  const container: Container = {
    id: state.nextId(),
    userId,
    mediaType,
    text,
    imageUrl: params.image_url,
    videoUrl: params.video_url,
    altText: params.alt_text,
    link: params.link_attachment,
    replyTo: params.reply_to_id,
    carouselItem,
    children,
    statusReads: 0,
    status: mediaType === 'VIDEO' ? 'IN_PROGRESS' : 'FINISHED',
  };
  containers.set(container.id, container);
  return { status: 200, body: { id: container.id } };
}

function publish(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers, media } = store(state);
  const container = params.creation_id ? containers.get(params.creation_id) : undefined;
  if (!container || container.userId !== userId || container.status === 'IN_PROGRESS' || container.carouselItem) {
    return graphError(400, 24, 'The requested resource does not exist', {
      subcode: 4279009,
      userTitle: 'Media Not Found',
      userMessage: `The media with id ${params.creation_id ?? ''} cannot be found.`,
    });
  }
  if (container.status === 'PUBLISHED') {
    return graphError(400, 100, 'The media container has already been published.', {
      subcode: 4279010,
      userTitle: 'Already published',
    });
  }
  if (!state.takeQuota('threads', userId)) {
    return graphError(400, 4, 'The user has reached the publishing limit (threads_publishing_limit).', {
      transient: true,
      userTitle: 'Publishing limit reached',
    });
  }
  const id = state.nextId();
  const published: Media = {
    id,
    userId,
    mediaType: container.mediaType,
    text: container.text,
    shortcode: shortcodeFor(id),
    timestamp: new Date().toISOString(),
    replyTo: container.replyTo,
  };
  media.set(id, published);
  container.status = 'PUBLISHED';
  container.mediaId = id;
  const items =
    container.mediaType === 'CAROUSEL' ? container.children.map((child) => containers.get(child)!) : [container];
  state.record({
    platform: 'threads',
    id,
    account: userId,
    text: container.text,
    link: container.link,
    media: items.flatMap((item) => {
      const url = item.imageUrl ?? item.videoUrl;
      return url ? [{ url, ...(item.altText ? { altText: item.altText } : {}) }] : [];
    }),
    replyTo: container.replyTo,
  });
  return { status: 200, body: { id } };
}

function mediaFields(item: Media): Record<string, unknown> {
  return {
    id: item.id,
    media_product_type: 'THREADS',
    media_type:
      item.mediaType === 'TEXT' ? 'TEXT_POST' : item.mediaType === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : item.mediaType,
    permalink: permalink(item),
    owner: { id: item.userId },
    username: username(item.userId),
    text: item.text,
    timestamp: graphTime(item.timestamp),
    shortcode: item.shortcode,
    is_quote_post: false,
    is_reply: item.replyTo !== undefined,
  };
}

/** Graph answers only the fields asked for (plus id). */
function pick(
  object: Record<string, unknown>,
  fields: string | undefined,
  defaults: string[],
): Record<string, unknown> {
  const wanted = fields ? fields.split(',').map((field) => field.trim()) : defaults;
  return Object.fromEntries(Object.entries(object).filter(([name]) => name === 'id' || wanted.includes(name)));
}

function readNode(id: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers, media } = store(state);
  const container = containers.get(id);
  if (container) {
    container.statusReads += 1;
    if (container.status === 'IN_PROGRESS' && container.statusReads > 1) container.status = 'FINISHED';
    return { status: 200, body: pick({ id, status: container.status }, params.fields, ['status']) };
  }
  const item = media.get(id);
  if (item) return { status: 200, body: pick(mediaFields(item), params.fields, []) };
  return unsupportedGet(id);
}

function userThreads(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const limit = Math.min(100, Number(params.limit ?? 25) || 25);
  const items = [...store(state).media.values()].filter((item) => item.userId === userId).reverse();
  return {
    status: 200,
    body: {
      data: items.slice(0, limit).map((item) => pick(mediaFields(item), params.fields, ['id'])),
      paging: { cursors: { before: 'BEFORE', after: 'AFTER' } },
    },
  };
}

function insights(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const metrics = (params.metric ?? '').split(',').filter(Boolean);
  if (metrics.length === 0) return graphError(400, 100, 'The parameter metric is required.');
  if (metrics.some((metric) => metric !== 'followers_count'))
    return graphError(400, 100, 'The simulator serves only the followers_count metric.');
  return {
    status: 200,
    body: {
      data: [
        {
          name: 'followers_count',
          period: 'day',
          title: 'followers_count',
          description: "This is the number of followers on the user's profile.",
          total_value: { value: state.followers('threads', userId) },
          id: `${userId}/insights/followers_count/day`,
        },
      ],
    },
  };
}

function publishingLimit(userId: string, state: SimState): SimResponse {
  const usage = state.quotaUsage('threads', userId);
  return {
    status: 200,
    body: {
      data: [{ quota_usage: usage.used, config: { quota_total: usage.limit, quota_duration: usage.windowSeconds } }],
    },
  };
}

/** Long-lived tokens last 60 days; the simulator's token never changes, so the refreshed one is the same. */
function refreshToken(request: SimRequest, state: SimState): SimResponse {
  const params = graphParams(request);
  if (params.grant_type !== 'th_refresh_token')
    return graphError(400, 100, 'The parameter grant_type must be th_refresh_token.');
  const denied = checkGraphToken(request, params, state, 'threads');
  if (denied) return denied;
  return {
    status: 200,
    body: { access_token: state.token('threads'), token_type: 'bearer', expires_in: 60 * 24 * 60 * 60 },
  };
}

export const threadsSim: SimPlatform = {
  id: 'threads',
  errorResponse: graphErrorResponse,
  handle(request: SimRequest, state: SimState): SimResponse | undefined {
    if (request.method === 'GET' && request.path === '/refresh_access_token') return refreshToken(request, state);
    const route = graphRoute(request.path);
    if (!route) return undefined;
    const params = graphParams(request);
    const denied = checkGraphToken(request, params, state, 'threads');
    if (denied) return denied;
    const { node, edge } = route;
    if (request.method === 'POST' && edge === 'threads') return createContainer(node, params, state);
    if (request.method === 'POST' && edge === 'threads_publish') return publish(node, params, state);
    if (request.method !== 'GET') return undefined;
    if (edge === undefined) return readNode(node, params, state);
    if (edge === 'threads') return userThreads(node, params, state);
    if (edge === 'threads_insights') return insights(node, params, state);
    if (edge === 'threads_publishing_limit') return publishingLimit(node, state);
    return undefined;
  },
};

/**
 * Instagram (Instagram Graph API on graph.facebook.com/vNN.0): media containers (image, REELS,
 * carousel), container status_code, media_publish, published media with permalinks, the user's
 * media, followers_count and content_publishing_limit, with Instagram's error codes.
 * A container without an image or a video is refused: Instagram has no text-only posts.
 * Video containers are IN_PROGRESS on their first status read and FINISHED after.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';
import {
  checkGraphToken,
  codePointLength,
  debugToken,
  graphError,
  graphErrorResponse,
  graphParams,
  graphRoute,
  graphTime,
  isHttpUrl,
  unsupportedGet,
} from './meta-graph';

interface Container {
  id: string;
  userId: string;
  kind: 'IMAGE' | 'VIDEO' | 'REELS' | 'CAROUSEL';
  caption: string;
  url?: string;
  altText?: string;
  carouselItem: boolean;
  children: string[];
  statusReads: number;
  status: 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED';
}

interface Media {
  id: string;
  userId: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  shortcode: string;
  timestamp: string;
}

const rules = PLATFORMS.instagram;
const MAX_HASHTAGS = 30;

const store = (state: SimState) => ({
  containers: state.scratch('instagram', 'containers', () => new Map<string, Container>()),
  media: state.scratch('instagram', 'media', () => new Map<string, Media>()),
});

const permalink = (media: Media) => `https://www.instagram.com/p/${media.shortcode}/`;

function createContainer(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers } = store(state);
  const mediaType = params.media_type ?? 'IMAGE';
  const carouselItem = params.is_carousel_item === 'true';
  const caption = params.caption ?? '';
  if (!['IMAGE', 'VIDEO', 'REELS', 'CAROUSEL'].includes(mediaType))
    return graphError(400, 100, `The parameter media_type has an unsupported value ${mediaType}.`);
  if (mediaType === 'VIDEO' && !carouselItem)
    return graphError(400, 100, 'The VIDEO media type is only available for carousel items; use REELS.');
  if (codePointLength(caption) > rules.text.limit)
    return graphError(400, 100, `The caption must be at most ${rules.text.limit} characters long.`, {
      subcode: 2207010,
    });
  if ((caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).length > MAX_HASHTAGS)
    return graphError(400, 100, `The caption may contain at most ${MAX_HASHTAGS} hashtags.`, { subcode: 2207010 });
  let url: string | undefined;
  let children: string[] = [];
  if (mediaType === 'CAROUSEL') {
    children = (params.children ?? '').split(',').filter(Boolean);
    const valid = children.every(
      (child) => containers.get(child)?.carouselItem && containers.get(child)?.userId === userId,
    );
    if (children.length < 2 || children.length > rules.media.maxItems || !valid) {
      return graphError(
        400,
        100,
        `The parameter children must list 2 to ${rules.media.maxItems} carousel item containers of this user.`,
      );
    }
  } else {
    url = mediaType === 'IMAGE' ? params.image_url : params.video_url;
    if (!isHttpUrl(url)) {
      const missing = mediaType === 'IMAGE' ? 'image_url' : 'video_url';
      return graphError(400, 100, `The parameter ${missing} is required: Instagram posts need an image or a video.`, {
        userTitle: 'Media required',
      });
    }
  }
  if (
    params.alt_text !== undefined &&
    (mediaType !== 'IMAGE' || codePointLength(params.alt_text) > rules.media.maxAltText)
  ) {
    return graphError(
      400,
      100,
      `alt_text is only available for images and must be at most ${rules.media.maxAltText} characters.`,
    );
  }
  const container: Container = {
    id: state.nextId(),
    userId,
    kind: mediaType as Container['kind'],
    caption,
    url,
    altText: params.alt_text,
    carouselItem,
    children,
    statusReads: 0,
    status: mediaType === 'VIDEO' || mediaType === 'REELS' ? 'IN_PROGRESS' : 'FINISHED',
  };
  containers.set(container.id, container);
  return { status: 200, body: { id: container.id } };
}

function publish(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers, media } = store(state);
  const container = params.creation_id ? containers.get(params.creation_id) : undefined;
  if (!container || container.userId !== userId || container.carouselItem) {
    return graphError(400, 24, 'The requested resource does not exist', {
      subcode: 2207008,
      userTitle: 'Media builder not found',
    });
  }
  const items = container.kind === 'CAROUSEL' ? container.children.map((child) => containers.get(child)!) : [container];
  if ([container, ...items].some((item) => item.status === 'IN_PROGRESS')) {
    return graphError(400, 9007, 'Media ID is not available', {
      subcode: 2207027,
      userTitle: 'Media not ready',
      userMessage: 'The media is not ready for publishing, please wait for a moment',
    });
  }
  if (container.status === 'PUBLISHED') return graphError(400, 100, 'The media container has already been published.');
  if (!state.takeQuota('instagram', userId)) {
    return graphError(400, 9, 'Application request limit reached', {
      subcode: 2207042,
      userTitle: 'Maximum posts reached',
      userMessage: 'You reached maximum number of posts that is allowed to be published by API in 24 hours.',
    });
  }
  const id = state.nextId();
  media.set(id, {
    id,
    userId,
    caption: container.caption,
    mediaType: container.kind === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : container.kind === 'IMAGE' ? 'IMAGE' : 'VIDEO',
    shortcode: BigInt(id).toString(36),
    timestamp: new Date().toISOString(),
  });
  container.status = 'PUBLISHED';
  state.record({
    platform: 'instagram',
    id,
    account: userId,
    text: container.caption,
    media: items.map((item) => ({ url: item.url!, ...(item.altText ? { altText: item.altText } : {}) })),
  });
  return { status: 200, body: { id } };
}

function pick(object: Record<string, unknown>, fields: string | undefined): Record<string, unknown> {
  const wanted = (fields ?? '').split(',').map((field) => field.trim());
  return Object.fromEntries(Object.entries(object).filter(([name]) => name === 'id' || wanted.includes(name)));
}

function mediaFields(item: Media): Record<string, unknown> {
  return {
    id: item.id,
    caption: item.caption,
    media_type: item.mediaType,
    permalink: permalink(item),
    timestamp: graphTime(item.timestamp),
    shortcode: item.shortcode,
  };
}

function readNode(node: string, params: Record<string, string>, state: SimState): SimResponse {
  const { containers, media } = store(state);
  const container = containers.get(node);
  if (container) {
    container.statusReads += 1;
    if (container.status === 'IN_PROGRESS' && container.statusReads > 1) container.status = 'FINISHED';
    return {
      status: 200,
      body: pick(
        { id: node, status_code: container.status, status: `${container.status}: simulated` },
        params.fields ?? 'status_code',
      ),
    };
  }
  const item = media.get(node);
  if (item) return { status: 200, body: pick(mediaFields(item), params.fields) };
  if (!/^\d+$/.test(node)) return unsupportedGet(node);
  const user = {
    id: node,
    username: `sim_ig_${node}`,
    followers_count: state.followers('instagram', node),
    follows_count: 80,
    media_count: [...media.values()].filter((entry) => entry.userId === node).length,
  };
  return { status: 200, body: pick(user, params.fields ?? 'username') };
}

function userMedia(userId: string, params: Record<string, string>, state: SimState): SimResponse {
  const limit = Math.min(100, Number(params.limit ?? 25) || 25);
  const items = [...store(state).media.values()].filter((item) => item.userId === userId).reverse();
  return {
    status: 200,
    body: { data: items.slice(0, limit).map((item) => pick(mediaFields(item), params.fields)), paging: {} },
  };
}

function publishingLimit(userId: string, state: SimState): SimResponse {
  const usage = state.quotaUsage('instagram', userId);
  return {
    status: 200,
    body: {
      data: [{ quota_usage: usage.used, config: { quota_total: usage.limit, quota_duration: usage.windowSeconds } }],
    },
  };
}

export const instagramSim: SimPlatform = {
  id: 'instagram',
  errorResponse: graphErrorResponse,
  handle(request: SimRequest, state: SimState): SimResponse | undefined {
    const route = graphRoute(request.path);
    if (!route) return undefined;
    const params = graphParams(request);
    const denied = checkGraphToken(request, params, state, 'instagram');
    if (denied) return denied;
    const { node, edge } = route;
    if (request.method === 'GET' && node === 'debug_token' && edge === undefined)
      return debugToken(params, state, 'instagram');
    if (request.method === 'POST' && edge === 'media') return createContainer(node, params, state);
    if (request.method === 'POST' && edge === 'media_publish') return publish(node, params, state);
    if (request.method !== 'GET') return undefined;
    if (edge === undefined) return readNode(node, params, state);
    if (edge === 'media') return userMedia(node, params, state);
    if (edge === 'content_publishing_limit') return publishingLimit(node, state);
    return undefined;
  },
};

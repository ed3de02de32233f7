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
import { SIM_APP_SECRETS } from '../replies';

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
  /** a citizen's reply (POST /_sim/replies), with its moderation state */
  citizen?: { username: string; hidden: boolean };
}

/** The simulator pages conversations at 25 so tests see several pages (Threads allows up to 100). */
const CONVERSATION_PAGE = 25;

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

/** The post a reply belongs to: the first of its chain that is no reply. */
function rootOf(item: Media, media: Map<string, Media>): Media {
  let current = item;
  const seen = new Set<string>();
  while (current.replyTo && media.has(current.replyTo) && !seen.has(current.id)) {
    seen.add(current.id);
    current = media.get(current.replyTo)!;
  }
  return current;
}

/** GET /{media-id}/conversation: every reply at every depth, flat, oldest first with reverse=false, cursor-paged. */
function conversation(id: string, params: Record<string, string>, state: SimState): SimResponse {
  const { media } = store(state);
  const root = media.get(id);
  if (!root) return unsupportedGet(id);
  const all = [...media.values()].filter((item) => item.id !== id && rootOf(item, media).id === id);
  const ordered = params.reverse === 'false' ? all : all.reverse();
  const limit = Math.min(Number(params.limit ?? CONVERSATION_PAGE) || CONVERSATION_PAGE, CONVERSATION_PAGE);
  const start = params.after ? Number(Buffer.from(params.after, 'base64url').toString('utf8')) || 0 : 0;
  const page = ordered.slice(start, start + limit);
  const after = Buffer.from(String(start + page.length), 'utf8').toString('base64url');
  return {
    status: 200,
    body: {
      data: page.map((item) =>
        pick(
          {
            id: item.id,
            text: item.text,
            username: item.citizen?.username ?? username(item.userId),
            timestamp: graphTime(item.timestamp),
            hide_status: item.citizen?.hidden ? 'HIDDEN' : 'NOT_HUSHED',
            replied_to: { id: item.replyTo },
            root_post: { id },
            is_reply: true,
            is_reply_owned_by_me: item.citizen === undefined,
          },
          params.fields,
          ['id', 'text', 'timestamp'],
        ),
      ),
      paging: {
        cursors: { before: Buffer.from(String(start), 'utf8').toString('base64url'), after },
        ...(start + page.length < ordered.length
          ? { next: `https://graph.threads.net/v1.0/${id}/conversation?after=${after}` }
          : {}),
      },
    },
  };
}

/** POST /{reply-id}/manage_reply hide=true|false: only replies directly under the account's own post. */
function manageReply(id: string, params: Record<string, string>, state: SimState): SimResponse {
  const { media } = store(state);
  const reply = media.get(id);
  const parent = reply?.replyTo ? media.get(reply.replyTo) : undefined;
  // Threads takes only top-level replies: a citizen's reply to the account's own post
  if (!reply?.citizen || !parent || parent.citizen) return unsupportedGet(id);
  reply.citizen.hidden = params.hide === 'true';
  return { status: 200, body: { success: true } };
}

export const threadsSim: SimPlatform = {
  replies: {
    add(input, state) {
      const { media } = store(state);
      const root = media.get(input.postId);
      const parent = media.get(input.parentId ?? input.postId);
      if (!root || !parent || root.citizen) return undefined;
      const id = state.nextId();
      const user = input.handle ?? `buerger_${media.size}`;
      const reply: Media = {
        id,
        userId: `citizen-${user}`,
        mediaType: 'TEXT',
        text: input.text,
        shortcode: shortcodeFor(id),
        timestamp: new Date().toISOString(),
        replyTo: parent.id,
        citizen: { username: user, hidden: false },
      };
      media.set(id, reply);
      // the replies webhook (topic moderate): values is one object, with replied_to and root_post
      const webhook = {
        appSecret: SIM_APP_SECRETS.threads,
        body: {
          app_id: 'sim-threads-app',
          topic: 'moderate',
          target_id: root.userId,
          time: Math.floor(Date.now() / 1000),
          subscription_id: 'sim',
          has_uid_field: false,
          values: {
            field: 'replies',
            value: {
              id,
              username: user,
              text: input.text,
              media_type: 'TEXT_POST',
              permalink: permalink(reply),
              replied_to: { id: parent.id },
              root_post: { id: root.id, owner_id: root.userId, username: username(root.userId) },
              shortcode: reply.shortcode,
              timestamp: graphTime(reply.timestamp),
            },
          },
        },
      };
      return { id, webhook };
    },
    remove: (id, state) => store(state).media.get(id)?.citizen !== undefined && store(state).media.delete(id),
  },
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
    if (request.method === 'POST' && edge === 'manage_reply') return manageReply(node, params, state);
    if (request.method !== 'GET') return undefined;
    if (edge === 'conversation' || edge === 'replies') return conversation(node, params, state);
    if (edge === undefined) return readNode(node, params, state);
    if (edge === 'threads') return userThreads(node, params, state);
    if (edge === 'threads_insights') return insights(node, params, state);
    if (edge === 'threads_publishing_limit') return publishingLimit(node, state);
    return undefined;
  },
};

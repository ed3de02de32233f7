/**
 * Instagram (Instagram Graph API on graph.facebook.com/vNN.0): media containers (image, REELS,
 * carousel), container status_code, media_publish, published media with permalinks, the user's
 * media, followers_count and content_publishing_limit, with Instagram's error codes.
 * A container without an image or a video is refused: Instagram has no text-only posts.
 * Video containers are IN_PROGRESS on their first status read and FINISHED after.
 * Comments (citizens' through POST /_sim/replies): GET /{ig-media-id}/comments with the `replies{…}`
 * field expansion, GET /{ig-comment-id}/replies, POST /{ig-comment-id}/replies (the account's
 * answer), POST /{ig-comment-id}?hide=, all cursor-paged like Graph; a new comment is pushed as the
 * Instagram `comments` webhook, signed with the Facebook app's secret.
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
import { SIM_APP_SECRETS } from '../replies';

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

/** An IG Comment: a citizen's, or the account's own answer. Replies are one level deep, under a top-level comment. */
interface Comment {
  id: string;
  mediaId: string;
  /** the top-level comment this one answers; undefined for a top-level comment */
  parentId?: string;
  text: string;
  from: { id: string; username: string };
  timestamp: string;
  hidden: boolean;
}

const rules = PLATFORMS.instagram;
/** Graph allows larger pages; the simulator pages comments at 25 so tests see several pages. */
const COMMENT_PAGE = 25;
const MAX_HASHTAGS = 30;

const store = (state: SimState) => ({
  containers: state.scratch('instagram', 'containers', () => new Map<string, Container>()),
  media: state.scratch('instagram', 'media', () => new Map<string, Media>()),
  comments: state.scratch('instagram', 'comments', () => new Map<string, Comment>()),
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

/** Graph's `fields` list with nested selections (`from{id,username},replies{id,text}`): name → its own fields. */
function fieldSelection(fields: string | undefined): Map<string, string | undefined> {
  const selection = new Map<string, string | undefined>();
  let depth = 0;
  let current = '';
  const flush = () => {
    const match = /^([a-z_]+)(?:\{(.*)\})?$/.exec(current.trim());
    if (match) selection.set(match[1]!, match[2]);
    current = '';
  };
  for (const character of fields ?? '') {
    if (character === ',' && depth === 0) {
      flush();
      continue;
    }
    if (character === '{') depth += 1;
    if (character === '}') depth -= 1;
    current += character;
  }
  flush();
  return selection;
}

const cursor = (index: number) => Buffer.from(String(index), 'utf8').toString('base64url');
const fromCursor = (value: string | undefined) =>
  value ? Number(Buffer.from(value, 'base64url').toString('utf8')) || 0 : 0;

/** One page of a comment list, with Graph's cursors, and `next` only when there is more. */
function commentPage(
  all: Comment[],
  path: string,
  params: { limit?: string; after?: string },
  fields: string | undefined,
  state: SimState,
): Record<string, unknown> {
  const limit = Math.min(Number(params.limit ?? COMMENT_PAGE) || COMMENT_PAGE, COMMENT_PAGE);
  const start = fromCursor(params.after);
  const page = all.slice(start, start + limit);
  const after = cursor(start + page.length);
  return {
    data: page.map((comment) => commentFields(comment, fields, state)),
    paging: {
      cursors: { before: cursor(start), after },
      ...(start + page.length < all.length ? { next: `https://graph.facebook.com/v23.0${path}?after=${after}` } : {}),
    },
  };
}

const repliesUnder = (commentId: string, state: SimState) =>
  [...store(state).comments.values()].filter((comment) => comment.parentId === commentId);

/** The IG Comment's fields asked for (id always), `replies{…}` expanded to the first page of its replies. */
function commentFields(comment: Comment, fields: string | undefined, state: SimState): Record<string, unknown> {
  const selection = fieldSelection(fields ?? 'id,text,timestamp');
  const all: Record<string, unknown> = {
    id: comment.id,
    text: comment.text,
    username: comment.from.username,
    timestamp: graphTime(comment.timestamp),
    hidden: comment.hidden,
    like_count: 0,
    media: { id: comment.mediaId },
    ...(comment.parentId ? { parent_id: comment.parentId } : {}),
  };
  const body: Record<string, unknown> = { id: comment.id };
  for (const [name, nested] of selection) {
    if (name === 'from') body.from = nested ? pickFields(comment.from, nested) : { id: comment.from.id };
    else if (name === 'replies') {
      const replies = repliesUnder(comment.id, state);
      if (replies.length > 0) body.replies = commentPage(replies, `/${comment.id}/replies`, {}, nested, state);
    } else if (name in all) body[name] = all[name];
  }
  return body;
}

const pickFields = (object: Record<string, unknown>, fields: string) =>
  Object.fromEntries(Object.entries(object).filter(([name]) => fieldSelection(fields).has(name)));

/** GET /{ig-media-id}/comments (top-level comments) and GET /{ig-comment-id}/replies. */
function listComments(
  node: string,
  edge: 'comments' | 'replies',
  params: Record<string, string>,
  state: SimState,
): SimResponse {
  const { comments, media } = store(state);
  const parent = edge === 'comments' ? media.get(node) : comments.get(node);
  if (!parent) return unsupportedGet(node);
  const all =
    edge === 'comments'
      ? [...comments.values()].filter((comment) => comment.mediaId === node && comment.parentId === undefined)
      : repliesUnder(node, state);
  return { status: 200, body: commentPage(all, `/${node}/${edge}`, params, params.fields, state) };
}

/** POST /{ig-comment-id}/replies?message=: the account answers, under the comment's top-level comment. */
function answerComment(commentId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { comments, media } = store(state);
  const answered = comments.get(commentId);
  const item = answered && media.get(answered.mediaId);
  if (!answered || !item) return unsupportedGet(commentId);
  if (!params.message?.trim()) return graphError(400, 100, 'The parameter message is required.');
  const comment: Comment = {
    id: state.nextId(),
    mediaId: item.id,
    parentId: answered.parentId ?? answered.id,
    text: params.message,
    from: { id: item.userId, username: `sim_ig_${item.userId}` },
    timestamp: new Date().toISOString(),
    hidden: false,
  };
  comments.set(comment.id, comment);
  state.record({
    platform: 'instagram',
    id: comment.id,
    account: item.userId,
    text: comment.text,
    media: [],
    replyTo: commentId,
  });
  return { status: 200, body: { id: comment.id } };
}

/** POST /{ig-comment-id}?hide=true|false */
function hideComment(commentId: string, params: Record<string, string>, state: SimState): SimResponse | undefined {
  const comment = store(state).comments.get(commentId);
  if (!comment) return undefined;
  if (params.hide !== 'true' && params.hide !== 'false')
    return graphError(400, 100, 'The parameter hide must be true or false.');
  comment.hidden = params.hide === 'true';
  return { status: 200, body: { success: true } };
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
    if (request.method === 'POST' && edge === 'replies') return answerComment(node, params, state);
    if (request.method === 'POST' && edge === undefined) return hideComment(node, params, state);
    if (request.method !== 'GET') return undefined;
    if (edge === 'comments' || edge === 'replies') return listComments(node, edge, params, state);
    if (edge === undefined) return readNode(node, params, state);
    if (edge === 'media') return userMedia(node, params, state);
    if (edge === 'content_publishing_limit') return publishingLimit(node, state);
    return undefined;
  },
  replies: {
    add(input, state) {
      const { comments, media } = store(state);
      const item = media.get(input.postId);
      const answered = input.parentId ? comments.get(input.parentId) : undefined;
      if (!item || (input.parentId && answered?.mediaId !== item.id)) return undefined;
      const username = input.handle ?? `buerger_${comments.size + 1}`;
      const comment: Comment = {
        id: state.nextId(),
        mediaId: item.id,
        ...(answered ? { parentId: answered.parentId ?? answered.id } : {}),
        text: input.text,
        from: { id: `1784150${comments.size + 1000}`, username },
        timestamp: new Date().toISOString(),
        hidden: false,
      };
      comments.set(comment.id, comment);
      // the Instagram `comments` webhook field: the entry is the account, the value the comment
      const webhook = {
        appSecret: SIM_APP_SECRETS.instagram,
        body: {
          object: 'instagram',
          entry: [
            {
              id: item.userId,
              time: Math.floor(Date.now() / 1000),
              changes: [
                {
                  field: 'comments',
                  value: {
                    from: comment.from,
                    media: { id: item.id, media_product_type: 'FEED' },
                    id: comment.id,
                    ...(comment.parentId ? { parent_id: comment.parentId } : {}),
                    text: comment.text,
                  },
                },
              ],
            },
          ],
        },
      };
      return { id: comment.id, webhook };
    },
    remove(id, state) {
      const { comments } = store(state);
      if (!comments.has(id)) return false;
      // a deleted top-level comment takes its replies with it
      for (const reply of repliesUnder(id, state)) comments.delete(reply.id);
      return comments.delete(id);
    },
  },
};

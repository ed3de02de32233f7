/**
 * Facebook Pages (graph.facebook.com/vNN.0): page posts through /feed, photos through /photos
 * (published at once, or unpublished and attached to a feed post for several photos), videos
 * through /videos, the page's feed, post permalinks and the page's follower count.
 * Like Facebook it refuses a post identical to the page's previous one (code 506) and answers a
 * spent page quota with code 32 and an X-Business-Use-Case-Usage header.
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
} from './meta-graph';
import { SIM_APP_SECRETS } from '../replies';

interface Photo {
  id: string;
  pageId: string;
  url: string;
  altText?: string;
  postId?: string;
}

interface Post {
  id: string;
  pageId: string;
  message: string;
  link?: string;
  createdAt: string;
  photoIds: string[];
  videoUrl?: string;
}

/** A comment under a Page post: a citizen's (POST /_sim/replies) or the Page's own answer. */
interface Comment {
  id: string;
  postId: string;
  /** the post, or the top-level comment it answers (Facebook threads one level deep) */
  parentId: string;
  message: string;
  from: { id: string; name: string };
  createdAt: string;
  hidden: boolean;
}

const rules = PLATFORMS.facebook;
/** Facebook's page size for comments is at most 100; the simulator pages at 25 so tests see several pages. */
const COMMENT_PAGE = 25;

const store = (state: SimState) => ({
  posts: state.scratch('facebook', 'posts', () => new Map<string, Post>()),
  photos: state.scratch('facebook', 'photos', () => new Map<string, Photo>()),
  comments: state.scratch('facebook', 'comments', () => new Map<string, Comment>()),
});

const commentFields = (comment: Comment) => ({
  id: comment.id,
  message: comment.message,
  from: comment.from,
  created_time: graphTime(comment.createdAt),
  is_hidden: comment.hidden,
  can_hide: true,
  ...(comment.parentId !== comment.postId ? { parent: { id: comment.parentId } } : {}),
});

/**
 * GET /{post-id}/comments (filter=stream: every comment at every level; otherwise the top level)
 * and GET /{comment-id}/comments (the answers to one comment), cursor-paged like Graph.
 */
function listComments(node: string, params: Record<string, string>, state: SimState): SimResponse {
  const all = [...store(state).comments.values()];
  const underPost = store(state).posts.has(node);
  const chosen = underPost
    ? all.filter((comment) => comment.postId === node && (params.filter === 'stream' || comment.parentId === node))
    : all.filter((comment) => comment.parentId === node && comment.postId !== node);
  if (!underPost && !store(state).comments.has(node))
    return graphError(400, 100, `Unsupported get request. Object with ID '${node}' does not exist`, { subcode: 33 });
  const limit = Math.min(Number(params.limit ?? COMMENT_PAGE) || COMMENT_PAGE, COMMENT_PAGE);
  const start = params.after ? Number(Buffer.from(params.after, 'base64url').toString('utf8')) || 0 : 0;
  const page = chosen.slice(start, start + limit);
  const after = Buffer.from(String(start + page.length), 'utf8').toString('base64url');
  const more = start + page.length < chosen.length;
  return {
    status: 200,
    body: {
      data: page.map(commentFields),
      paging: {
        cursors: { before: Buffer.from(String(start), 'utf8').toString('base64url'), after },
        ...(more ? { next: `https://graph.facebook.com/v23.0/${node}/comments?after=${after}` } : {}),
      },
    },
  };
}

/** POST /{comment-id}/comments: the Page answers a comment, threaded under its top-level comment. */
function answerComment(commentId: string, params: Record<string, string>, state: SimState): SimResponse {
  const { comments, posts } = store(state);
  const parent = comments.get(commentId);
  const post = parent && posts.get(parent.postId);
  if (!parent || !post) return graphError(400, 100, `Object with ID '${commentId}' does not exist`, { subcode: 33 });
  if (!params.message?.trim()) return graphError(400, 100, '(#100) Missing message or attachment');
  const comment: Comment = {
    id: `${post.id.split('_')[1]}_${state.nextId()}`,
    postId: post.id,
    parentId: parent.parentId === parent.postId ? parent.id : parent.parentId,
    message: params.message,
    from: { id: post.pageId, name: `Simulated Page ${post.pageId}` },
    createdAt: new Date().toISOString(),
    hidden: false,
  };
  comments.set(comment.id, comment);
  state.record({
    platform: 'facebook',
    id: comment.id,
    account: post.pageId,
    text: comment.message,
    media: [],
    replyTo: commentId,
  });
  return { status: 200, body: { id: comment.id } };
}

/** POST /{comment-id}?is_hidden=true|false */
function hideComment(commentId: string, params: Record<string, string>, state: SimState): SimResponse | undefined {
  const comment = store(state).comments.get(commentId);
  if (!comment || params.is_hidden === undefined) return undefined;
  comment.hidden = params.is_hidden === 'true';
  return { status: 200, body: { success: true } };
}

const permalink = (post: Post) => `https://www.facebook.com/${post.pageId}/posts/${post.id.split('_')[1]}`;

function rateLimited(pageId: string): SimResponse {
  const response = graphError(400, 32, 'Page request limit reached', { transient: true });
  const usage = {
    [pageId]: [
      { type: 'pages', call_count: 100, total_cputime: 30, total_time: 40, estimated_time_to_regain_access: 15 },
    ],
  };
  return { ...response, headers: { ...response.headers, 'x-business-use-case-usage': JSON.stringify(usage) } };
}

/** Checks shared by every publishing edge; undefined when the post may go out. */
function refuse(pageId: string, message: string, state: SimState): SimResponse | undefined {
  if (codePointLength(message) > rules.text.limit)
    return graphError(400, 100, `(#100) Param message must be at most ${rules.text.limit} characters long`);
  const previous = [...store(state).posts.values()].filter((post) => post.pageId === pageId).at(-1);
  if (message && previous?.message === message)
    return graphError(400, 506, 'Duplicate status message', { userTitle: 'Duplicate Post' });
  if (!state.takeQuota('facebook', pageId)) return rateLimited(pageId);
  return undefined;
}

function createPost(pageId: string, fields: Omit<Post, 'id' | 'pageId' | 'createdAt'>, state: SimState): Post {
  const { posts, photos } = store(state);
  const post: Post = { id: `${pageId}_${state.nextId()}`, pageId, createdAt: new Date().toISOString(), ...fields };
  posts.set(post.id, post);
  const attached = post.photoIds.map((id) => photos.get(id)!);
  for (const photo of attached) photo.postId = post.id;
  state.record({
    platform: 'facebook',
    id: post.id,
    account: pageId,
    text: post.message,
    link: post.link,
    media: [
      ...attached.map((photo) => ({ url: photo.url, ...(photo.altText ? { altText: photo.altText } : {}) })),
      ...(post.videoUrl ? [{ url: post.videoUrl }] : []),
    ],
  });
  return post;
}

function attachedMedia(params: Record<string, string>): string[] | undefined {
  const ids: string[] = [];
  for (let index = 0; params[`attached_media[${index}]`] !== undefined; index += 1) {
    try {
      const { media_fbid: id } = JSON.parse(params[`attached_media[${index}]`]!) as { media_fbid?: string };
      if (!id) return undefined;
      ids.push(id);
    } catch {
      return undefined;
    }
  }
  return ids;
}

function feed(pageId: string, params: Record<string, string>, state: SimState): SimResponse {
  const message = params.message ?? '';
  const photoIds = attachedMedia(params);
  if (!photoIds) return graphError(400, 100, '(#100) attached_media must be a list of {"media_fbid": "<photo id>"}');
  if (photoIds.length > rules.media.maxItems)
    return graphError(400, 100, `(#100) At most ${rules.media.maxItems} photos can be attached`);
  const { photos } = store(state);
  if (photoIds.some((id) => photos.get(id)?.pageId !== pageId || photos.get(id)?.postId)) {
    return graphError(
      400,
      100,
      '(#100) attached_media references a photo that is not an unpublished photo of this Page',
    );
  }
  if (!message.trim() && !params.link && photoIds.length === 0)
    return graphError(400, 100, '(#100) Missing message or attachment');
  if (params.link !== undefined && !isHttpUrl(params.link))
    return graphError(400, 100, '(#100) The parameter link must be a URL');
  const refused = refuse(pageId, message, state);
  if (refused) return refused;
  const post = createPost(pageId, { message, link: params.link, photoIds }, state);
  return { status: 200, body: { id: post.id } };
}

function photo(pageId: string, params: Record<string, string>, state: SimState): SimResponse {
  if (!isHttpUrl(params.url)) return graphError(400, 324, '(#324) Requires upload file');
  const altText = params.alt_text_custom;
  if (altText !== undefined && codePointLength(altText) > rules.media.maxAltText)
    return graphError(400, 100, `(#100) alt_text_custom must be at most ${rules.media.maxAltText} characters`);
  const unpublished = params.published === 'false';
  const message = params.message ?? params.caption ?? '';
  if (!unpublished) {
    const refused = refuse(pageId, message, state);
    if (refused) return refused;
  }
  const stored: Photo = { id: state.nextId(), pageId, url: params.url, altText };
  store(state).photos.set(stored.id, stored);
  if (unpublished) return { status: 200, body: { id: stored.id } };
  const post = createPost(pageId, { message, photoIds: [stored.id] }, state);
  return { status: 200, body: { id: stored.id, post_id: post.id } };
}

function video(pageId: string, params: Record<string, string>, state: SimState): SimResponse {
  if (!isHttpUrl(params.file_url)) return graphError(400, 100, '(#100) file_url must be a public video URL');
  const message = params.description ?? '';
  const refused = refuse(pageId, message, state);
  if (refused) return refused;
  const post = createPost(pageId, { message, photoIds: [], videoUrl: params.file_url }, state);
  return { status: 200, body: { id: post.id.split('_')[1] } };
}

function postFields(post: Post): Record<string, unknown> {
  return {
    id: post.id,
    message: post.message,
    created_time: graphTime(post.createdAt),
    permalink_url: permalink(post),
  };
}

function pick(object: Record<string, unknown>, fields: string | undefined): Record<string, unknown> {
  const wanted = (fields ?? '').split(',').map((field) => field.trim());
  return Object.fromEntries(Object.entries(object).filter(([name]) => name === 'id' || wanted.includes(name)));
}

function readNode(node: string, params: Record<string, string>, state: SimState): SimResponse {
  const post = store(state).posts.get(node);
  if (post) return { status: 200, body: pick(postFields(post), params.fields ?? 'message,created_time') };
  if (!/^\d+$/.test(node)) {
    return graphError(
      400,
      100,
      `Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { subcode: 33, type: 'GraphMethodException' },
    );
  }
  const followers = state.followers('facebook', node);
  // Pages report followers_count next to the older fan_count (likes), which trails it.
  const page = {
    id: node,
    name: `Simulated Page ${node}`,
    followers_count: followers,
    fan_count: Math.round(followers * 0.92),
    link: `https://www.facebook.com/${node}`,
  };
  return { status: 200, body: pick(page, params.fields ?? 'name') };
}

function pageFeed(pageId: string, params: Record<string, string>, state: SimState): SimResponse {
  const limit = Math.min(100, Number(params.limit ?? 25) || 25);
  const posts = [...store(state).posts.values()].filter((post) => post.pageId === pageId).reverse();
  return {
    status: 200,
    body: {
      data: posts.slice(0, limit).map((post) => pick(postFields(post), params.fields ?? 'message,created_time')),
      paging: {},
    },
  };
}

export const facebookSim: SimPlatform = {
  id: 'facebook',
  errorResponse: graphErrorResponse,
  handle(request: SimRequest, state: SimState): SimResponse | undefined {
    const route = graphRoute(request.path);
    if (!route) return undefined;
    const params = graphParams(request);
    const denied = checkGraphToken(request, params, state, 'facebook');
    if (denied) return denied;
    const { node, edge } = route;
    if (request.method === 'GET' && node === 'debug_token' && edge === undefined)
      return debugToken(params, state, 'facebook');
    if (request.method === 'POST') {
      if (edge === undefined) return hideComment(node, params, state);
      if (edge === 'comments') return answerComment(node, params, state);
      if (edge === 'feed') return feed(node, params, state);
      if (edge === 'photos') return photo(node, params, state);
      if (edge === 'videos') return video(node, params, state);
      return undefined;
    }
    if (request.method !== 'GET') return undefined;
    if (edge === undefined) return readNode(node, params, state);
    if (edge === 'feed' || edge === 'posts' || edge === 'published_posts') return pageFeed(node, params, state);
    if (edge === 'comments') return listComments(node, params, state);
    return undefined;
  },
  replies: {
    add(input, state) {
      const { comments, posts } = store(state);
      const post = posts.get(input.postId);
      const answered = input.parentId ? comments.get(input.parentId) : undefined;
      if (!post || (input.parentId && !answered)) return undefined;
      const comment: Comment = {
        id: `${post.id.split('_')[1]}_${state.nextId()}`,
        postId: post.id,
        parentId: answered ? (answered.parentId === answered.postId ? answered.id : answered.parentId) : post.id,
        message: input.text,
        from: { id: `9${comments.size + 1000}`, name: input.name ?? input.handle ?? 'Erika Mustermann' },
        createdAt: new Date().toISOString(),
        hidden: false,
      };
      comments.set(comment.id, comment);
      // the Page feed webhook's change for a new comment (field feed, item comment, verb add)
      const webhook = {
        appSecret: SIM_APP_SECRETS.facebook,
        body: {
          object: 'page',
          entry: [
            {
              id: post.pageId,
              time: Math.floor(Date.now() / 1000),
              changes: [
                {
                  field: 'feed',
                  value: {
                    item: 'comment',
                    verb: 'add',
                    comment_id: comment.id,
                    post_id: post.id,
                    parent_id: comment.parentId,
                    from: comment.from,
                    message: comment.message,
                    created_time: Math.floor(Date.parse(comment.createdAt) / 1000),
                  },
                },
              ],
            },
          ],
        },
      };
      return { id: comment.id, webhook };
    },
    remove: (id, state) => store(state).comments.delete(id),
  },
};

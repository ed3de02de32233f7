/**
 * Facebook Pages (Graph API on graph.facebook.com).
 * Text and link posts go to POST /{page-id}/feed (message, link); one image to
 * POST /{page-id}/photos (url, message, alt_text_custom); several images are uploaded unpublished
 * and attached to one feed post (attached_media); a video goes to POST /{page-id}/videos
 * (file_url, description). Facebook has no idempotency key: after an ambiguous outcome the
 * page's recent feed is searched for the post.
 *
 * Credentials: `accessToken` (a long-lived Page access token with pages_manage_posts,
 * pages_read_engagement).
 * Channel `account`: the Page id.
 */
import * as z from 'zod';
import {
  PlatformError,
  type AnswerRequest,
  type PlatformClient,
  type PlatformReply,
  type ReplyCapabilities,
  type PlatformContext,
  type PublishContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { PLATFORMS } from '../registry';
import {
  CreatedAnswer,
  FACEBOOK_GRAPH_VERSION,
  allGraphPages,
  channelGraphCall,
  graphPage,
  isoTime,
  textMatches,
} from './graph';
import { topLevelOf } from './reply-tree';

/** Answers as the Pages API documents them, only the fields Herold reads. */
const PhotoAnswer = z.looseObject({ id: z.string(), post_id: z.string().optional() });
const PermalinkUrlAnswer = z.looseObject({ permalink_url: z.string().optional() });
const FeedAnswer = z.looseObject({
  data: z.array(
    z.looseObject({ id: z.string(), message: z.string().optional(), permalink_url: z.string().optional() }),
  ),
});
const FollowersAnswer = z.looseObject({ followers_count: z.number().optional(), fan_count: z.number().optional() });

const call = channelGraphCall(FACEBOOK_GRAPH_VERSION);

const page = (context: PlatformContext) => encodeURIComponent(context.channel.account);

async function permalinkOf(postId: string, context: PlatformContext): Promise<string | undefined> {
  try {
    return (
      await call(context, 'GET', `/${encodeURIComponent(postId)}`, 'read permalink', PermalinkUrlAnswer, {
        fields: 'permalink_url',
      })
    ).permalink_url;
  } catch {
    // The post is out; a missing link must not turn a success into a retry.
    return undefined;
  }
}

async function publishPost(request: PublishRequest, context: PublishContext): Promise<string> {
  const images = request.media
    .filter((media) => media.mime.startsWith('image/'))
    .slice(0, PLATFORMS.facebook.media.maxItems);
  const video = request.media.find((media) => media.mime.startsWith('video/'));
  if (video && images.length === 0) {
    await context.clearToPublish();
    const uploaded = await call(context, 'POST', `/${page(context)}/videos`, 'publish video', CreatedAnswer, {
      file_url: video.url,
      description: request.text,
    });
    return `${context.channel.account}_${uploaded.id}`;
  }
  if (images.length === 1) {
    await context.clearToPublish();
    const photo = await call(context, 'POST', `/${page(context)}/photos`, 'publish photo', PhotoAnswer, {
      url: images[0]!.url,
      message: request.text,
      alt_text_custom: images[0]!.altText,
    });
    return photo.post_id ?? photo.id;
  }
  const attached: Record<string, string> = {};
  for (const [index, image] of images.entries()) {
    const photo = await call(context, 'POST', `/${page(context)}/photos`, 'upload photo', CreatedAnswer, {
      url: image.url,
      alt_text_custom: image.altText,
      published: 'false',
    });
    attached[`attached_media[${index}]`] = JSON.stringify({ media_fbid: photo.id });
  }
  await context.clearToPublish();
  const post = await call(context, 'POST', `/${page(context)}/feed`, 'publish post', CreatedAnswer, {
    message: request.text,
    link: request.link,
    ...attached,
  });
  return post.id;
}

const result = (postId: string, remoteUrl: string | undefined): PublishResult => ({
  remoteId: postId,
  remoteUrl,
  threadRootId: postId,
});

/** A comment (GET /{post-id}/comments, Comment node), only the fields Herold reads; `from` needs a Page token and may be missing. */
const Comment = z.looseObject({
  id: z.string(),
  message: z.string().optional(),
  from: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
  created_time: z.string(),
  is_hidden: z.boolean().optional(),
  parent: z.looseObject({ id: z.string() }).optional(),
});
const CommentPage = graphPage(Comment);
const SuccessAnswer = z.looseObject({ success: z.literal(true) });

/** Comments are threaded one level deep: an answer goes under the reply's top-level comment. */
const answerUnder = (request: AnswerRequest) =>
  request.answerTo.reply.threadRemoteId ?? request.answerTo.reply.remoteId;

/**
 * Replies: GET /{post-id}/comments with filter=stream (every comment at every level, each naming
 * its parent), answers through POST /{comment-id}/comments as the Page, hiding with
 * POST /{comment-id}?is_hidden=. Needs pages_read_user_content, pages_manage_engagement and the
 * MODERATE task on the Page.
 */
const facebookReplies: ReplyCapabilities = {
  async list(post, context) {
    const comments = await allGraphPages(
      (after) =>
        call(context, 'GET', `/${encodeURIComponent(post.remoteId)}/comments`, 'list comments', CommentPage, {
          fields: 'id,message,from{id,name},created_time,is_hidden,parent{id}',
          filter: 'stream',
          order: 'chronological',
          limit: '100',
          after,
        }),
      context.beforeRead,
      'Facebook list comments',
    );
    const nodes = comments.map((comment) => ({
      comment,
      id: comment.id,
      parentId: comment.parent?.id ?? post.remoteId,
      own: comment.from?.id === context.channel.account,
    }));
    const byId = new Map(nodes.map((node) => [node.id, node]));
    return nodes
      .filter((node) => !node.own)
      .map((node): PlatformReply => ({
        remoteId: node.id,
        parentRemoteId: node.parentId,
        threadRemoteId: topLevelOf(post.remoteId, node, byId),
        text: node.comment.message ?? '',
        author: node.comment.from?.name ? { name: node.comment.from.name } : {},
        repliedAt: isoTime(node.comment.created_time),
        hidden: node.comment.is_hidden === true,
      }));
  },

  async answer(request, context) {
    await context.clearToPublish();
    const created = await call(
      context,
      'POST',
      `/${encodeURIComponent(answerUnder(request))}/comments`,
      'answer comment',
      CreatedAnswer,
      { message: request.text },
    );
    return { remoteId: created.id, threadRootId: request.answerTo.post.remoteId };
  },

  async findAnswer(request, context) {
    const thread = await allGraphPages(
      (after) =>
        call(context, 'GET', `/${encodeURIComponent(answerUnder(request))}/comments`, 'list answers', CommentPage, {
          fields: 'id,message,from{id,name},created_time',
          limit: '100',
          after,
        }),
      async () => undefined,
      'Facebook list answers',
    );
    const own = thread.find(
      (comment) => comment.from?.id === context.channel.account && textMatches(comment.message, request),
    );
    return own ? { remoteId: own.id, threadRootId: request.answerTo.post.remoteId } : null;
  },

  async setHidden(reply, _post, hidden, context) {
    await call(context, 'POST', `/${encodeURIComponent(reply.remoteId)}`, 'hide comment', SuccessAnswer, {
      is_hidden: String(hidden),
    });
  },
};

export const facebookClient: PlatformClient = {
  platform: 'facebook',
  replies: facebookReplies,

  async publish(request, context) {
    const postId = await publishPost(request, context);
    return result(postId, await permalinkOf(postId, context));
  },

  async findPublished(request, context) {
    const feed = await call(context, 'GET', `/${page(context)}/feed`, 'read page feed', FeedAnswer, {
      fields: 'id,message,permalink_url,created_time',
      limit: '50',
    });
    const found = feed.data.find((post) => textMatches(post.message, request));
    // The page's 50 latest posts cover any delivery still waiting to be verified.
    return found ? result(found.id, found.permalink_url) : null;
  },

  async followerCount(context) {
    const answer = await call(context, 'GET', `/${page(context)}`, 'read followers_count', FollowersAnswer, {
      fields: 'followers_count,fan_count',
    });
    const count = answer.followers_count ?? answer.fan_count;
    if (typeof count !== 'number')
      throw new PlatformError('permanent', 'Facebook page carried neither followers_count nor fan_count', {
        code: 'NO_METRIC',
      });
    return count;
  },
};

/**
 * Instagram (Instagram Graph API on graph.facebook.com), a two-step publish like Threads:
 *   1. POST /{ig-user-id}/media creates a container: an image (image_url, alt_text), a reel
 *      (media_type=REELS, video_url) or a carousel of item containers (media_type=CAROUSEL);
 *   2. the container id is checkpointed, video containers are polled (GET /{container}?fields=status_code)
 *      until FINISHED, then POST /{ig-user-id}/media_publish?creation_id= publishes it.
 * Instagram has no text-only posts: a request without media is refused before any call (ingest
 * normally skips such deliveries with the reason).
 *
 * Credentials: `accessToken` (Instagram user token or the connected Page's token with
 * instagram_content_publish / instagram_business_content_publish).
 * Channel `account`: the Instagram professional account's user id.
 */
import * as z from 'zod';
import { PLATFORMS } from '../registry';
import {
  PlatformError,
  type AnswerRequest,
  type PlatformClient,
  type PlatformContext,
  type PlatformReply,
  type PublishRequest,
  type ReplyCapabilities,
} from '../client';
import type { Media } from '../../model/schemas';
import {
  ContainerStatusSchema,
  CreatedAnswer,
  FACEBOOK_GRAPH_VERSION,
  mediaPermalink,
  publishContainer,
  PublishingLimitAnswer,
  findContainerPost,
  channelGraphCall,
  publishingLimitFrom,
  publishThroughContainer,
  textMatches,
  waitForContainer,
  allGraphPages,
  graphPage,
  isoTime,
  type ContainerSteps,
  type PublishingLimit,
} from './graph';

/** Answers as the Instagram Graph API documents them, only the fields Herold reads. */
const ContainerStatusAnswer = z.looseObject({ status_code: ContainerStatusSchema, status: z.string().optional() });
const RecentMediaAnswer = z.looseObject({
  data: z.array(z.looseObject({ id: z.string(), caption: z.string().optional(), permalink: z.string().optional() })),
});
const FollowersAnswer = z.looseObject({ followers_count: z.number() });

const call = channelGraphCall(FACEBOOK_GRAPH_VERSION);

const isVideo = (media: Media) => media.mime.startsWith('video/');
const user = (context: PlatformContext) => encodeURIComponent(context.channel.account);

function steps(request: PublishRequest, context: PlatformContext): ContainerSteps {
  const media = request.media.slice(0, PLATFORMS.instagram.media.maxItems);
  const flow: ContainerSteps = {
    platformName: 'Instagram',
    processes: media.some(isVideo),

    async status(containerId) {
      const answer = await call(
        context,
        'GET',
        `/${encodeURIComponent(containerId)}`,
        'read container status',
        ContainerStatusAnswer,
        { fields: 'status_code,status' },
      );
      if (answer.status_code === 'ERROR')
        throw new PlatformError('permanent', `Instagram could not process the media: ${answer.status ?? 'ERROR'}`, {
          code: 'CONTAINER_ERROR',
        });
      return answer.status_code;
    },

    async create() {
      const create = (params: Record<string, string | undefined>, what: string) =>
        call(context, 'POST', `/${user(context)}/media`, what, CreatedAnswer, params);
      if (media.length === 1) {
        const [item] = media as [Media];
        const params = isVideo(item)
          ? { media_type: 'REELS', video_url: item.url, share_to_feed: 'true' }
          : { image_url: item.url, alt_text: item.altText };
        return (await create({ ...params, caption: request.text }, 'create container')).id;
      }
      // Carousel items are containers of their own; only the carousel container is published.
      const children: string[] = [];
      for (const item of media) {
        const params = isVideo(item)
          ? { media_type: 'VIDEO', video_url: item.url }
          : { image_url: item.url, alt_text: item.altText };
        children.push((await create({ ...params, is_carousel_item: 'true' }, 'create carousel item')).id);
      }
      for (const child of children) await waitForContainer(flow, child);
      return (
        await create({ media_type: 'CAROUSEL', children: children.join(','), caption: request.text }, 'create carousel')
      ).id;
    },

    publish: (containerId) =>
      // 9007/2207027 "media not ready": the container is still processing.
      publishContainer(call, context, `/${user(context)}/media_publish`, containerId, '9007/2207027'),

    permalink: (mediaId) => mediaPermalink(call, context, mediaId),

    async findByText() {
      const recent = await call(context, 'GET', `/${user(context)}/media`, 'list recent media', RecentMediaAnswer, {
        fields: 'id,caption,permalink,timestamp',
        limit: '50',
      });
      return recent.data.find((item) => textMatches(item.caption, request));
    },
  };
  return flow;
}

/** An IG Comment, only the fields Herold reads (`username` needs instagram_business_manage_comments since August 2024). */
const IgComment = z.looseObject({
  id: z.string(),
  text: z.string().optional(),
  username: z.string().optional(),
  timestamp: z.string(),
  hidden: z.boolean().optional(),
  from: z.looseObject({ id: z.string(), username: z.string().optional() }).optional(),
});
const IgCommentPage = graphPage(IgComment);
/** A top-level comment with the first page of its replies inline (field expansion `replies{…}`). */
const IgTopLevelPage = graphPage(IgComment.extend({ replies: IgCommentPage.optional() }));
const SuccessAnswer = z.looseObject({ success: z.literal(true) });
const COMMENT_FIELDS = 'id,text,username,timestamp,hidden,from{id,username}';

/** Replies on Instagram are one level deep: an answer goes under the top-level comment. */
const answerUnder = (request: AnswerRequest) =>
  request.answerTo.reply.threadRemoteId ?? request.answerTo.reply.remoteId;

/** The replies of one comment from `after` on (GET /{ig-comment-id}/replies). */
const repliesOf = (commentId: string, context: PlatformContext, beforeRead: () => Promise<void>, from?: string) =>
  allGraphPages(
    (after) =>
      call(context, 'GET', `/${encodeURIComponent(commentId)}/replies`, 'list comment replies', IgCommentPage, {
        fields: COMMENT_FIELDS,
        limit: '100',
        after: after ?? from,
      }),
    beforeRead,
    'Instagram list comment replies',
  );

/**
 * Replies: GET /{ig-media-id}/comments with each comment's replies expanded inline (further pages
 * from GET /{ig-comment-id}/replies), answers through POST /{ig-comment-id}/replies, hiding with
 * POST /{ig-comment-id}?hide=. Needs instagram_manage_comments (instagram_business_manage_comments
 * with Instagram Login).
 */
const instagramReplies: ReplyCapabilities = {
  async list(post, context) {
    const topLevel = await allGraphPages(
      (after) =>
        call(context, 'GET', `/${encodeURIComponent(post.remoteId)}/comments`, 'list comments', IgTopLevelPage, {
          fields: `${COMMENT_FIELDS},replies{${COMMENT_FIELDS}}`,
          limit: '50',
          after,
        }),
      context.beforeRead,
      'Instagram list comments',
    );
    const own = (comment: z.infer<typeof IgComment>) => comment.from?.id === context.channel.account;
    const asReply = (comment: z.infer<typeof IgComment>, parent: string, thread: string): PlatformReply => ({
      remoteId: comment.id,
      parentRemoteId: parent,
      threadRemoteId: thread,
      text: comment.text ?? '',
      author:
        (comment.username ?? comment.from?.username) ? { handle: comment.username ?? comment.from?.username } : {},
      repliedAt: isoTime(comment.timestamp),
      hidden: comment.hidden === true,
    });
    const replies: PlatformReply[] = [];
    for (const comment of topLevel) {
      const inline = comment.replies?.data ?? [];
      const more = comment.replies?.paging?.next
        ? await repliesOf(comment.id, context, context.beforeRead, comment.replies.paging.cursors?.after)
        : [];
      if (!own(comment)) replies.push(asReply(comment, post.remoteId, comment.id));
      for (const reply of [...inline, ...more]) if (!own(reply)) replies.push(asReply(reply, comment.id, comment.id));
    }
    return replies;
  },

  async answer(request, context) {
    await context.clearToPublish();
    const created = await call(
      context,
      'POST',
      `/${encodeURIComponent(answerUnder(request))}/replies`,
      'answer comment',
      CreatedAnswer,
      { message: request.text },
    );
    return { remoteId: created.id, threadRootId: request.answerTo.post.remoteId };
  },

  async findAnswer(request, context) {
    const replies = await repliesOf(answerUnder(request), context, async () => undefined);
    const own = replies.find((reply) => reply.from?.id === context.channel.account && textMatches(reply.text, request));
    return own ? { remoteId: own.id, threadRootId: request.answerTo.post.remoteId } : null;
  },

  async setHidden(reply, _post, hidden, context) {
    await call(context, 'POST', `/${encodeURIComponent(reply.remoteId)}`, 'hide comment', SuccessAnswer, {
      hide: String(hidden),
    });
  },
};

export const instagramClient: PlatformClient = {
  platform: 'instagram',
  replies: instagramReplies,
  preparesBeforePublishing: true,

  async publish(request, context) {
    if (request.media.length === 0) {
      throw new PlatformError('permanent', 'Instagram publishes only posts with an image or a video', {
        code: 'MEDIA_REQUIRED',
      });
    }
    return publishThroughContainer(steps(request, context), request, context);
  },

  findPublished: (request, context) => findContainerPost(steps(request, context), request),

  async followerCount(context) {
    const answer = await call(context, 'GET', `/${user(context)}`, 'read followers_count', FollowersAnswer, {
      fields: 'followers_count',
    });
    return answer.followers_count;
  },
};

/** The account's publishing quota as Instagram counts it (GET /{ig-user-id}/content_publishing_limit). */
export async function instagramPublishingLimit(context: PlatformContext): Promise<PublishingLimit> {
  const answer = await call(
    context,
    'GET',
    `/${user(context)}/content_publishing_limit`,
    'read content publishing limit',
    PublishingLimitAnswer,
    { fields: 'quota_usage,config' },
  );
  return publishingLimitFrom(answer.data[0], PLATFORMS.instagram.quota);
}

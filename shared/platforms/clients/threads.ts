/**
 * Threads (Graph API on graph.threads.net/v1.0), a two-step publish:
 *   1. POST /{user-id}/threads creates a media container (TEXT, IMAGE, VIDEO or CAROUSEL);
 *   2. the container id is checkpointed, then POST /{user-id}/threads_publish?creation_id= publishes it.
 * A retry with a checkpointed container publishes that container, never a second one, so a
 * delivery can never become two posts. Video containers are polled until FINISHED first.
 *
 * Credentials: `accessToken` (long-lived Threads user token, scopes threads_basic,
 * threads_content_publish, threads_manage_insights).
 * Channel `account`: the Threads user id.
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
  mediaPermalink,
  publishContainer,
  PublishingLimitAnswer,
  findContainerPost,
  channelGraphCall,
  graphCall,
  publishingLimitFrom,
  publishThroughContainer,
  requireCredential,
  textMatches,
  waitForContainer,
  allGraphPages,
  graphPage,
  isoTime,
  type ContainerSteps,
  type PublishingLimit,
} from './graph';
import { citizenReplies, topLevelOf } from './reply-tree';

const API_VERSION = 'v1.0';

/** Answers as the Threads API documents them (developers.facebook.com/docs/threads), only the fields Herold reads. */
const ContainerStatusAnswer = z.looseObject({ status: ContainerStatusSchema, error_message: z.string().optional() });
const RecentThreadsAnswer = z.looseObject({
  data: z.array(z.looseObject({ id: z.string(), text: z.string().optional(), permalink: z.string().optional() })),
});
const InsightsAnswer = z.looseObject({
  data: z.array(z.looseObject({ name: z.string(), total_value: z.looseObject({ value: z.number() }).optional() })),
});
const RefreshedTokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.number() });

const call = channelGraphCall(API_VERSION);

const isVideo = (media: Media) => media.mime.startsWith('video/');
const user = (context: PlatformContext) => encodeURIComponent(context.channel.account);

function mediaParams(media: Media): Record<string, string> {
  return isVideo(media)
    ? { media_type: 'VIDEO', video_url: media.url, alt_text: media.altText }
    : { media_type: 'IMAGE', image_url: media.url, alt_text: media.altText };
}

function steps(
  request: PublishRequest,
  context: PlatformContext,
  /** where a published container's post is looked for (default: the account's recent threads) */
  findByText?: ContainerSteps['findByText'],
): ContainerSteps {
  const media = request.media.slice(0, PLATFORMS.threads.media.maxItems);
  const flow: ContainerSteps = {
    platformName: 'Threads',
    processes: media.some(isVideo),

    async status(containerId) {
      const answer = await call(
        context,
        'GET',
        `/${encodeURIComponent(containerId)}`,
        'read container status',
        ContainerStatusAnswer,
        { fields: 'status,error_message' },
      );
      if (answer.status === 'ERROR')
        throw new PlatformError(
          'permanent',
          `Threads could not process the media: ${answer.error_message ?? 'UNKNOWN'}`,
          { code: answer.error_message },
        );
      return answer.status;
    },

    async create() {
      const common = { text: request.text, reply_to_id: request.replyTo?.remoteId };
      let params: Record<string, string | undefined>;
      if (media.length === 0) {
        params = { media_type: 'TEXT', ...common, link_attachment: request.link };
      } else if (media.length === 1) {
        params = { ...mediaParams(media[0]!), ...common };
      } else {
        // Carousel items are containers of their own; only the carousel container is published.
        const children: string[] = [];
        for (const item of media) {
          children.push(
            (
              await call(context, 'POST', `/${user(context)}/threads`, 'create carousel item', CreatedAnswer, {
                ...mediaParams(item),
                is_carousel_item: 'true',
              })
            ).id,
          );
        }
        for (const child of children) await waitForContainer(flow, child);
        params = { media_type: 'CAROUSEL', children: children.join(','), ...common };
      }
      return (await call(context, 'POST', `/${user(context)}/threads`, 'create container', CreatedAnswer, params)).id;
    },

    publish: (containerId) =>
      // 24/4279009 "Media Not Found" right after creation is Threads still settling the container.
      publishContainer(call, context, `/${user(context)}/threads_publish`, containerId, '24/4279009'),

    permalink: (mediaId) => mediaPermalink(call, context, mediaId),

    findByText:
      findByText ??
      (async () => {
        const recent = await call(
          context,
          'GET',
          `/${user(context)}/threads`,
          'list recent threads',
          RecentThreadsAnswer,
          {
            fields: 'id,text,permalink,timestamp',
            limit: '50',
          },
        );
        return recent.data.find((item) => textMatches(item.text, request));
      }),
  };
  return flow;
}

/** A reply in a conversation (GET /{media-id}/conversation), only the fields Herold reads. */
const ConversationReply = z.looseObject({
  id: z.string(),
  text: z.string().optional(),
  username: z.string().optional(),
  timestamp: z.string(),
  /** "Whether or not the reply is hidden": HIDDEN when it is */
  hide_status: z.string().optional(),
  replied_to: z.looseObject({ id: z.string() }).optional(),
  is_reply_owned_by_me: z.boolean().optional(),
});
const ConversationPage = graphPage(ConversationReply);
const ManagedAnswer = z.looseObject({ success: z.literal(true) });

/** The answer as the container publish sees it: a text threaded under the reply (reply_to_id). */
const asThreadedPost = (request: AnswerRequest): PublishRequest => ({
  ...request,
  media: [],
  link: undefined,
  replyTo: {
    remoteId: request.answerTo.reply.remoteId,
    threadRootId: request.answerTo.post.threadRootId ?? request.answerTo.post.remoteId,
  },
});

/** Every reply of the post at any depth (the conversation is one flat list), the account's own included. */
async function conversation(postId: string, context: PlatformContext, beforeRead: () => Promise<void>) {
  return allGraphPages(
    (after) =>
      call(context, 'GET', `/${encodeURIComponent(postId)}/conversation`, 'list replies', ConversationPage, {
        fields: 'id,text,username,timestamp,hide_status,replied_to,is_reply_owned_by_me',
        reverse: 'false',
        limit: '100',
        after,
      }),
    beforeRead,
    'Threads list replies',
  );
}

/**
 * Replies: GET /{media-id}/conversation (every level, with `hide_status`), answers as a container
 * with `reply_to_id`, hiding through POST /{reply-id}/manage_reply, which takes only replies
 * directly under the post (and hides their answers with them). Scopes threads_read_replies and
 * threads_manage_replies.
 */
const threadsReplies: ReplyCapabilities = {
  async list(post, context) {
    const items = await conversation(post.remoteId, context, context.beforeRead);
    const nodes = items.map((item) => ({
      item,
      id: item.id,
      parentId: item.replied_to?.id ?? post.remoteId,
      own: item.is_reply_owned_by_me === true,
    }));
    const byId = new Map(nodes.map((node) => [node.id, node]));
    return citizenReplies(post.remoteId, nodes).map((node): PlatformReply => ({
      remoteId: node.id,
      parentRemoteId: node.parentId,
      threadRemoteId: topLevelOf(post.remoteId, node, byId),
      text: node.item.text ?? '',
      author: node.item.username ? { handle: node.item.username } : {},
      repliedAt: isoTime(node.item.timestamp),
      hidden: node.item.hide_status === 'HIDDEN',
    }));
  },

  answer: (request, context) => {
    const threaded = asThreadedPost(request);
    return publishThroughContainer(steps(threaded, context), threaded, context);
  },

  findAnswer(request, context) {
    const threaded = asThreadedPost(request);
    return findContainerPost(
      steps(threaded, context, async () => {
        const items = await conversation(request.answerTo.post.remoteId, context, async () => undefined);
        const own = items.find((item) => item.is_reply_owned_by_me && textMatches(item.text, threaded));
        return own ? { id: own.id } : undefined;
      }),
      threaded,
    );
  },

  async setHidden(reply, _post, hidden, context) {
    if (reply.threadRemoteId && reply.threadRemoteId !== reply.remoteId)
      throw new PlatformError(
        'permanent',
        'Threads hides only replies directly under the post (with the answers below them); this reply answers another reply',
        { code: 'NOT_TOP_LEVEL' },
      );
    await call(context, 'POST', `/${encodeURIComponent(reply.remoteId)}/manage_reply`, 'hide reply', ManagedAnswer, {
      hide: String(hidden),
    });
  },
};

export const threadsClient: PlatformClient = {
  platform: 'threads',
  replies: threadsReplies,
  preparesBeforePublishing: true,

  publish: (request, context) => publishThroughContainer(steps(request, context), request, context),

  findPublished: (request, context) => findContainerPost(steps(request, context), request),

  async followerCount(context) {
    const insights = await call(
      context,
      'GET',
      `/${user(context)}/threads_insights`,
      'read followers_count',
      InsightsAnswer,
      { metric: 'followers_count' },
    );
    const value = insights.data.find((metric) => metric.name === 'followers_count')?.total_value?.value;
    if (typeof value !== 'number')
      throw new PlatformError('permanent', 'Threads insights carried no followers_count', { code: 'NO_METRIC' });
    return value;
  },
};

/** The account's publishing quota as Threads counts it (GET /{user-id}/threads_publishing_limit). */
export async function threadsPublishingLimit(context: PlatformContext): Promise<PublishingLimit> {
  const answer = await call(
    context,
    'GET',
    `/${user(context)}/threads_publishing_limit`,
    'read publishing limit',
    PublishingLimitAnswer,
    { fields: 'quota_usage,config' },
  );
  return publishingLimitFrom(answer.data[0], PLATFORMS.threads.quota);
}

export interface RefreshedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/**
 * Exchange the channel's long-lived token for a fresh one (another 60 days). Threads refreshes
 * only tokens at least 24 hours old and not yet expired, so run it between day 1 and day 60.
 */
export async function refreshThreadsToken(context: PlatformContext): Promise<RefreshedToken> {
  const answer = await graphCall({
    method: 'GET',
    apiUrl: context.baseUrl,
    path: '/refresh_access_token',
    params: { grant_type: 'th_refresh_token', access_token: requireCredential(context, 'accessToken') },
    token: requireCredential(context, 'accessToken'),
    what: 'refresh access token',
    context,
    answer: RefreshedTokenAnswer,
  });
  return { accessToken: answer.access_token, expiresInSeconds: answer.expires_in };
}

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
  type PlatformClient,
  type PlatformContext,
  type PublishContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { PLATFORMS } from '../registry';
import { CreatedAnswer, FACEBOOK_GRAPH_VERSION, graphCall, requireCredential, textMatches } from './graph';

/** Answers as the Pages API documents them, only the fields Herold reads. */
const PhotoAnswer = z.looseObject({ id: z.string(), post_id: z.string().optional() });
const PermalinkUrlAnswer = z.looseObject({ permalink_url: z.string().optional() });
const FeedAnswer = z.looseObject({
  data: z.array(
    z.looseObject({ id: z.string(), message: z.string().optional(), permalink_url: z.string().optional() }),
  ),
});
const FollowersAnswer = z.looseObject({ followers_count: z.number().optional(), fan_count: z.number().optional() });

function call<T>(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  what: string,
  answer: z.ZodType<T>,
  params?: Record<string, string | undefined>,
): Promise<T> {
  return graphCall({
    method,
    apiUrl: `${context.baseUrl}/${FACEBOOK_GRAPH_VERSION}`,
    path,
    params,
    token: requireCredential(context, 'accessToken'),
    what,
    context,
    answer,
  });
}

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

export const facebookClient: PlatformClient = {
  platform: 'facebook',

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

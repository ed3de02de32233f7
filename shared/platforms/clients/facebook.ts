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
import {
  PlatformError,
  type PlatformClient,
  type PlatformContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { PLATFORMS } from '../registry';
import { FACEBOOK_GRAPH_VERSION, graphCall, requireCredential, textMatches } from './graph';

interface FeedPost {
  id: string;
  message?: string;
  permalink_url?: string;
}

function call<T>(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  what: string,
  params?: Record<string, string | undefined>,
): Promise<T> {
  return graphCall<T>({
    method,
    apiUrl: `${context.baseUrl}/${FACEBOOK_GRAPH_VERSION}`,
    path,
    params,
    token: requireCredential(context, 'accessToken'),
    what,
    context,
  });
}

const page = (context: PlatformContext) => encodeURIComponent(context.channel.account);

async function permalinkOf(postId: string, context: PlatformContext): Promise<string | undefined> {
  try {
    return (
      await call<FeedPost>(context, 'GET', `/${encodeURIComponent(postId)}`, 'read permalink', {
        fields: 'permalink_url',
      })
    ).permalink_url;
  } catch {
    // The post is out; a missing link must not turn a success into a retry.
    return undefined;
  }
}

async function publishPost(request: PublishRequest, context: PlatformContext): Promise<string> {
  const images = request.media
    .filter((media) => media.mime.startsWith('image/'))
    .slice(0, PLATFORMS.facebook.media.maxItems);
  const video = request.media.find((media) => media.mime.startsWith('video/'));
  if (video && images.length === 0) {
    const uploaded = await call<{ id: string }>(context, 'POST', `/${page(context)}/videos`, 'publish video', {
      file_url: video.url,
      description: request.text,
    });
    return `${context.channel.account}_${uploaded.id}`;
  }
  if (images.length === 1) {
    const photo = await call<{ id: string; post_id?: string }>(
      context,
      'POST',
      `/${page(context)}/photos`,
      'publish photo',
      {
        url: images[0]!.url,
        message: request.text,
        alt_text_custom: images[0]!.altText,
      },
    );
    return photo.post_id ?? photo.id;
  }
  const attached: Record<string, string> = {};
  for (const [index, image] of images.entries()) {
    const photo = await call<{ id: string }>(context, 'POST', `/${page(context)}/photos`, 'upload photo', {
      url: image.url,
      alt_text_custom: image.altText,
      published: 'false',
    });
    attached[`attached_media[${index}]`] = JSON.stringify({ media_fbid: photo.id });
  }
  const post = await call<{ id: string }>(context, 'POST', `/${page(context)}/feed`, 'publish post', {
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
    const feed = await call<{ data?: FeedPost[] }>(context, 'GET', `/${page(context)}/feed`, 'read page feed', {
      fields: 'id,message,permalink_url,created_time',
      limit: '50',
    });
    const found = feed.data?.find((post) => textMatches(post.message, request));
    // The page's 50 latest posts cover any delivery still waiting to be verified.
    return found ? result(found.id, found.permalink_url) : null;
  },

  async followerCount(context) {
    const answer = await call<{ followers_count?: number; fan_count?: number }>(
      context,
      'GET',
      `/${page(context)}`,
      'read followers_count',
      { fields: 'followers_count,fan_count' },
    );
    const count = answer.followers_count ?? answer.fan_count;
    if (typeof count !== 'number')
      throw new PlatformError('permanent', 'Facebook page carried neither followers_count nor fan_count', {
        code: 'NO_METRIC',
      });
    return count;
  },
};

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
import { PLATFORMS } from '../registry';
import { PlatformError, type PlatformClient, type PlatformContext, type PublishRequest, type PublishResult } from '../client';
import type { Media } from '../../model/schemas';
import { graphCall, requireCredential, textMatches } from './graph';

const API_VERSION = 'v1.0';
/** How often and how long to wait for a video container, inside one attempt; after that the next attempt continues. */
export const CONTAINER_POLL = { intervalMs: 1000, attempts: 20 };

type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';
/** Graph's "object does not exist" (code 100, subcode 33). */
const UNKNOWN_OBJECT = '100/33';

interface ThreadsMedia {
  id: string;
  text?: string;
  permalink?: string;
  timestamp?: string;
}

const apiUrl = (context: PlatformContext) => `${context.baseUrl}/${API_VERSION}`;

function call<T>(context: PlatformContext, method: 'GET' | 'POST', path: string, what: string, params?: Record<string, string | undefined>): Promise<T> {
  return graphCall<T>({ method, apiUrl: apiUrl(context), path, params, token: requireCredential(context, 'accessToken'), what, context });
}

const isVideo = (media: Media) => media.mime.startsWith('video/');

function mediaParams(media: Media): Record<string, string> {
  return isVideo(media)
    ? { media_type: 'VIDEO', video_url: media.url, alt_text: media.altText }
    : { media_type: 'IMAGE', image_url: media.url, alt_text: media.altText };
}

async function createContainer(request: PublishRequest, context: PlatformContext): Promise<string> {
  const user = encodeURIComponent(context.channel.account);
  const common = { text: request.text, reply_to_id: request.replyTo?.remoteId };
  const media = request.media.slice(0, PLATFORMS.threads.media.maxItems);
  let params: Record<string, string | undefined>;
  if (media.length === 0) {
    params = { media_type: 'TEXT', ...common, link_attachment: request.link };
  } else if (media.length === 1) {
    params = { ...mediaParams(media[0]!), ...common };
  } else {
    // Carousel items are containers of their own; only the carousel container is published.
    const children: string[] = [];
    for (const item of media) {
      const child = await call<{ id: string }>(context, 'POST', `/${user}/threads`, 'create carousel item', { ...mediaParams(item), is_carousel_item: 'true' });
      children.push(child.id);
    }
    for (const child of children) await waitUntilFinished(child, context);
    params = { media_type: 'CAROUSEL', children: children.join(','), ...common };
  }
  const container = await call<{ id: string }>(context, 'POST', `/${user}/threads`, 'create container', params);
  return container.id;
}

async function containerStatus(containerId: string, context: PlatformContext): Promise<ContainerStatus> {
  const answer = await call<{ status?: ContainerStatus; error_message?: string }>(context, 'GET', `/${encodeURIComponent(containerId)}`, 'read container status', {
    fields: 'status,error_message',
  });
  if (answer.status === 'ERROR') throw new PlatformError('permanent', `Threads could not process the media: ${answer.error_message ?? 'UNKNOWN'}`, { code: answer.error_message });
  return answer.status ?? 'FINISHED';
}

async function waitUntilFinished(containerId: string, context: PlatformContext): Promise<ContainerStatus> {
  for (let attempt = 1; ; attempt += 1) {
    const status = await containerStatus(containerId, context);
    if (status !== 'IN_PROGRESS') return status;
    if (attempt >= CONTAINER_POLL.attempts) {
      throw new PlatformError('retryable', `Threads container ${containerId} still processing`, { code: 'IN_PROGRESS', retryAfterSeconds: 60 });
    }
    await new Promise((resolve) => setTimeout(resolve, CONTAINER_POLL.intervalMs));
  }
}

async function permalinkOf(mediaId: string, context: PlatformContext): Promise<string | undefined> {
  try {
    const media = await call<ThreadsMedia>(context, 'GET', `/${encodeURIComponent(mediaId)}`, 'read permalink', { fields: 'permalink' });
    return media.permalink;
  } catch {
    // The post is out; a missing link must not turn a success into a retry.
    return undefined;
  }
}

function result(mediaId: string, remoteUrl: string | undefined, request: PublishRequest): PublishResult {
  return { remoteId: mediaId, remoteUrl, threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : mediaId };
}

async function findByText(request: PublishRequest, context: PlatformContext): Promise<ThreadsMedia | undefined> {
  const recent = await call<{ data?: ThreadsMedia[] }>(context, 'GET', `/${encodeURIComponent(context.channel.account)}/threads`, 'list recent threads', {
    fields: 'id,text,permalink,timestamp',
    limit: '50',
  });
  return recent.data?.find((media) => textMatches(media.text, request));
}

export const threadsClient: PlatformClient = {
  platform: 'threads',

  async publish(request, context) {
    let containerId = request.checkpoint.containerId;
    if (containerId) {
      const status = await waitUntilFinished(containerId, context).catch((error: unknown) => {
        // A container Threads no longer knows was never published: start over with a new one.
        if (error instanceof PlatformError && error.code === UNKNOWN_OBJECT) return 'EXPIRED' as const;
        throw error;
      });
      if (status === 'PUBLISHED') {
        // An earlier attempt published it and lost the answer: report that post, never publish again.
        const found = await threadsClient.findPublished(request, context);
        if (found) return found;
        throw new PlatformError('ambiguous', `Threads container ${containerId} is published but its post was not found`, { code: 'PUBLISHED' });
      }
      if (status === 'EXPIRED') containerId = undefined;
    }
    if (!containerId) {
      containerId = await createContainer(request, context);
      await context.saveCheckpoint({ ...request.checkpoint, containerId });
      if (request.media.some(isVideo)) await waitUntilFinished(containerId, context);
    }
    let published: { id: string };
    try {
      published = await call<{ id: string }>(context, 'POST', `/${encodeURIComponent(context.channel.account)}/threads_publish`, 'publish container', {
        creation_id: containerId,
      });
    } catch (error) {
      // 24/4279009 "Media Not Found" right after creation is Threads still settling the container: try again later.
      if (error instanceof PlatformError && error.code === '24/4279009') {
        throw new PlatformError('retryable', error.message, { code: error.code, retryAfterSeconds: 30, cause: error });
      }
      throw error;
    }
    return result(published.id, await permalinkOf(published.id, context), request);
  },

  async findPublished(request, context) {
    const containerId = request.checkpoint.containerId;
    // Without a checkpointed container nothing was ever handed to threads_publish.
    if (!containerId) return null;
    let status: ContainerStatus;
    try {
      status = await containerStatus(containerId, context);
    } catch (error) {
      // Unknown or failed containers were never published.
      if (error instanceof PlatformError && error.errorClass === 'permanent') return null;
      throw error;
    }
    if (status !== 'PUBLISHED') return null;
    const media = await findByText(request, context);
    if (!media) throw new PlatformError('ambiguous', `Threads container ${containerId} is published but no recent post carries its text`, { code: 'NOT_FOUND' });
    return result(media.id, media.permalink, request);
  },

  async followerCount(context) {
    const insights = await call<{ data?: { name: string; total_value?: { value?: number } }[] }>(
      context,
      'GET',
      `/${encodeURIComponent(context.channel.account)}/threads_insights`,
      'read followers_count',
      { metric: 'followers_count' },
    );
    const value = insights.data?.find((metric) => metric.name === 'followers_count')?.total_value?.value;
    if (typeof value !== 'number') throw new PlatformError('permanent', 'Threads insights carried no followers_count', { code: 'NO_METRIC' });
    return value;
  },
};

export interface PublishingLimit {
  used: number;
  total: number;
  windowSeconds: number;
}

/** The account's publishing quota as Threads counts it (GET /{user-id}/threads_publishing_limit). */
export async function threadsPublishingLimit(context: PlatformContext): Promise<PublishingLimit> {
  const answer = await call<{ data?: { quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }[] }>(
    context,
    'GET',
    `/${encodeURIComponent(context.channel.account)}/threads_publishing_limit`,
    'read publishing limit',
    { fields: 'quota_usage,config' },
  );
  const entry = answer.data?.[0];
  const quota = PLATFORMS.threads.quota;
  return {
    used: entry?.quota_usage ?? 0,
    total: entry?.config?.quota_total ?? quota?.limit ?? 0,
    windowSeconds: entry?.config?.quota_duration ?? quota?.windowSeconds ?? 0,
  };
}

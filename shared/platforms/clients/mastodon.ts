/**
 * Mastodon (REST API of the channel's instance).
 * Statuses go out with `Idempotency-Key: <delivery key>`: Mastodon keeps the key for up to an
 * hour and answers a repeated request with the original status, so a retry never posts twice.
 * Media are fetched from their public URL and uploaded through POST /api/v2/media with the alt
 * text as `description`; videos are polled (GET /api/v1/media/:id) until processed.
 *
 * Credentials: `accessToken` (user token with scopes write:statuses write:media read:accounts read:statuses).
 * Channel `account`: the instance's profile URL of the account, e.g. `https://dresden.social/@stadt`;
 * its origin is the instance. When HEROLD_MASTODON_BASE_URL points elsewhere (a simulator or a
 * recorder), that base URL wins.
 */
import * as z from 'zod';
import { PLATFORMS } from '../registry';
import {
  PlatformError,
  type AnswerRequest,
  type PlatformClient,
  type PlatformReply,
  type ReplyCapabilities,
  type PlatformContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import type { Media } from '../../model/schemas';
import {
  classByStatus,
  httpRequest,
  parseAnswer,
  retryAfterSeconds,
  safeDetail,
  type HttpRequest,
  type HttpResponse,
} from '../http';
import { requireCredential, textMatches } from './graph';
import { citizenReplies } from './reply-tree';

/** Entities as docs.joinmastodon.org documents them, only the fields Herold reads. */
const StatusAnswer = z.looseObject({
  id: z.string(),
  url: z.string().nullish(),
  uri: z.string(),
  content: z.string(),
});
type Status = z.infer<typeof StatusAnswer>;
const StatusListAnswer = z.array(StatusAnswer);
/** MediaAttachment: `url` is null while the server still processes the file (answered 202). */
const AttachmentAnswer = z.looseObject({ id: z.string(), url: z.string().nullish() });
const AccountAnswer = z.looseObject({ id: z.string(), followers_count: z.number() });

/** Waiting for a video upload within one attempt; after that the attempt is retried. */
export const MEDIA_POLL = { intervalMs: 1000, attempts: 30 };

export function instanceUrl(context: PlatformContext): string {
  if (context.baseUrl !== PLATFORMS.mastodon.defaultBaseUrl) return context.baseUrl;
  try {
    return new URL(context.channel.account).origin;
  } catch {
    return context.baseUrl;
  }
}

/** Seconds until X-RateLimit-Reset (an ISO timestamp), else Retry-After. */
function rateLimitWait(headers: Headers, now = Date.now()): number | undefined {
  const reset = headers.get('x-ratelimit-reset');
  const resetAt = reset ? Date.parse(reset) : Number.NaN;
  if (!Number.isNaN(resetAt)) return Math.max(1, Math.ceil((resetAt - now) / 1000));
  return retryAfterSeconds(headers);
}

export function classifyMastodonError(response: HttpResponse, what: string): PlatformError {
  const message = (response.body as { error?: unknown } | undefined)?.error;
  const detail = `${what}: HTTP ${response.status} ${safeDetail(typeof message === 'string' ? message : response.body)}`;
  // 422 is Mastodon's validation answer (text too long, media invalid): the same request will fail again.
  const errorClass = response.status === 422 ? 'permanent' : classByStatus(response.status);
  return new PlatformError(errorClass, detail, {
    code: response.status,
    retryAfterSeconds: errorClass === 'rate-limited' ? (rateLimitWait(response.headers) ?? 300) : undefined,
  });
}

/** One call; a successful answer is parsed with `answer`, an error answer classified. */
async function api<T>(
  context: PlatformContext,
  request: Omit<HttpRequest, 'url' | 'fetch' | 'timeoutMs'> & { path: string; what: string; answer: z.ZodType<T> },
): Promise<{ status: number; body: T }> {
  const response = await httpRequest({
    method: request.method,
    url: `${instanceUrl(context)}${request.path}`,
    headers: { authorization: `Bearer ${requireCredential(context, 'accessToken')}`, ...request.headers },
    body: request.body,
    timeoutMs: context.timeoutMs,
    fetch: context.fetch,
  });
  if (response.status >= 200 && response.status < 300) {
    const body = parseAnswer(response, request.answer, {
      platform: 'Mastodon',
      call: request.what,
      secrets: context.credentials,
    });
    return { status: response.status, body };
  }
  throw classifyMastodonError(response, request.what);
}

/** The media file from its public URL; a missing file is permanent, an unreachable host may come back. */
async function download(media: Media, context: PlatformContext): Promise<Uint8Array> {
  const doFetch = context.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(media.url, { signal: AbortSignal.timeout(context.timeoutMs ?? 30_000) });
  } catch (error) {
    throw new PlatformError('retryable', `media ${media.url} could not be fetched`, {
      code: 'MEDIA_FETCH',
      cause: error,
    });
  }
  if (!response.ok) {
    throw new PlatformError(
      response.status >= 500 ? 'retryable' : 'permanent',
      `media ${media.url} answered HTTP ${response.status}`,
      { code: 'MEDIA_FETCH' },
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; filename: string; mime: string; bytes: Uint8Array },
): { body: Uint8Array; contentType: string } {
  const boundary = `herold-${crypto.randomUUID()}`;
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const [name, value] of Object.entries(fields)) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.mime}\r\n\r\n`,
    ),
  );
  parts.push(file.bytes);
  parts.push(encoder.encode(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function uploadMedia(media: Media, context: PlatformContext): Promise<string> {
  const bytes = await download(media, context);
  const filename = new URL(media.url).pathname.split('/').pop() || 'upload';
  const form = multipart({ description: media.altText }, { name: 'file', filename, mime: media.mime, bytes });
  const uploaded = await api(context, {
    method: 'POST',
    path: '/api/v2/media',
    headers: { 'content-type': form.contentType },
    body: form.body,
    what: 'upload media',
    answer: AttachmentAnswer,
  });
  if (uploaded.status !== 202 && uploaded.body.url) return uploaded.body.id;
  for (let attempt = 1; attempt <= MEDIA_POLL.attempts; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, MEDIA_POLL.intervalMs));
    const processed = await api(context, {
      method: 'GET',
      path: `/api/v1/media/${encodeURIComponent(uploaded.body.id)}`,
      what: 'read media status',
      answer: AttachmentAnswer,
    });
    // 206 Partial Content: still processing.
    if (processed.status === 200) return uploaded.body.id;
  }
  throw new PlatformError('retryable', `Mastodon is still processing media ${uploaded.body.id}`, {
    code: 'MEDIA_PROCESSING',
    retryAfterSeconds: 60,
  });
}

function result(status: Status, request: PublishRequest): PublishResult {
  return {
    remoteId: status.id,
    remoteUrl: status.url ?? status.uri,
    threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : status.id,
  };
}

/** The plain text of a status's HTML content, near enough to compare with what was sent. */
export function statusText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n')
    .replace(/<span class="invisible">[^<]*<\/span>/gi, (span) => span.replace(/<[^>]+>/g, ''))
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A status in a conversation, only the fields Herold reads. */
const ThreadStatus = z.looseObject({
  id: z.string(),
  in_reply_to_id: z.string().nullish(),
  content: z.string(),
  created_at: z.string(),
  account: z.looseObject({ id: z.string(), acct: z.string(), display_name: z.string().optional() }),
});
const ContextAnswer = z.looseObject({ ancestors: z.array(ThreadStatus), descendants: z.array(ThreadStatus) });

/** The answer as a status: in_reply_to_id the citizen's status, sent with the delivery's Idempotency-Key. */
const asThreadedPost = (request: AnswerRequest): PublishRequest => ({
  ...request,
  media: [],
  link: undefined,
  replyTo: {
    remoteId: request.answerTo.reply.remoteId,
    threadRootId: request.answerTo.post.threadRootId ?? request.answerTo.post.remoteId,
  },
});

/**
 * Replies: GET /api/v1/statuses/:id/context, whose `descendants` are every reply at every depth
 * (with a token: up to 4,096, no paging); the status itself names Herold's own account. Answers are
 * statuses with `in_reply_to_id`. Mastodon cannot hide someone else's reply (only mute, block or
 * report the account), so Herold does not offer it.
 */
const mastodonReplies: ReplyCapabilities = {
  async list(post, context) {
    await context.beforeRead();
    const own = await api(context, {
      method: 'GET',
      path: `/api/v1/statuses/${encodeURIComponent(post.remoteId)}`,
      what: 'read own status',
      answer: ThreadStatus,
    });
    await context.beforeRead();
    const thread = await api(context, {
      method: 'GET',
      path: `/api/v1/statuses/${encodeURIComponent(post.remoteId)}/context`,
      what: 'read replies',
      answer: ContextAnswer,
    });
    const nodes = thread.body.descendants.map((status) => ({
      status,
      id: status.id,
      parentId: status.in_reply_to_id ?? post.remoteId,
      own: status.account.id === own.body.account.id,
    }));
    return citizenReplies(post.remoteId, nodes).map(({ status, id, parentId }): PlatformReply => ({
      remoteId: id,
      parentRemoteId: parentId,
      text: statusText(status.content),
      author: {
        handle: status.account.acct,
        ...(status.account.display_name ? { name: status.account.display_name } : {}),
      },
      repliedAt: new Date(Date.parse(status.created_at)).toISOString(),
      hidden: false,
    }));
  },

  answer: (request, context) => mastodonClient.publish(asThreadedPost(request), context),

  findAnswer: (request, context) => mastodonClient.findPublished(asThreadedPost(request), context),
};

export const mastodonClient: PlatformClient = {
  platform: 'mastodon',
  replies: mastodonReplies,

  async publish(request, context) {
    const mediaIds: string[] = [];
    for (const media of request.media.slice(0, PLATFORMS.mastodon.media.maxItems))
      mediaIds.push(await uploadMedia(media, context));
    const form = new URLSearchParams({ status: request.text, visibility: 'public' });
    for (const id of mediaIds) form.append('media_ids[]', id);
    if (request.replyTo) form.set('in_reply_to_id', request.replyTo.remoteId);
    await context.clearToPublish();
    const posted = await api(context, {
      method: 'POST',
      path: '/api/v1/statuses',
      headers: { 'idempotency-key': request.idempotencyKey },
      body: form,
      what: 'post status',
      answer: StatusAnswer,
    });
    return result(posted.body, request);
  },

  async findPublished(request, context) {
    const account = await api(context, {
      method: 'GET',
      path: '/api/v1/accounts/verify_credentials',
      what: 'verify credentials',
      answer: AccountAnswer,
    });
    const recent = await api(context, {
      method: 'GET',
      path: `/api/v1/accounts/${encodeURIComponent(account.body.id)}/statuses?limit=40&exclude_reblogs=true`,
      what: 'list recent statuses',
      answer: StatusListAnswer,
    });
    const found = recent.body.find((status) => textMatches(statusText(status.content), request));
    // The account's 40 latest statuses cover any delivery still waiting to be verified.
    return found ? result(found, request) : null;
  },

  async followerCount(context) {
    const account = await api(context, {
      method: 'GET',
      path: '/api/v1/accounts/verify_credentials',
      what: 'verify credentials',
      answer: AccountAnswer,
    });
    return account.body.followers_count;
  },

  // Featured on the profile: POST /api/v1/statuses/:id/pin and /unpin (scope write:accounts).
  async pin(remoteId, context) {
    await api(context, {
      method: 'POST',
      path: `/api/v1/statuses/${encodeURIComponent(remoteId)}/pin`,
      what: 'pin status',
      answer: StatusAnswer,
    });
  },

  async unpin(remoteId, context) {
    await api(context, {
      method: 'POST',
      path: `/api/v1/statuses/${encodeURIComponent(remoteId)}/unpin`,
      what: 'unpin status',
      answer: StatusAnswer,
    });
  },
};

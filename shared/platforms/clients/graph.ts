/**
 * What the Meta Graph clients (Threads, Facebook, Instagram) share: calls with the token in the
 * Authorization header (never in a URL that could end up in a log), and the mapping of Graph's
 * error envelope `{ error: { message, type, code, error_subcode, is_transient, fbtrace_id } }`
 * to Herold's error classes.
 *
 * Codes (Graph API "Handling Errors" and the Instagram error code table):
 *   1, 2, -1, -2, or is_transient            → retryable (temporary platform trouble)
 *   4, 17, 32, 341, 613, 80001–80014, 9/2207042 (publishing limit) → rate-limited
 *   190, or subcodes 458–467                 → auth (token expired, revoked, password changed …)
 *   10, 200–299                              → auth (a permission is missing: a person has to act)
 *   506 (duplicate post), Instagram's 4/2207051 (spam restriction) and everything else → permanent
 */
import * as z from 'zod';
import {
  PlatformError,
  type PlatformContext,
  type PublishContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { classByStatus, httpRequest, parseAnswer, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

/** The graph.facebook.com version Facebook and Instagram calls use. */
export const FACEBOOK_GRAPH_VERSION = 'v23.0';

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613]);
const TRANSIENT_CODES = new Set([1, 2, -1, -2]);
/** Instagram: "You reached maximum number of posts that is allowed to be published by API in 24 hours". */
const PUBLISHING_LIMIT_SUBCODE = 2207042;
/** Instagram: code 4 with this subcode is a spam restriction on the post, not a rate limit; waiting does not help. */
const SPAM_RESTRICTION_SUBCODE = 2207051;
/** How long to wait on a rate limit the platform gives no time for: Graph's windows are an hour. */
const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 15 * 60;

export function graphErrorBody(body: unknown): GraphErrorBody | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return error && typeof error === 'object' ? (error as GraphErrorBody) : undefined;
}

/** Minutes until a throttled business use case may call again (X-Business-Use-Case-Usage), in seconds. */
export function businessUseCaseWait(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const usage = JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: number }[]>;
    const minutes = Object.values(usage)
      .flat()
      .map((entry) => entry.estimated_time_to_regain_access ?? 0);
    const longest = Math.max(0, ...minutes);
    return longest > 0 ? longest * 60 : undefined;
  } catch {
    return undefined;
  }
}

export function classifyGraphError(response: HttpResponse, what: string): PlatformError {
  const error = graphErrorBody(response.body);
  const code = error?.code;
  const subcode = error?.error_subcode;
  const detail = `${what}: HTTP ${response.status} ${error ? safeDetail(`${error.message ?? ''}${error.error_user_msg ? ` (${error.error_user_msg})` : ''}`) : safeDetail(response.body)}`;
  const codeLabel =
    code === undefined ? String(response.status) : subcode === undefined ? String(code) : `${code}/${subcode}`;
  const make = (errorClass: PlatformError['errorClass'], retryAfter?: number) =>
    new PlatformError(errorClass, detail, { code: codeLabel, retryAfterSeconds: retryAfter });

  if (code === undefined) {
    const errorClass = classByStatus(response.status);
    return make(
      errorClass,
      errorClass === 'rate-limited'
        ? (retryAfterSeconds(response.headers) ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS)
        : undefined,
    );
  }
  if (code === 190 || (subcode !== undefined && subcode >= 458 && subcode <= 467)) return make('auth');
  if (code === 10 || (code >= 200 && code <= 299)) return make('auth');
  if (subcode === SPAM_RESTRICTION_SUBCODE) return make('permanent');
  if (RATE_LIMIT_CODES.has(code) || (code >= 80001 && code <= 80014) || subcode === PUBLISHING_LIMIT_SUBCODE) {
    return make(
      'rate-limited',
      retryAfterSeconds(response.headers) ?? businessUseCaseWait(response.headers) ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS,
    );
  }
  if (TRANSIENT_CODES.has(code) || error?.is_transient === true || response.status >= 500) return make('retryable');
  return make('permanent');
}

export interface GraphCall<T> {
  method: 'GET' | 'POST';
  /** base URL including the API version, e.g. https://graph.threads.net/v1.0 */
  apiUrl: string;
  /** e.g. `/1234/threads` */
  path: string;
  params?: Record<string, string | undefined>;
  token: string;
  /** what the call does, for error messages */
  what: string;
  context: PlatformContext;
  /** the documented shape of the answer, only the fields Herold reads */
  answer: z.ZodType<T>;
}

/**
 * One Graph call: parameters in the query for GET, as a form for POST; errors thrown as
 * PlatformErrors, and an answer that does not fit its documented shape too (see parseAnswer).
 */
export async function graphCall<T>(call: GraphCall<T>): Promise<T> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(call.params ?? {})) if (value !== undefined) params.set(name, value);
  const query = call.method === 'GET' && [...params].length > 0 ? `?${params}` : '';
  const response = await httpRequest({
    method: call.method,
    url: `${call.apiUrl}${call.path}${query}`,
    headers: { authorization: `Bearer ${call.token}` },
    body: call.method === 'POST' ? params : undefined,
    timeoutMs: call.context.timeoutMs,
    fetch: call.context.fetch,
  });
  if (response.status >= 200 && response.status < 300 && !graphErrorBody(response.body))
    return parseAnswer(response, call.answer, {
      platform: PLATFORMS[call.context.channel.platform].displayName,
      call: call.what,
      secrets: call.context.credentials,
    });
  throw classifyGraphError(response, call.what);
}

/** A Graph call with the channel's access token, against one API version. */
export type ChannelGraphCall = <T>(
  context: PlatformContext,
  method: 'GET' | 'POST',
  path: string,
  what: string,
  answer: z.ZodType<T>,
  params?: Record<string, string | undefined>,
) => Promise<T>;

/** The call each Graph client makes: its platform's base URL and API version, the channel's access token. */
export function channelGraphCall(apiVersion: string): ChannelGraphCall {
  return (context, method, path, what, answer, params) =>
    graphCall({
      method,
      apiUrl: `${context.baseUrl}/${apiVersion}`,
      path,
      params,
      token: requireCredential(context, 'accessToken'),
      what,
      context,
      answer,
    });
}

/** Graph answers with the new object's id for every create and publish call. */
export const CreatedAnswer = z.looseObject({ id: z.string() });

/** A media container's state, as Threads (`status`) and Instagram (`status_code`) report it. */
export const ContainerStatusSchema = z.enum(['IN_PROGRESS', 'FINISHED', 'PUBLISHED', 'ERROR', 'EXPIRED']);

/** The publishing-limit edge of Threads and Instagram: `data` holds one entry. */
export const PublishingLimitAnswer = z.looseObject({
  data: z.array(
    z.looseObject({
      quota_usage: z.number().optional(),
      config: z.looseObject({ quota_total: z.number().optional(), quota_duration: z.number().optional() }).optional(),
    }),
  ),
});

/** A read of one object's permalink. */
export const PermalinkAnswer = z.looseObject({ permalink: z.string().optional() });

/**
 * Publishes a finished container (`/{user}/threads_publish`, `/{user}/media_publish`). `settlingCode` is
 * the error code with which the platform says the container is not ready yet: then it is published on
 * the next attempt rather than failed.
 */
export async function publishContainer(
  call: ChannelGraphCall,
  context: PlatformContext,
  path: string,
  containerId: string,
  settlingCode: string,
): Promise<string> {
  try {
    return (await call(context, 'POST', path, 'publish container', CreatedAnswer, { creation_id: containerId })).id;
  } catch (error) {
    if (error instanceof PlatformError && error.code === settlingCode) {
      throw new PlatformError('retryable', error.message, { code: error.code, retryAfterSeconds: 30, cause: error });
    }
    throw error;
  }
}

/** A read of one media object's permalink (Threads, Instagram). */
export async function mediaPermalink(
  call: ChannelGraphCall,
  context: PlatformContext,
  mediaId: string,
): Promise<string | undefined> {
  return (
    await call(context, 'GET', `/${encodeURIComponent(mediaId)}`, 'read permalink', PermalinkAnswer, {
      fields: 'permalink',
    })
  ).permalink;
}

/** A credential the channel's secret must hold; its absence is an auth problem a person has to fix. */
export function requireCredential(context: PlatformContext, key: string): string {
  const value = context.credentials[key];
  if (!value)
    throw new PlatformError('auth', `${context.channel.platform} credentials lack "${key}"`, {
      code: 'MISSING_CREDENTIAL',
    });
  return value;
}

/** Whether a post's text is the one this request published: by its marker when the text carries one, else the whole text. */
export function textMatches(postText: string | undefined, request: PublishRequest): boolean {
  if (!postText) return false;
  if (request.marker && request.text.includes(request.marker)) return postText.includes(request.marker);
  const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();
  return normalize(postText) === normalize(request.text);
}

export type ContainerStatus = z.infer<typeof ContainerStatusSchema>;

/** The platform-specific steps of a container publish (Threads, Instagram). */
export interface ContainerSteps {
  platformName: string;
  /** read the container's status; an ERROR status throws a permanent PlatformError */
  status(containerId: string): Promise<ContainerStatus>;
  create(): Promise<string>;
  /** whether the new container must be waited for before publishing (videos) */
  processes: boolean;
  /** publish the container; returns the media id */
  publish(containerId: string): Promise<string>;
  permalink(mediaId: string): Promise<string | undefined>;
  /** the account's recent post carrying this request's text */
  findByText(): Promise<{ id: string; permalink?: string } | undefined>;
}

/** How often and how long to wait for a processing container within one attempt; after that the next attempt continues. */
export const CONTAINER_POLL = { intervalMs: 1000, attempts: 20 };
/** Graph's "object does not exist" (code 100, subcode 33). */
const UNKNOWN_OBJECT = '100/33';

export async function waitForContainer(steps: ContainerSteps, containerId: string): Promise<ContainerStatus> {
  for (let attempt = 1; ; attempt += 1) {
    const status = await steps.status(containerId);
    if (status !== 'IN_PROGRESS') return status;
    if (attempt >= CONTAINER_POLL.attempts) {
      throw new PlatformError('retryable', `${steps.platformName} container ${containerId} still processing`, {
        code: 'IN_PROGRESS',
        retryAfterSeconds: 60,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, CONTAINER_POLL.intervalMs));
  }
}

function threadRoot(mediaId: string, request: PublishRequest): string {
  return request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : mediaId;
}

/**
 * Create a container, checkpoint its id, then publish it. With a checkpointed container, that
 * container is published (or, if an earlier attempt already published it, its post is reported)
 * and no second container is created, so a delivery never becomes two posts.
 */
export async function publishThroughContainer(
  steps: ContainerSteps,
  request: PublishRequest,
  context: PublishContext,
): Promise<PublishResult> {
  let containerId = request.checkpoint.containerId;
  if (containerId) {
    const status = await waitForContainer(steps, containerId).catch((error: unknown) => {
      // A container the platform no longer knows was never published: start over with a new one.
      if (error instanceof PlatformError && error.code === UNKNOWN_OBJECT) return 'EXPIRED' as const;
      throw error;
    });
    if (status === 'PUBLISHED') {
      const found = await findContainerPost(steps, request);
      if (found) return found;
      throw new PlatformError(
        'ambiguous',
        `${steps.platformName} container ${containerId} is published but its post was not found`,
        { code: 'PUBLISHED' },
      );
    }
    if (status === 'EXPIRED') containerId = undefined;
  }
  if (!containerId) {
    containerId = await steps.create();
    await context.saveCheckpoint({ ...request.checkpoint, containerId });
    if (steps.processes) await waitForContainer(steps, containerId);
  }
  await context.clearToPublish();
  const mediaId = await steps.publish(containerId);
  const liveAt = Date.now();
  let remoteUrl: string | undefined;
  try {
    remoteUrl = await steps.permalink(mediaId);
  } catch {
    // The post is out; a missing link must not turn a success into a retry.
  }
  return { remoteId: mediaId, remoteUrl, threadRootId: threadRoot(mediaId, request), liveAt };
}

/** After an ambiguous outcome: the post of the checkpointed container, null when it certainly was not published. */
export async function findContainerPost(steps: ContainerSteps, request: PublishRequest): Promise<PublishResult | null> {
  const containerId = request.checkpoint.containerId;
  // Without a checkpointed container nothing was ever handed to the publish call.
  if (!containerId) return null;
  let status: ContainerStatus;
  try {
    status = await steps.status(containerId);
  } catch (error) {
    // Unknown or failed containers were never published.
    if (error instanceof PlatformError && error.errorClass === 'permanent') return null;
    throw error;
  }
  if (status !== 'PUBLISHED') return null;
  const media = await steps.findByText();
  if (!media)
    throw new PlatformError(
      'ambiguous',
      `${steps.platformName} container ${containerId} is published but no recent post carries its text`,
      { code: 'NOT_FOUND' },
    );
  return { remoteId: media.id, remoteUrl: media.permalink, threadRootId: threadRoot(media.id, request) };
}

export interface PublishingLimit {
  used: number;
  total: number;
  windowSeconds: number;
}

/** The shape both Threads' and Instagram's publishing-limit edges answer with. */
export function publishingLimitFrom(
  entry: z.infer<typeof PublishingLimitAnswer>['data'][number] | undefined,
  fallback: { limit: number; windowSeconds: number } | null,
): PublishingLimit {
  return {
    used: entry?.quota_usage ?? 0,
    total: entry?.config?.quota_total ?? fallback?.limit ?? 0,
    windowSeconds: entry?.config?.quota_duration ?? fallback?.windowSeconds ?? 0,
  };
}

export interface MetaTokenStatus {
  valid: boolean;
  /** undefined: the token does not expire (Page tokens from a long-lived user token) */
  expiresAt: Date | undefined;
}

/**
 * What graph.facebook.com knows about a Facebook or Instagram channel's token (GET /debug_token).
 * These tokens come through Facebook Login and cannot be refreshed by API, only inspected; the token
 * debugs itself, which Graph allows because both tokens belong to the same app.
 */
export async function debugMetaToken(context: PlatformContext): Promise<MetaTokenStatus> {
  const token = requireCredential(context, 'accessToken');
  const answer = await graphCall({
    method: 'GET',
    apiUrl: `${context.baseUrl}/${FACEBOOK_GRAPH_VERSION}`,
    path: '/debug_token',
    params: { input_token: token },
    token,
    what: 'debug access token',
    context,
    // expires_at is 0 for a token that never expires
    answer: z.looseObject({
      data: z.looseObject({ is_valid: z.boolean(), expires_at: z.number().optional() }),
    }),
  });
  const expiresAt = answer.data.expires_at;
  return { valid: answer.data.is_valid, expiresAt: expiresAt ? new Date(expiresAt * 1000) : undefined };
}

/** A page of a Graph list: `paging.next` is there while more pages follow, `paging.cursors.after` names the next one. */
export const graphPage = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    data: z.array(item),
    paging: z
      .looseObject({
        cursors: z.looseObject({ after: z.string().optional() }).optional(),
        next: z.string().optional(),
      })
      .optional(),
  });

/** The most pages one listing reads (100 replies a page): a post with more replies is read up to there, and that fails loudly. */
export const MAX_REPLY_PAGES = 200;

/** Every item of a paged Graph list, one page after the other (each page a read of the budget). */
export async function allGraphPages<T>(
  readPage: (
    after: string | undefined,
  ) => Promise<{ data: T[]; paging?: { cursors?: { after?: string }; next?: string } }>,
  beforeRead: () => Promise<void>,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_REPLY_PAGES; page += 1) {
    await beforeRead();
    const answer = await readPage(after);
    items.push(...answer.data);
    after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
    if (!after) return items;
  }
  throw new PlatformError('permanent', `${what}: more than ${MAX_REPLY_PAGES} pages`, { code: 'TOO_MANY_PAGES' });
}

/** A platform's time (Graph's `2026-05-02T10:33:16+0000`, epoch seconds, ISO 8601) as ISO 8601 in UTC; now when it cannot be read. */
export function isoTime(value: string | number | undefined, now = Date.now()): string {
  const ms = typeof value === 'number' ? value * 1000 : value ? Date.parse(value) : Number.NaN;
  return new Date(Number.isNaN(ms) ? now : ms).toISOString();
}

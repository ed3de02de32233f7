/** Contracts between the simulator core and its per-platform modules. */
import type { PlatformId } from '../../shared/platforms/registry';

/** Citizens' replies (see replies.ts). */
export interface SimReplyInput {
  postId: string;
  /** the reply answered (default: the post) */
  parentId?: string;
  text: string;
  handle?: string;
  name?: string;
}

/** A signed webhook as the platform would send it for one new reply. */
export interface SimWebhook {
  /** where the platform itself sends it (Telegram: the bot's setWebhook address); else the test's `webhook` */
  url?: string;
  body: unknown;
  /** the app secret it is signed with (X-Hub-Signature-256), or the header to send as is */
  appSecret?: string;
  headers?: Record<string, string>;
}

export interface SimReplies {
  /** store a citizen's reply; undefined when the post (or parent) is not this platform's */
  add(input: SimReplyInput, state: SimState): { id: string; webhook?: SimWebhook } | undefined;
  /** delete one, as its author would; false when there is none */
  remove(id: string, state: SimState): boolean;
}

/** A multipart file part, as modules see it. */
export interface SimFile {
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
}

export interface SimRequest {
  method: string;
  /** path without query string, e.g. `/v1.0/1234/threads` */
  path: string;
  query: URLSearchParams;
  /** lower-cased header names */
  headers: Record<string, string>;
  /** parsed body: JSON object, form fields as a plain object, or undefined */
  body: unknown;
  rawBody: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** objects are sent as JSON, strings as text */
  body?: unknown;
}

/** A post the simulator accepted, as listed by GET /_sim/posts. */
export interface SimPost {
  platform: PlatformId;
  id: string;
  account: string;
  text: string;
  link?: string;
  media: { url: string; altText?: string }[];
  replyTo?: string;
  idempotencyKey?: string;
  /** pinned to the top of the channel or profile (Telegram, Mastodon) */
  pinned?: boolean;
  receivedAt: string;
}

/** A fault to inject, set through POST /_sim/faults. */
export interface SimFault {
  platform?: PlatformId;
  /** probability 0..1 that a matching request gets this fault (default 1) */
  rate?: number;
  /** how many requests it applies to before it expires (default unlimited) */
  count?: number;
  /** only publishing requests (POST) when true (default true) */
  writesOnly?: boolean;
  /** only reads (GET: lookups, status polls) when true; wins over writesOnly */
  readsOnly?: boolean;
  /** paths (as the platform sees them, e.g. `/xrpc/com.atproto.server.createSession`) the fault never applies to */
  exceptPaths?: string[];
  /** only requests whose path, query, Authorization header or body contain this text: one channel's account id or token */
  matching?: string;
  status?: number;
  body?: unknown;
  retryAfter?: number;
  delayMs?: number;
  /** record the post, then destroy the socket without answering */
  dropAfterRecord?: boolean;
  /** an answer the platform's documentation does not promise (see OddAnswer) */
  oddAnswer?: OddAnswer;
}

/**
 * Odd answers real platforms and the proxies before them do give:
 *   html-page       a 200 maintenance or captive page in HTML, from a proxy: the platform never saw the request
 *   wrong-shape     the platform handled the request, but its JSON has another shape: every list an
 *                   object, every id field (and the id headers x-restli-id, Location) gone
 *   truncated-json  the platform handled the request; its JSON arrives cut off halfway
 *   empty-204       the platform handled the request and answered 204 with no body at all
 * The last three change only successful answers: an error answer goes out as the platform gave it.
 */
export const ODD_ANSWERS = ['html-page', 'wrong-shape', 'truncated-json', 'empty-204'] as const;
export type OddAnswer = (typeof ODD_ANSWERS)[number];

export interface SimState {
  /** store an accepted post; returns it */
  record(post: Omit<SimPost, 'receivedAt'>): SimPost;
  posts(platform?: PlatformId): SimPost[];
  findPost(platform: PlatformId, id: string): SimPost | undefined;
  /** a fresh numeric-looking id */
  nextId(): string;
  /** the follower count the simulator reports for an account now (grows slowly over time) */
  followers(platform: PlatformId, account: string): number;
  /** the valid credential for a platform (what the seed channels use) */
  token(platform: PlatformId): string;
  /** a new credential the platforms accept from now on (a simulated sign-in's) */
  issueToken(platforms: PlatformId | PlatformId[], prefix: string): string;
  /** whether a platform accepts this credential: the seed's, or one issued and not revoked */
  acceptsToken(platform: PlatformId, token: string | undefined): boolean;
  revokeToken(platform: PlatformId, token: string): void;
  /** scratch space for a platform module's own state (containers, sessions …) */
  scratch<T>(platform: PlatformId, name: string, init: () => T): T;
  /** publishing calls counted in the platform's rolling window; false when the quota is spent */
  takeQuota(platform: PlatformId, account: string): boolean;
  /** publishing calls in the current window, for the platforms' own quota endpoints */
  quotaUsage(platform: PlatformId, account: string): { used: number; limit: number; windowSeconds: number };
  /** the simulator's own public base URL */
  baseUrl: string;
}

export interface SimPlatform {
  id: PlatformId;
  /** citizens' replies to the account's posts (see replies.ts), where the platform has them */
  replies?: SimReplies;
  /** answer the request, or undefined when the path is not this platform's */
  handle(request: SimRequest, state: SimState): Promise<SimResponse | undefined> | SimResponse | undefined;
  /**
   * the platform's own answer for an unknown path or an injected fault without a body (default: a
   * plain JSON error); retryAfter (seconds) is given for faults that set one, for platforms that
   * carry the wait in the body or their own headers
   */
  errorResponse?(status: number, message: string, retryAfter?: number): SimResponse;
}

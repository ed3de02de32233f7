/** The one interface every platform module implements. Platform specifics never leak past it. */
import * as z from 'zod';
import type { Channel, ErrorClass, Media } from '../model/schemas';
import type { PlatformId } from './registry';

/** A platform's own credentials for one channel, as stored in its secret. */
/** A channel's platform credentials: names to strings (tokens, ids, expiry times), however they are stored. */
export const CredentialsSchema = z.record(z.string(), z.string());
export type Credentials = z.infer<typeof CredentialsSchema>;

export interface PublishRequest {
  /** stable per delivery (`<messageId>:<channelId>`): sent as idempotency key where the platform has one */
  idempotencyKey: string;
  /** short marker that identifies the post when it has to be looked up after an ambiguous outcome */
  marker: string;
  text: string;
  link?: string;
  media: Media[];
  /** the earlier post this one answers, when the platform supports replies */
  replyTo?: { remoteId: string; threadRootId?: string };
  /** what an earlier attempt of this delivery recorded, e.g. a created container id */
  checkpoint: Record<string, string>;
}

export interface PublishResult {
  remoteId: string;
  remoteUrl?: string;
  /** the thread's root post (differs from remoteId only for replies) */
  threadRootId?: string;
  /** when the post went live (epoch ms), where the client still had work after that, e.g. reading its link */
  liveAt?: number;
}

export interface PlatformContext {
  channel: Channel;
  credentials: Credentials;
  baseUrl: string;
  /** durable record of intermediate state before the next, irreversible step */
  saveCheckpoint(checkpoint: Record<string, string>): Promise<void>;
  fetch?: typeof fetch;
  /** ms before a request counts as timed out (its outcome is then ambiguous) */
  timeoutMs?: number;
}

/** What publish() gets beyond the context every call has. */
export interface PublishContext extends PlatformContext {
  /**
   * Every client's publish() awaits this right before its one irreversible request (the request
   * that makes the post: create a status, publish a container, upload a video's bytes) and makes no
   * other write after it. It resolves once the post may be made (the channel's publishing budget is
   * taken) and rejects when it may not. From then on the attempt counts as sent: whatever goes wrong
   * after it (a lost answer, an answer Herold cannot read) may have left a post on the platform, so
   * the publisher looks before it publishes again. Before it, nothing anyone can see was created, and
   * a failure is retried. A client that never calls it cannot publish (see the contract test).
   */
  clearToPublish(): Promise<void>;
}

export interface PlatformClient {
  readonly platform: PlatformId;
  /**
   * The client's first steps create nothing anyone can see (a media container) and cost no
   * publishing quota. The publisher then takes the channel's budget while the client prepares
   * (context.clearToPublish() waits for it) instead of before it starts: one round trip less.
   */
  readonly preparesBeforePublishing?: boolean;
  publish(request: PublishRequest, context: PublishContext): Promise<PublishResult>;
  /**
   * After an ambiguous outcome: find the post if the platform did receive it.
   * Returns null when it is certain the post does not exist. A platform that offers no way to
   * look a post up throws an `ambiguous` PlatformError with code NO_LOOKUP_CODE: asking again
   * cannot help, so the publisher hands the delivery to a person.
   */
  findPublished(request: PublishRequest, context: PlatformContext): Promise<PublishResult | null>;
  followerCount(context: PlatformContext): Promise<number>;
  /**
   * Renew short-lived credentials the platform has just refused (X's two-hour OAuth 2 access
   * tokens). The publisher stores what this returns and tries once more; without it an auth error
   * stops the delivery and flags the channel.
   */
  refreshCredentials?(context: PlatformContext): Promise<Credentials>;
  /** keep a published post at the top of the channel (only where the platform's API can) */
  pin?(remoteId: string, context: PlatformContext): Promise<void>;
  /** release a post pinned with pin() */
  unpin?(remoteId: string, context: PlatformContext): Promise<void>;
  /** the replies to Herold's posts: read, answer, hide (only where the platform's API has them) */
  replies?: ReplyCapabilities;
}

/** One of Herold's own posts, as its delivery recorded it. */
export interface RepliedPost {
  remoteId: string;
  /** the first post of its thread (Bluesky: the root's strong ref; the threadgate lives there) */
  threadRootId?: string;
}

/** Where a reply is, for answering and hiding it. */
export interface ReplyTarget {
  remoteId: string;
  /** the top-level comment it belongs to: Facebook, Instagram and YouTube thread answers one level deep */
  threadRemoteId?: string;
  /** Telegram: the discussion group the comment was written in */
  chat?: string;
}

/**
 * A citizen's public reply as the platform shows it, and only what Herold keeps of it: no avatar,
 * no follower count, no account id that could link one person across platforms.
 */
export interface PlatformReply extends ReplyTarget {
  /** what it replies to: Herold's post, or another reply */
  parentRemoteId: string;
  text: string;
  author: { handle?: string; name?: string };
  /** when it was written, as the platform says (ISO 8601) */
  repliedAt: string;
  /** hidden on the platform: by Herold, or in the platform's own app */
  hidden: boolean;
}

/** What reading replies needs beyond a platform call's context. */
export interface ReplyReadContext extends PlatformContext {
  /** awaited before every read request; rejects when the channel's read budget is spent */
  beforeRead(): Promise<void>;
  /** replies Herold has hidden under this post (YouTube lists comments held for review only when asked) */
  hiddenRemoteIds: readonly string[];
}

/** An answer to one reply: a post of Herold's, threaded under the reply on the reply's platform. */
export interface AnswerRequest extends PublishRequest {
  answerTo: { reply: ReplyTarget; post: RepliedPost };
}

/** Whether Herold can read a channel's replies where they are not polled (Telegram's discussion group). */
export type InboxAccess =
  { ok: true; discussionGroup?: string } | { ok: false; reason: string; discussionGroup?: string };

export interface ReplyCapabilities {
  /**
   * Every reply under the post that Herold may see, its own answers and thread updates left out, or
   * a PlatformError (a read budget spent midway throws too: a listing is all or nothing).
   */
  list?(post: RepliedPost, context: ReplyReadContext): Promise<PlatformReply[]>;
  /** Publish an answer; like publish(), it awaits context.clearToPublish() right before the one irreversible request. */
  answer(request: AnswerRequest, context: PublishContext): Promise<PublishResult>;
  /** After an ambiguous outcome: the answer if the platform has it, null when it certainly does not (see findPublished). */
  findAnswer(request: AnswerRequest, context: PlatformContext): Promise<PublishResult | null>;
  /** Hide a reply from the public, or show it again; reversible on every platform that has it. */
  setHidden?(reply: ReplyTarget, post: RepliedPost, hidden: boolean, context: PlatformContext): Promise<void>;
  /** Check (and repair) what push-only collection needs: Telegram's discussion group, the bot's rights, its webhook. */
  checkAccess?(
    context: PlatformContext,
    webhook: { url: string; secretToken: string } | undefined,
  ): Promise<InboxAccess>;
}

/** The PlatformError code of a findPublished that can never tell (see PlatformClient.findPublished). */
export const NO_LOOKUP_CODE = 'NO_LOOKUP';

/** The PlatformError code of an answer that is not the platform's documented shape (parseAnswer in ./http). */
export const UNEXPECTED_ANSWER_CODE = 'UNEXPECTED_ANSWER';

/** A platform call that failed, sorted into the classes the publisher acts on. */
export class PlatformError extends Error {
  readonly errorClass: ErrorClass;
  readonly code: string | undefined;
  /** seconds to wait before the next attempt (rate limits) */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    errorClass: ErrorClass,
    message: string,
    options: { code?: string | number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PlatformError';
    this.errorClass = errorClass;
    this.code = options.code === undefined ? undefined : String(options.code);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The domain model as zod schemas; every type in Herold is inferred from these. */
import * as z from 'zod';
import { MEDIA_MIMES, PLATFORM_IDS } from '../platforms/registry';
import { CAP_MSG_TYPES, CAP_SEVERITIES, CAP_STATUSES } from '../cap/vocabulary';

export const PlatformIdSchema = z.enum(PLATFORM_IDS);

export const OrgIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'organisation ids are lower-case letters, digits and dashes');
export type OrgId = z.infer<typeof OrgIdSchema>;

export const RoleSchema = z.enum(['editor', 'emergency', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

/** Ids Herold generates or accepts in paths: no slashes, dots or other traversal material. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, "-" or "_"');

export const ChannelStateSchema = z.enum(['active', 'frozen', 'retired']);
export type ChannelState = z.infer<typeof ChannelStateSchema>;

/**
 * Whether a person connected the channel's account through Herold. Absent on channels whose
 * credentials were put in place by hand (the seed, channels from before connections): connected.
 */
export const ChannelConnectionSchema = z.object({
  status: z.enum(['not-connected', 'connected']),
  /** the account as the platform names it (page name, username), never a token */
  accountName: z.string().optional(),
  connectedAt: z.iso.datetime().optional(),
  /** who connected it: name or e-mail from the token, else the subject */
  connectedBy: z.string().optional(),
  /** the last attempt that did not connect, with the platform's reason; cleared by the next success */
  lastFailure: z.object({ at: z.iso.datetime(), reason: z.string() }).optional(),
});
export type ChannelConnection = z.infer<typeof ChannelConnectionSchema>;

/** The channel's latest settled delivery, written by the publisher: what the Channels page shows without reading messages. */
export const LastPublishSchema = z.object({
  at: z.iso.datetime(),
  messageId: IdSchema,
  state: z.enum(['PUBLISHED', 'FAILED', 'HANDOFF']),
  /** the class of a failure (auth, permanent, …), or why a person has to post */
  detail: z.string().optional(),
});
export type LastPublish = z.infer<typeof LastPublishSchema>;

/**
 * How the channel's replies inbox stands, as the last collection found it: `ok`, `no-access` with
 * the platform's reason (a token without the read permission, a Telegram bot that cannot read the
 * discussion group), or `waiting` until `until` after the platform asked Herold to slow down.
 * Written only when it changes.
 */
export const ChannelInboxSchema = z.object({
  status: z.enum(['ok', 'no-access', 'waiting']),
  reason: z.string().optional(),
  since: z.iso.datetime(),
  /** epoch ms before which no poll is made (the platform's rate limit) */
  until: z.number().optional(),
  /** Telegram: the channel's linked discussion group, where its comments live */
  discussionGroup: z.string().optional(),
});
export type ChannelInbox = z.infer<typeof ChannelInboxSchema>;

export const ChannelSchema = z.object({
  id: IdSchema,
  org: OrgIdSchema,
  platform: PlatformIdSchema,
  handle: z.string().min(1),
  /** the name people know the channel by, e.g. "Landeshauptstadt Dresden" */
  displayName: z.string().optional(),
  state: ChannelStateSchema,
  /** platform account the channel posts as: Threads user id, Page id, instance URL, board id, @channel … */
  account: z.string().min(1),
  /** where the credentials live: a Secrets Manager ARN or name, or `local:<key>` in the local stack */
  credentialsRef: z.string().min(1),
  /** a public profile URL, used for hand-off deep links and reports */
  profileUrl: z.url().optional(),
  needsReauth: z.boolean().optional(),
  /** when the channel's token expires, as the daily token health check last learned it (never the token itself) */
  tokenExpiresAt: z.iso.datetime().optional(),
  /** when the token health check last checked the channel's token */
  tokenCheckedAt: z.iso.datetime().optional(),
  /** when the channel's token was last renewed (by the token health check or a publisher) or issued (by a connection) */
  tokenRefreshedAt: z.iso.datetime().optional(),
  /**
   * Herold renews the access token itself (the secret holds a refresh token and the app, or a
   * renewal has succeeded): its expiry needs nobody, so the Channels page does not warn about it
   */
  tokenRenews: z.boolean().optional(),
  /** the account's own text limit where it differs from the registry's (a Mastodon instance's max_characters) */
  textLimit: z.number().int().positive().optional(),
  connection: ChannelConnectionSchema.optional(),
  /** this channel's publishing budget, when it differs from the platform's default in the registry */
  quota: z
    .object({
      limit: z.number().int().positive(),
      windowSeconds: z.number().int().positive(),
      note: z.string().default('set per channel'),
    })
    .optional(),
  stateReason: z.string().optional(),
  /** the replies inbox's state (see ChannelInboxSchema) */
  inbox: ChannelInboxSchema.optional(),
});
export type Channel = z.infer<typeof ChannelSchema>;

export const MediaSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  altText: z.string().trim().min(1, 'every image and video needs an alt text').max(1500),
  mime: z.enum(MEDIA_MIMES),
});
export type Media = z.infer<typeof MediaSchema>;

export const PrioritySchema = z.enum(['normal', 'emergency']);
export type Priority = z.infer<typeof PrioritySchema>;

/** CAP severity; for an API emergency message it decides whether one person may send it alone */
export const SeveritySchema = z.enum(CAP_SEVERITIES);

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => text.trim().length > 0, 'must not be empty or whitespace only');

export const CreateMessageSchema = z
  .object({
    text: nonBlank(10_000),
    link: z.url({ protocol: /^https?$/ }).optional(),
    media: z.array(MediaSchema).max(20).default([]),
    /** by default the organisation's active channels, however many; a list names at most 1,000 */
    channels: z.array(IdSchema).min(1).max(1000).optional(),
    priority: PrioritySchema.default('normal'),
    replyTo: IdSchema.optional(),
    overrides: z.partialRecord(PlatformIdSchema, z.strictObject({ text: nonBlank(10_000) })).optional(),
    /** ISO 8601 date-time with offset (or `Z`), or a local date-time together with `timeZone`; checked by shared/scheduling/time.ts */
    scheduledAt: z.string().max(64).optional(),
    /** IANA zone of a local `scheduledAt`, e.g. Europe/Berlin */
    timeZone: z.string().max(64).optional(),
    severity: SeveritySchema.optional(),
    /** a routine message without media still reaches image-only platforms (Instagram, Pinterest) on a generated alert card */
    card: z.boolean().optional(),
  })
  .strict();
export type CreateMessageInput = z.input<typeof CreateMessageSchema>;
export type CreateMessage = z.output<typeof CreateMessageSchema>;

/** `answer`: the authority's answer to one citizen's reply, published threaded under it on one channel */
export const MessageKindSchema = z.enum(['post', 'alert', 'update', 'cancel', 'all-clear', 'answer']);
export type MessageKind = z.infer<typeof MessageKindSchema>;

/**
 * Where a message stands before its deliveries run. Absent: it was queued when it was created.
 * SCHEDULED waits for its time, HELD waits for a person (crisis hold), DISPATCHED left a schedule or
 * hold and was queued, CANCELLED was withdrawn before it went out, REJECTED was refused by the
 * second person of the two-person rule (nothing of it was published).
 */
export const MessageStateSchema = z.enum(['SCHEDULED', 'HELD', 'DISPATCHED', 'CANCELLED', 'REJECTED']);
export type MessageState = z.infer<typeof MessageStateSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  org: OrgIdSchema,
  kind: MessageKindSchema,
  priority: PrioritySchema,
  text: z.string(),
  link: z.string().optional(),
  media: z.array(MediaSchema),
  replyTo: IdSchema.optional(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  channelIds: z.array(IdSchema),
  /** a message to more than DELIVERIES_PER_PARTITION channels: how many partitions its deliveries are spread over (shared/store/keys.ts) */
  deliveryPartitions: z.number().int().min(2).optional(),
  state: MessageStateSchema.optional(),
  /** why the message is in its state (e.g. which hold keeps it) */
  stateReason: z.string().optional(),
  /** when a scheduled message goes out, in UTC */
  scheduledAt: z.iso.datetime().optional(),
  /** the same instant in the organisation's time zone, with its offset */
  scheduledAtLocal: z.iso.datetime({ offset: true }).optional(),
  timeZone: z.string().optional(),
  severity: SeveritySchema.optional(),
  /** emergency messages under the two-person rule: who released it, and when */
  approval: z
    .object({
      required: z.boolean(),
      approvedBy: z.string().optional(),
      approvedAt: z.iso.datetime().optional(),
      /** who refused it instead, when, and why: nothing of it is published */
      rejectedBy: z.string().optional(),
      rejectedAt: z.iso.datetime().optional(),
      rejectionReason: z.string().optional(),
    })
    .optional(),
  /** why this message is recorded and rendered but never published (CAP Exercise, Test …) */
  dryRun: z.string().optional(),
  /** the CAP alert the message came from */
  cap: z
    .object({
      identifier: z.string(),
      sender: z.string(),
      sent: z.string(),
      status: z.enum(CAP_STATUSES),
      msgType: z.enum(CAP_MSG_TYPES),
      source: z.string().optional(),
      /** the info block's headline and instruction: what an alert card shows */
      headline: z.string().optional(),
      instruction: z.string().optional(),
      /** an Update or Cancel whose original Herold never carried */
      originalUnknown: z.boolean().optional(),
    })
    .optional(),
  language: z.string().optional(),
  /** the sender asked for alert cards on image-only platforms (routine messages; alerts always get them) */
  card: z.boolean().optional(),
  /** an answer (kind `answer`): the reply it answers, on its one channel, and the message that reply was made to */
  answerTo: z.object({ replyId: z.string(), channelId: IdSchema, messageId: IdSchema }).optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const DeliveryStateSchema = z.enum([
  /** waits with its scheduled message; not queued, not looked at by the reconciler */
  'SCHEDULED',
  /** waits for a person to release it (crisis hold); not queued */
  'HELD',
  'PENDING',
  'QUEUED',
  'PUBLISHING',
  'PUBLISHED',
  'RETRYING',
  'FAILED',
  'VERIFY',
  'SKIPPED',
  'HANDOFF',
  'CANCELLED',
  /** a live emergency message waiting for a second person; not queued, not in the reconciler's index */
  'AWAITING_APPROVAL',
  /** the second person refused the emergency message it belongs to: never published */
  'REJECTED',
]);
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;

/** States a delivery never leaves on its own. */
export const TERMINAL_STATES: readonly DeliveryState[] = ['PUBLISHED', 'FAILED', 'SKIPPED', 'CANCELLED', 'REJECTED'];

export const ErrorClassSchema = z.enum(['retryable', 'rate-limited', 'auth', 'permanent', 'ambiguous', 'unsupported']);
export type ErrorClass = z.infer<typeof ErrorClassSchema>;

export const DeliveryErrorSchema = z.object({
  class: ErrorClassSchema,
  code: z.string().optional(),
  detail: z.string(),
});
export type DeliveryError = z.infer<typeof DeliveryErrorSchema>;

/**
 * The generated alert card of a delivery to an image-only platform: `pending` until the card
 * function has rendered and stored it, then `ready` with its public URL, or `failed` with the
 * reason (the delivery then fails with it; the message's other channels are not affected).
 */
export const DeliveryCardSchema = z.object({
  state: z.enum(['pending', 'ready', 'failed']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  mime: z.enum(['image/jpeg', 'image/png']),
  altText: z.string(),
  url: z.string().optional(),
  /** where the card is stored (S3 key, or the local file's name) */
  key: z.string().optional(),
  bytes: z.number().int().positive().optional(),
  renderMs: z.number().nonnegative().optional(),
  renderedAt: z.iso.datetime().optional(),
  reason: z.string().optional(),
});
export type DeliveryCard = z.infer<typeof DeliveryCardSchema>;

export const DeliverySchema = z.object({
  messageId: IdSchema,
  channelId: IdSchema,
  org: OrgIdSchema,
  platform: PlatformIdSchema,
  priority: PrioritySchema,
  state: DeliveryStateSchema,
  renderedText: z.string(),
  /** its message's deliveryPartitions: part of the delivery's key */
  deliveryPartitions: z.number().int().min(2).optional(),
  /** why a delivery was skipped or handed off */
  reason: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  lastError: DeliveryErrorSchema.optional(),
  remoteId: z.string().optional(),
  remoteUrl: z.string().optional(),
  /** remote id of the first post in the thread (Bluesky needs root and parent) */
  threadRootId: z.string().optional(),
  /** platform state saved between the steps of a two-step publish (e.g. a Threads container id) */
  checkpoint: z.record(z.string(), z.string()).optional(),
  /** epoch ms until which the publisher that claimed it owns it */
  leaseUntil: z.number().optional(),
  /** the state the current claim took it from (VERIFY or an expired PUBLISHING means: look up first) */
  previousState: z.lazy(() => DeliveryStateSchema).optional(),
  /** epoch ms before which a RETRYING or VERIFY delivery may not be claimed (its backoff, Retry-After or verify delay) */
  notBefore: z.number().optional(),
  /** what a RETRYING delivery waits for */
  waitingFor: z.enum(['retry', 'rate-limit', 'quota']).optional(),
  /** lookups in a row that could not tell whether the platform has the post */
  lookupsInDoubt: z.number().int().nonnegative().optional(),
  /** epoch ms when the last attempt that tried to publish began (not a lookup, not a wait for quota) */
  publishTriedAt: z.number().optional(),
  /** set when the job went to the dead-letter queue; a redriven job may claim it again */
  retriesExhausted: z.boolean().optional(),
  /** pinned on the channel (the current alert); false once its all-clear unpinned it */
  pinned: z.boolean().optional(),
  /** the generated alert card this delivery posts instead of media of its own */
  card: DeliveryCardSchema.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  queuedAt: z.iso.datetime().optional(),
  publishedAt: z.iso.datetime().optional(),
  version: z.number().int().nonnegative(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const PublishJobSchema = z.object({
  type: z.literal('publish'),
  messageId: IdSchema,
  channelId: IdSchema,
  /** the delivery's deliveryPartitions, so the job finds it without reading its message first */
  deliveryPartitions: z.number().int().min(2).optional(),
});
export const CollectFollowersJobSchema = z.object({
  type: z.literal('collect-followers'),
  channelId: IdSchema,
  date: z.iso.date(),
});
/** Check one channel's token (the daily token health check, shared/tokens/health.ts). */
export const CheckTokenJobSchema = z.object({
  type: z.literal('check-token'),
  channelId: IdSchema,
});
/** How many posts one collect-replies job reads, one after another (shared/replies/collect.ts). */
export const MAX_POSTS_PER_REPLIES_JOB = 25;
/**
 * Read the replies to those of Herold's posts on this channel that are due (newest first), one
 * after another in one job; without `messageIds`, check the channel's inbox (Telegram).
 */
export const CollectRepliesJobSchema = z.object({
  type: z.literal('collect-replies'),
  channelId: IdSchema,
  messageIds: z.array(IdSchema).min(1).max(MAX_POSTS_PER_REPLIES_JOB).optional(),
});
/** Hide or show again one reply on its platform, as a person asked (see shared/replies/moderate.ts). */
export const ModerateReplyJobSchema = z.object({
  type: z.literal('moderate-reply'),
  channelId: IdSchema,
  replyId: z.string().min(1).max(200),
  requestId: z.string().min(1).max(64),
});
export const JobSchema = z.discriminatedUnion('type', [
  PublishJobSchema,
  CollectFollowersJobSchema,
  CheckTokenJobSchema,
  CollectRepliesJobSchema,
  ModerateReplyJobSchema,
]);
export type Job = z.infer<typeof JobSchema>;
export type PublishJob = z.infer<typeof PublishJobSchema>;
export type CheckTokenJob = z.infer<typeof CheckTokenJobSchema>;
export type CollectRepliesJob = z.infer<typeof CollectRepliesJobSchema>;
export type ModerateReplyJob = z.infer<typeof ModerateReplyJobSchema>;
/** The card function's own queue: render the alert card of one delivery, then queue its publish job. */
export const RenderCardJobSchema = z.object({
  type: z.literal('render-card'),
  messageId: IdSchema,
  channelId: IdSchema,
  deliveryPartitions: z.number().int().min(2).optional(),
});
export type RenderCardJob = z.infer<typeof RenderCardJobSchema>;

/** Who is calling, from the JWT claims that API Gateway (or the local server) verified. */
export const PrincipalSchema = z.object({
  sub: z.string().min(1),
  org: OrgIdSchema,
  roles: z.array(RoleSchema),
  /** the person's name or e-mail from the token, for audit records people can read */
  name: z.string().min(1).max(200).optional(),
});
export type Principal = z.infer<typeof PrincipalSchema>;

/**
 * Planning a message: the caller's channels chosen and checked, its media inspected, and every
 * delivery rendered and decided (queued, skipped, handed off, gated for approval). Writes nothing:
 * what happens next (sent now, or left for its time) is decided by the caller.
 */
import { hasRole } from '../api/auth';
import { ProblemError, type FieldError } from '../api/problem';
import { gateDeliveries, type AlertOrigin } from '../alerts/gate';
import { needsSecondPerson } from '../alerts/policy';
import { organisationAlertPolicy } from '../organisations/organisations';
import { quoteOriginalOverrides } from '../alerts/thread';
import type { Channel, CreateMessage, Delivery, Message, MessageKind, Principal } from '../model/schemas';
import { listChannels } from '../store/channels';
import { deliveryPartitionsFor } from '../store/keys';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, type MessageWithDeliveries } from '../store/messages';
import { newMessageId } from './ids';
import { inspectMedia } from './media-check';
import { planDelivery } from './plan';

export interface PlanDeps {
  store: Store;
  /** a message id fixed in advance (idempotent creation) */
  messageId?: string;
  /** how media URLs are checked (tests, proxies) */
  fetch?: typeof fetch;
}

/** Set by internal callers only (CAP alerts, all-clears); the HTTP API creates posts and updates. */
export interface CreateMessageOptions {
  kind?: MessageKind;
  /** a CAP alert's (or a correction's) severity, dry run and origin */
  alert?: AlertOrigin;
  /** an answer (kind `answer`): the citizen's reply it answers (see shared/replies/answer.ts) */
  answerTo?: Message['answerTo'];
}

/** A message and its deliveries as decided, before anything is written. */
export interface PlannedMessage {
  message: Message;
  deliveries: Delivery[];
  input: CreateMessage;
}

/** Every media URL must answer and serve what the message says, before anything is written. */
export async function checkMedia(media: CreateMessage['media'], fetchImpl?: typeof fetch) {
  if (media.length === 0) return [];
  const { facts, errors } = await inspectMedia(media, fetchImpl);
  if (errors.length) throw new ProblemError(422, 'a media item cannot be used', { errors });
  return facts;
}

export async function planMessage(
  principal: Principal,
  input: CreateMessage,
  deps: PlanDeps,
  now: Date,
  options: CreateMessageOptions = {},
): Promise<PlannedMessage> {
  // an answer under an emergency message takes the urgent lane, but is no emergency message of its own
  const answer = options.kind === 'answer';
  if (input.priority === 'emergency' && !answer && !hasRole(principal, 'emergency')) {
    throw new ProblemError(403, 'emergency priority needs the "emergency" role', {
      errors: [{ field: 'priority', message: 'needs the "emergency" role' }],
    });
  }
  const [channels, original, mediaFacts] = await Promise.all([
    chooseChannels(deps.store, principal.org, input.channels),
    input.replyTo ? requireOwnMessage(deps.store, principal, input.replyTo) : undefined,
    checkMedia(input.media, deps.fetch),
  ]);
  const kind = options.kind ?? (input.replyTo ? 'update' : 'post');
  const severity =
    options.alert?.severity ?? input.severity ?? (input.priority === 'emergency' ? 'Unknown' : undefined);
  const dryRunReason = options.alert?.dryRunReason;
  const needsApproval =
    input.priority === 'emergency' &&
    !answer &&
    !dryRunReason &&
    needsSecondPerson(await organisationAlertPolicy(deps.store, principal.org), severity ?? 'Unknown');
  // Platforms without replies get the original named and linked in the text itself.
  const overrides = original
    ? quoteOriginalOverrides(input, kind, original, channels, options.alert?.language)
    : input.overrides;

  // a message to many channels spreads its deliveries over partitions of their own (shared/store/keys.ts)
  const deliveryPartitions = deliveryPartitionsFor(channels.length);
  const message: Message = {
    id: deps.messageId ?? newMessageId(now.getTime()),
    org: principal.org,
    kind,
    priority: input.priority,
    text: input.text,
    link: input.link,
    media: input.media,
    replyTo: input.replyTo,
    createdBy: principal.sub,
    createdAt: now.toISOString(),
    channelIds: channels.map((channel) => channel.id),
    ...(deliveryPartitions ? { deliveryPartitions } : {}),
    ...(severity ? { severity } : {}),
    ...(input.priority === 'emergency' && !dryRunReason && !answer ? { approval: { required: needsApproval } } : {}),
    ...(dryRunReason ? { dryRun: dryRunReason } : {}),
    ...(options.alert?.cap ? { cap: options.alert.cap } : {}),
    ...(options.alert?.language ? { language: options.alert.language } : {}),
    ...(input.card ? { card: true } : {}),
    ...(options.answerTo ? { answerTo: options.answerTo } : {}),
  };
  const timestamp = now.toISOString();
  const planned: Delivery[] = channels.map((channel) => ({
    ...planDelivery({ ...message, overrides }, channel, mediaFacts),
    ...(deliveryPartitions ? { deliveryPartitions } : {}),
    createdAt: timestamp,
    updatedAt: timestamp,
  }));
  // Skipped for its content on every channel that could have taken it: the caller must change the message.
  const activeIds = new Set(channels.filter((channel) => channel.state === 'active').map((channel) => channel.id));
  if (
    activeIds.size > 0 &&
    planned.every((delivery) => delivery.state === 'SKIPPED' || !activeIds.has(delivery.channelId)) &&
    planned.some((delivery) => activeIds.has(delivery.channelId))
  ) {
    throw new ProblemError(422, 'the message cannot be published on any of the chosen channels', {
      errors: planned
        .filter((delivery) => activeIds.has(delivery.channelId))
        .map((delivery) => ({
          field: `channels[${channels.findIndex((c) => c.id === delivery.channelId)}]`,
          message: delivery.reason ?? 'skipped',
        })),
    });
  }
  // A dry run is never queued; a live emergency message may wait for a second person.
  return { message, deliveries: gateDeliveries(planned, { dryRunReason, needsApproval }), input };
}

/** The requested channels, all of the caller's organisation; by default its active ones. */
export async function chooseChannels(store: Store, org: string, requested: string[] | undefined): Promise<Channel[]> {
  const own = await listChannels(store, org);
  if (!requested) {
    const active = own.filter((channel) => channel.state === 'active');
    if (active.length === 0) throw new ProblemError(422, `organisation "${org}" has no active channel`);
    return active;
  }
  const byId = new Map(own.map((channel) => [channel.id, channel]));
  const errors: FieldError[] = [];
  const chosen: Channel[] = [];
  const seen = new Set<string>();
  requested.forEach((id, index) => {
    const channel = byId.get(id);
    // A foreign channel is reported exactly like a missing one: ids of other organisations do not leak.
    if (!channel) errors.push({ field: `channels[${index}]`, message: `unknown channel "${id}"` });
    else if (seen.has(id)) errors.push({ field: `channels[${index}]`, message: `channel "${id}" is listed twice` });
    else chosen.push(channel);
    seen.add(id);
  });
  if (errors.length) throw new ProblemError(422, 'the request names channels that do not exist', { errors });
  return chosen;
}

async function requireOwnMessage(
  store: Store,
  principal: Principal,
  messageId: string,
): Promise<MessageWithDeliveries> {
  const original = await getMessageWithDeliveries(store, messageId);
  if (!original || original.message.org !== principal.org) {
    throw new ProblemError(422, 'replyTo names a message that does not exist', {
      errors: [{ field: 'replyTo', message: `unknown message "${messageId}"` }],
    });
  }
  return original;
}

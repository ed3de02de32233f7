/** Creating a message: validate against the caller's channels, plan, write atomically, queue. */
import type { Channel, CreateMessage, Delivery, Message, MessageKind, MessageState, Principal } from '../model/schemas';
import { hasRole } from '../api/auth';
import { ProblemError, type FieldError } from '../api/problem';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, putMessageWithDeliveries, type MessageWithDeliveries } from '../store/messages';
import type { sendJobs } from '../queue/jobs';
import { deferMessage } from '../scheduling/defer';
import { holdFor, noteCrisis } from '../scheduling/crisis';
import type { SchedulePort } from '../scheduling/schedules';
import { deliverySummaries, sendQueuedDeliveries } from './enqueue';
import { newMessageId } from './ids';
import { auditPut } from '../audit/audit';
import { planDelivery } from './plan';
import { inspectMedia } from './media-check';
import { gateDeliveries, type AlertOrigin } from '../alerts/gate';
import { needsSecondPerson, orgAlertPolicy } from '../alerts/policy';
import { quoteOriginalOverrides } from '../alerts/thread';

export interface CreateMessageDeps {
  store: Store;
  send?: typeof sendJobs;
  now?: () => Date;
  /** a message id fixed in advance (idempotent creation) */
  messageId?: string;
  /** how media URLs are checked (tests, proxies) */
  fetch?: typeof fetch;
  /** where scheduled messages get their one-time schedule (default: the process's schedule port) */
  schedules?: SchedulePort;
}

/** Set by internal callers only (CAP alerts, all-clears); the HTTP API creates posts and updates. */
export interface CreateMessageOptions {
  kind?: MessageKind;
  /** a CAP alert's (or a correction's) severity, dry run and origin */
  alert?: AlertOrigin;
}

/** Every media URL must answer and serve what the message says, before anything is written. */
export async function checkMedia(media: CreateMessage['media'], fetchImpl?: typeof fetch) {
  if (media.length === 0) return [];
  const { facts, errors } = await inspectMedia(media, fetchImpl);
  if (errors.length) throw new ProblemError(422, 'a media item cannot be used', { errors });
  return facts;
}

export interface DeliverySummary {
  channelId: string;
  platform: string;
  state: Delivery['state'];
  reason?: string;
  renderedText?: string;
}

export interface CreatedMessage {
  id: string;
  /** set when the message waits: SCHEDULED for its time, HELD for a person */
  state?: MessageState;
  stateReason?: string;
  scheduledAt?: string;
  scheduledAtLocal?: string;
  deliveries: DeliverySummary[];
}

export async function createMessage(
  principal: Principal,
  input: CreateMessage,
  deps: CreateMessageDeps,
  options: CreateMessageOptions = {},
): Promise<CreatedMessage> {
  if (input.priority === 'emergency' && !hasRole(principal, 'emergency')) {
    throw new ProblemError(403, 'emergency priority needs the "emergency" role', {
      errors: [{ field: 'priority', message: 'needs the "emergency" role' }],
    });
  }
  const now = (deps.now ?? (() => new Date()))();
  // The hold is read alongside the channels: one round trip less on the way to the queues.
  const hold = holdFor(deps.store, principal.org);
  hold.catch(() => undefined);
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
    !dryRunReason &&
    needsSecondPerson(orgAlertPolicy(principal.org), severity ?? 'Unknown');
  // Platforms without replies get the original named and linked in the text itself.
  const overrides = original
    ? quoteOriginalOverrides(input, kind, original, channels, options.alert?.language)
    : input.overrides;

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
    ...(severity ? { severity } : {}),
    ...(input.priority === 'emergency' && !dryRunReason ? { approval: { required: needsApproval } } : {}),
    ...(dryRunReason ? { dryRun: dryRunReason } : {}),
    ...(options.alert?.cap ? { cap: options.alert.cap } : {}),
    ...(options.alert?.language ? { language: options.alert.language } : {}),
  };
  const timestamp = now.toISOString();
  const planned: Delivery[] = channels.map((channel) => ({
    ...planDelivery({ ...message, overrides }, channel, mediaFacts),
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
  const gated = gateDeliveries(planned, { dryRunReason, needsApproval });

  // A scheduled message, or a routine one during a crisis hold, waits instead of going out now.
  const deferred = await deferMessage({ message, deliveries: gated, input }, { ...deps, now: () => now, hold });
  if (deferred) return deferred;

  // Written QUEUED: the jobs go out right after the write, with no second write on the happy path.
  const deliveries = gated.map((delivery): Delivery =>
    delivery.state === 'PENDING' ? { ...delivery, state: 'QUEUED', queuedAt: timestamp } : delivery,
  );
  await putMessageWithDeliveries(deps.store, message, deliveries, [
    auditPut(
      deps.store,
      principal,
      {
        action: 'message.create',
        target: `message/${message.id}`,
        after: {
          priority: message.priority,
          kind: message.kind,
          channels: message.channelIds,
          ...(severity ? { severity } : {}),
          ...(message.approval ? { approvalRequired: message.approval.required } : {}),
          ...(dryRunReason ? { dryRun: dryRunReason } : {}),
        },
      },
      now,
    ),
  ]);
  // Unsent jobs stay PENDING: the reconciler sends them again within a minute.
  const unsent = await sendQueuedDeliveries(deps.store, deliveries, now, deps.send);
  // A dry run never starts or ends a crisis; one waiting for approval starts it when it is approved.
  if (!dryRunReason && !needsApproval) await noteCrisis(deps.store, message, now);

  return { id: message.id, deliveries: deliverySummaries(deliveries, unsent) };
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

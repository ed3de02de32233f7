/** Creating a message: validate against the caller's channels, plan, write atomically, queue. */
import type { Channel, CreateMessage, Delivery, Message, Principal } from '../model/schemas';
import { hasRole } from '../api/auth';
import { ProblemError, type FieldError } from '../api/problem';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, markQueued, putMessageWithDeliveries } from '../store/messages';
import { sendJobs, type QueuedJob } from '../queue/jobs';
import { newMessageId } from './ids';
import { auditPut } from '../audit/audit';
import { planDelivery } from './plan';
import { inspectMedia } from './media-check';

export interface CreateMessageDeps {
  store: Store;
  send?: typeof sendJobs;
  now?: () => Date;
  /** a message id fixed in advance (idempotent creation) */
  messageId?: string;
  /** how media URLs are checked (tests, proxies) */
  fetch?: typeof fetch;
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
  deliveries: DeliverySummary[];
}

export async function createMessage(principal: Principal, input: CreateMessage, deps: CreateMessageDeps): Promise<CreatedMessage> {
  if (input.priority === 'emergency' && !hasRole(principal, 'emergency')) {
    throw new ProblemError(403, 'emergency priority needs the "emergency" role', { errors: [{ field: 'priority', message: 'needs the "emergency" role' }] });
  }
  const now = (deps.now ?? (() => new Date()))();
  const channels = await chooseChannels(deps.store, principal.org, input.channels);
  if (input.replyTo) await requireOwnMessage(deps.store, principal, input.replyTo);
  const mediaFacts = await checkMedia(input.media, deps.fetch);

  const message: Message = {
    id: deps.messageId ?? newMessageId(now.getTime()),
    org: principal.org,
    kind: input.replyTo ? 'update' : 'post',
    priority: input.priority,
    text: input.text,
    link: input.link,
    media: input.media,
    replyTo: input.replyTo,
    createdBy: principal.sub,
    createdAt: now.toISOString(),
    channelIds: channels.map((channel) => channel.id),
  };
  const timestamp = now.toISOString();
  const deliveries: Delivery[] = channels.map((channel) => ({
    ...planDelivery({ ...message, overrides: input.overrides }, channel, mediaFacts),
    createdAt: timestamp,
    updatedAt: timestamp,
  }));
  const publishable = deliveries.filter((delivery) => delivery.state === 'PENDING');
  // Skipped for its content on every channel that could have taken it: the caller must change the message.
  const activeIds = new Set(channels.filter((channel) => channel.state === 'active').map((channel) => channel.id));
  if (activeIds.size > 0 && deliveries.every((delivery) => delivery.state === 'SKIPPED' || !activeIds.has(delivery.channelId)) && deliveries.some((delivery) => activeIds.has(delivery.channelId))) {
    throw new ProblemError(422, 'the message cannot be published on any of the chosen channels', {
      errors: deliveries.filter((delivery) => activeIds.has(delivery.channelId)).map((delivery) => ({ field: `channels[${channels.findIndex((c) => c.id === delivery.channelId)}]`, message: delivery.reason ?? 'skipped' })),
    });
  }

  await putMessageWithDeliveries(deps.store, message, deliveries, [
    auditPut(deps.store, principal, { action: 'message.create', target: `message/${message.id}`, after: { priority: message.priority, kind: message.kind, channels: message.channelIds } }, now),
  ]);

  const jobs: QueuedJob[] = publishable.map((delivery) => ({
    platform: delivery.platform,
    priority: delivery.priority,
    job: { type: 'publish', messageId: delivery.messageId, channelId: delivery.channelId },
  }));
  const unsent = new Set((await (deps.send ?? sendJobs)(jobs)).map((job) => (job.job.type === 'publish' ? job.job.channelId : '')));
  // Unsent jobs stay PENDING: the reconciler sends them again within a minute.
  await Promise.all(
    publishable.filter((delivery) => !unsent.has(delivery.channelId)).map((delivery) => markQueued(deps.store, message.id, delivery.channelId, now)),
  );

  const queued = deliveries.map((delivery) => (delivery.state === 'PENDING' && !unsent.has(delivery.channelId) ? { ...delivery, state: 'QUEUED' as const } : delivery));
  return summarize(message.id, queued);
}

export function summarize(messageId: string, deliveries: readonly Delivery[]): CreatedMessage {
  return {
    id: messageId,
    deliveries: deliveries.map((delivery) => ({
      channelId: delivery.channelId,
      platform: delivery.platform,
      state: delivery.state,
      ...(delivery.reason ? { reason: delivery.reason } : {}),
      ...(delivery.state === 'HANDOFF' ? { renderedText: delivery.renderedText } : {}),
    })),
  };
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

async function requireOwnMessage(store: Store, principal: Principal, messageId: string): Promise<void> {
  const original = await getMessageWithDeliveries(store, messageId);
  if (!original || original.message.org !== principal.org) {
    throw new ProblemError(422, 'replyTo names a message that does not exist', { errors: [{ field: 'replyTo', message: `unknown message "${messageId}"` }] });
  }
}

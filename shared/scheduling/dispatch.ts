/**
 * Sending a waiting message out: a SCHEDULED message when its schedule fires, a HELD one when a
 * person releases it. Each is one conditional transition, so a second dispatch of the same
 * schedule, or a dispatch of a message cancelled meanwhile, does nothing. Channel states are read
 * again at that moment (a channel frozen since creation is SKIPPED), and the deliveries are queued
 * exactly as an immediate message's are.
 */
import { isDeployed, notDeployedReason } from '../config';
import type { TransactItem } from '../store/messages';
import { queueDeliveries } from '../messages/enqueue';
import { deliverySummaries, type CreatedMessage } from '../messages/summaries';
import type { Channel, Delivery, Message } from '../model/schemas';
import { logger } from '../observability/powertools';
import { PLATFORMS } from '../platforms/registry';
import type { sendJobs } from '../queue/jobs';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, type MessageWithDeliveries } from '../store/messages';
import { holdFor, isRoutine, noteCrisis } from './crisis';
import { changeMessageState } from './store';

export interface DispatchDeps {
  store: Store;
  send?: typeof sendJobs;
  now?: () => Date;
}

export type MessageView = Omit<CreatedMessage, 'id'>;

export type DispatchOutcome =
  | { outcome: 'dispatched' | 'held'; messageId: string; view: MessageView }
  | { outcome: 'ignored'; messageId: string; reason: string };

/** A schedule fired before its message was written, or for a message that was never saved: retried, then dead-lettered. */
export class ScheduledMessageMissingError extends Error {
  constructor(messageId: string) {
    super(`scheduled message ${messageId} does not exist (yet)`);
    this.name = 'ScheduledMessageMissingError';
  }
}

export async function dispatchScheduledMessage(messageId: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const found = await getMessageWithDeliveries(deps.store, messageId);
  if (!found) throw new ScheduledMessageMissingError(messageId);
  const { message, deliveries } = found;
  if (message.state !== 'SCHEDULED')
    return ignored(messageId, `message is ${message.state ?? 'not a scheduled message'}`);

  if (isRoutine(message)) {
    const hold = await holdFor(deps.store, message.org);
    if (hold.held) {
      const changes = deliveries
        .filter((delivery) => delivery.state === 'SCHEDULED')
        .map((before) => ({ before, after: { ...before, state: 'HELD' as const } }));
      const changed = await changeMessageState(deps.store, {
        message,
        to: 'HELD',
        fields: { stateReason: hold.reason },
        deliveries: changes,
        now,
      });
      if (!changed) return ignored(messageId, 'message changed while it was being dispatched');
      logger.info('scheduled message held', { messageId, org: message.org, reason: hold.reason });
      return {
        outcome: 'held',
        messageId,
        view: {
          state: 'HELD',
          ...(hold.reason ? { stateReason: hold.reason } : {}),
          deliveries: deliverySummaries(applyChanges(deliveries, changes)),
        },
      };
    }
  }
  return sendOut(deps, found, now);
}

/** HELD or SCHEDULED → DISPATCHED, then queue; `ignored` when someone else moved the message first. */
export async function sendOut(
  deps: DispatchDeps,
  found: MessageWithDeliveries,
  now: Date,
  audit?: TransactItem,
): Promise<DispatchOutcome> {
  const { message, deliveries } = found;
  const channels = new Map((await listChannels(deps.store, message.org)).map((channel) => [channel.id, channel]));
  const changes = deliveries
    .filter((delivery) => delivery.state === 'SCHEDULED' || delivery.state === 'HELD')
    .map((before) => ({ before, after: readyToGo(before, channels.get(before.channelId)) }));
  const changed = await changeMessageState(deps.store, {
    message,
    to: 'DISPATCHED',
    fields: { stateReason: undefined },
    deliveries: changes,
    now,
    ...(audit ? { audit } : {}),
  });
  if (!changed) return ignored(message.id, 'message changed while it was being dispatched');
  const current = applyChanges(deliveries, changes);
  // Unsent jobs stay PENDING in the reconciler's index, which sends them again.
  const unsent = await queueDeliveries(deps.store, current, now, deps.send);
  await noteCrisis(deps.store, message, now);
  logger.info('message dispatched', { messageId: message.id, org: message.org, from: message.state });
  return {
    outcome: 'dispatched',
    messageId: message.id,
    view: { state: 'DISPATCHED', ...scheduleOf(message), deliveries: deliverySummaries(current, unsent) },
  };
}

/** What a waiting delivery becomes when its message goes out, given its channel as it is now. */
export function readyToGo(delivery: Delivery, channel: Channel | undefined): Delivery {
  if (!channel) return { ...delivery, state: 'SKIPPED', reason: 'the channel no longer exists' };
  // its platform was taken out of herold:platforms after the message was scheduled
  if (!isDeployed(delivery.platform))
    return { ...delivery, state: 'SKIPPED', reason: notDeployedReason(delivery.platform) };
  if (channel.state !== 'active')
    return {
      ...delivery,
      state: 'SKIPPED',
      reason: `channel is ${channel.state}${channel.stateReason ? `: ${channel.stateReason}` : ''}`,
    };
  return { ...delivery, state: PLATFORMS[delivery.platform].publishing === 'handoff' ? 'HANDOFF' : 'PENDING' };
}

const applyChanges = (deliveries: Delivery[], changes: { before: Delivery; after: Delivery }[]): Delivery[] =>
  deliveries.map(
    (delivery) => changes.find((change) => change.before.channelId === delivery.channelId)?.after ?? delivery,
  );

const scheduleOf = (message: Message) =>
  message.scheduledAt ? { scheduledAt: message.scheduledAt, scheduledAtLocal: message.scheduledAtLocal } : {};

const ignored = (messageId: string, reason: string): DispatchOutcome => {
  logger.info('dispatch ignored', { messageId, reason });
  return { outcome: 'ignored', messageId, reason };
};

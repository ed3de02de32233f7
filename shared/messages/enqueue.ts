/** Sending deliveries out: shared by immediate messages and by scheduled or held ones when their time comes. */
import { auditPut } from '../audit/audit';
import type { Delivery, Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { markPending, markQueued, putMessageWithDeliveries } from '../store/messages';
import { deliveryJob, jobChannelId, sendJobs } from '../queue/jobs';
import type { PlannedMessage } from './plan-message';
import { deliverySummaries, type CreatedMessage } from './summaries';

/**
 * Put the jobs of PENDING deliveries on their queues and mark the sent ones QUEUED. Returns the
 * channel ids whose job could not be sent: those stay PENDING and the reconciler sends them again.
 */
export async function queueDeliveries(
  store: Store,
  deliveries: readonly Delivery[],
  now: Date,
  send: typeof sendJobs = sendJobs,
): Promise<Set<string>> {
  const publishable = deliveries.filter((delivery) => delivery.state === 'PENDING');
  if (publishable.length === 0) return new Set();
  const unsent = new Set((await send(publishable.map(deliveryJob))).map(jobChannelId));
  await Promise.all(
    publishable
      .filter((delivery) => !unsent.has(delivery.channelId))
      .map((delivery) => markQueued(store, delivery, now)),
  );
  return unsent;
}

/**
 * An immediate message's deliveries are written QUEUED, so the happy path needs no second write
 * per delivery: send their jobs, and put any that could not be sent back to PENDING, where the
 * reconciler finds them. Returns the channel ids whose job could not be sent.
 */
export async function sendQueuedDeliveries(
  store: Store,
  deliveries: readonly Delivery[],
  now: Date,
  send: typeof sendJobs = sendJobs,
): Promise<Set<string>> {
  const queued = deliveries.filter((delivery) => delivery.state === 'QUEUED');
  if (queued.length === 0) return new Set();
  const unsent = new Set((await send(queued.map(deliveryJob))).map(jobChannelId));
  await Promise.all(
    queued.filter((delivery) => unsent.has(delivery.channelId)).map((delivery) => markPending(store, delivery, now)),
  );
  return unsent;
}

/**
 * An immediate message: written with its deliveries already QUEUED and its audit record in one
 * transaction, then its jobs sent, with no second write on the happy path. Unsent jobs stay
 * PENDING: the reconciler sends them again within a minute.
 */
export async function writeAndSend(
  store: Store,
  principal: Principal,
  { message, deliveries: planned }: PlannedMessage,
  now: Date,
  send: typeof sendJobs = sendJobs,
): Promise<CreatedMessage> {
  const timestamp = now.toISOString();
  const deliveries = planned.map((delivery): Delivery =>
    delivery.state === 'PENDING' ? { ...delivery, state: 'QUEUED', queuedAt: timestamp } : delivery,
  );
  await putMessageWithDeliveries(store, message, deliveries, [
    auditPut(
      store,
      principal,
      {
        action: 'message.create',
        target: `message/${message.id}`,
        after: {
          priority: message.priority,
          kind: message.kind,
          channels: message.channelIds,
          ...(message.severity ? { severity: message.severity } : {}),
          ...(message.approval ? { approvalRequired: message.approval.required } : {}),
          ...(message.dryRun ? { dryRun: message.dryRun } : {}),
        },
      },
      now,
    ),
  ]);
  const unsent = await sendQueuedDeliveries(store, deliveries, now, send);
  // The cards of a dry run and of an alert waiting for its second person are rendered at once: the
  // exercise shows exactly what would have gone out, the approver exactly what will. The card job
  // queues no publish for them; the approval's job finds the card ready and publishes.
  const cardsToShow = deliveries.filter(
    (delivery) =>
      (delivery.state === 'SKIPPED' || delivery.state === 'AWAITING_APPROVAL') && delivery.card?.state === 'pending',
  );
  if (cardsToShow.length) await send(cardsToShow.map(deliveryJob));
  return { id: message.id, deliveries: deliverySummaries(deliveries, unsent) };
}

/** Sending deliveries out: shared by immediate messages and by scheduled or held ones when their time comes. */
import type { Delivery } from '../model/schemas';
import type { Store } from '../store/client';
import { markPending, markQueued } from '../store/messages';
import { sendJobs, type QueuedJob } from '../queue/jobs';
import type { DeliverySummary } from './create';

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
  const unsent = new Set(
    (await send(publishable.map(jobOf))).map((job) => (job.job.type === 'publish' ? job.job.channelId : '')),
  );
  await Promise.all(
    publishable
      .filter((delivery) => !unsent.has(delivery.channelId))
      .map((delivery) => markQueued(store, delivery.messageId, delivery.channelId, now)),
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
  const unsent = new Set(
    (await send(queued.map(jobOf))).map((job) => (job.job.type === 'publish' ? job.job.channelId : '')),
  );
  await Promise.all([...unsent].map((channelId) => markPending(store, queued[0]!.messageId, channelId, now)));
  return unsent;
}

const jobOf = (delivery: Delivery): QueuedJob => ({
  platform: delivery.platform,
  priority: delivery.priority,
  job: { type: 'publish', messageId: delivery.messageId, channelId: delivery.channelId },
});

/** The deliveries as a create or dispatch response shows them. */
export function deliverySummaries(
  deliveries: readonly Delivery[],
  unsent: ReadonlySet<string> = new Set(),
): DeliverySummary[] {
  return deliveries.map((delivery) => ({
    channelId: delivery.channelId,
    platform: delivery.platform,
    state: unsent.has(delivery.channelId) ? 'PENDING' : delivery.state === 'PENDING' ? 'QUEUED' : delivery.state,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    ...(delivery.state === 'HANDOFF' ? { renderedText: delivery.renderedText } : {}),
  }));
}

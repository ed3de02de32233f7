/** Sending deliveries out: shared by immediate messages and by scheduled or held ones when their time comes. */
import type { Delivery } from '../model/schemas';
import type { Store } from '../store/client';
import { markQueued } from '../store/messages';
import { sendJobs, type QueuedJob } from '../queue/jobs';
import type { DeliverySummary } from './create';

/**
 * Put the jobs of PENDING deliveries on their queues and mark the sent ones QUEUED. Returns the
 * channel ids whose job could not be sent: those stay PENDING and the reconciler sends them again.
 */
export async function queueDeliveries(store: Store, deliveries: readonly Delivery[], now: Date, send: typeof sendJobs = sendJobs): Promise<Set<string>> {
  const publishable = deliveries.filter((delivery) => delivery.state === 'PENDING');
  if (publishable.length === 0) return new Set();
  const jobs: QueuedJob[] = publishable.map((delivery) => ({
    platform: delivery.platform,
    priority: delivery.priority,
    job: { type: 'publish', messageId: delivery.messageId, channelId: delivery.channelId },
  }));
  const unsent = new Set((await send(jobs)).map((job) => (job.job.type === 'publish' ? job.job.channelId : '')));
  await Promise.all(
    publishable.filter((delivery) => !unsent.has(delivery.channelId)).map((delivery) => markQueued(store, delivery.messageId, delivery.channelId, now)),
  );
  return unsent;
}

/** The deliveries as a create or dispatch response shows them. */
export function deliverySummaries(deliveries: readonly Delivery[], unsent: ReadonlySet<string> = new Set()): DeliverySummary[] {
  return deliveries.map((delivery) => ({
    channelId: delivery.channelId,
    platform: delivery.platform,
    state: delivery.state === 'PENDING' && !unsent.has(delivery.channelId) ? 'QUEUED' : delivery.state,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    ...(delivery.state === 'HANDOFF' ? { renderedText: delivery.renderedText } : {}),
  }));
}

/**
 * The reconciler's half of a decision taken in parts (shared/store/decision.ts): the approval or
 * rejection is recorded on the message, but its writer stopped before every waiting delivery
 * followed. The deliveries still waiting are moved now, exactly as the approver or rejecter would
 * have moved them, and released ones are queued.
 */
import type { Delivery } from '../model/schemas';
import { queueDeliveries } from '../messages/enqueue';
import type { sendJobs } from '../queue/jobs';
import type { Store } from '../store/client';
import { applyDeliveryUpdates } from '../store/decision';
import { getMessageWithDeliveries } from '../store/messages';
import { releaseUpdates } from './approve';
import { rejectionUpdates } from './reject';

export async function finishDecision(
  store: Store,
  messageId: string,
  now: Date,
  send?: typeof sendJobs,
): Promise<{ moved: number }> {
  const found = await getMessageWithDeliveries(store, messageId);
  const approval = found?.message.approval;
  if (!found || !approval) {
    await applyDeliveryUpdates(store, messageId, []);
    return { moved: 0 };
  }
  const waiting: Delivery[] = found.deliveries.filter((delivery) => delivery.state === 'AWAITING_APPROVAL');
  if (approval.approvedBy) {
    const { released, updates } = releaseUpdates(store.table, found.message, waiting, now);
    await applyDeliveryUpdates(store, messageId, updates);
    await queueDeliveries(store, released, now, send);
    return { moved: released.length };
  }
  const reason = found.message.stateReason ?? `rejected by ${approval.rejectedBy}`;
  await applyDeliveryUpdates(store, messageId, rejectionUpdates(store.table, waiting, reason, now));
  return { moved: waiting.length };
}

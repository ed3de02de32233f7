/**
 * The reconciler: every minute it looks at deliveries that should have moved on by now (a crash
 * between the write and the send, a lost job, an expired lease) and puts their job back on the
 * queue. The publisher's claim makes a needless extra job harmless.
 */
import { isDeployed } from '../config';
import type { Delivery, DeliveryError } from '../model/schemas';
import { finishDecision } from '../alerts/finish-decision';
import type { Store } from '../store/client';
import { dueOpenDeliveries, takeForReconcile } from '../store/deliveries';
import { deliveryJob, sendJobs, type QueuedJob } from '../queue/jobs';
import { messagePresence, removeAbandonedWrite, removeOrphanDelivery } from '../store/staged-write';

export interface ReconcileReport {
  looked: number;
  requeued: number;
  /** expired leases moved to VERIFY */
  verify: number;
  /**
   * open deliveries on a platform the deployment no longer publishes to (herold:platforms): no
   * queue to send them to, so they are looked at again hourly and go out once it is deployed again
   */
  undeployed: number;
  /** messages written in chunks that nobody finished, removed */
  abandoned: number;
  /** deliveries moved after an approval or rejection whose writer stopped half-way */
  released: number;
}

/** After a re-enqueue, how long before the same delivery is looked at again. */
const RECHECK_MS = 2 * 60_000;
/** How long before an open delivery on a platform that is not deployed is looked at again. */
export const UNDEPLOYED_RECHECK_MS = 60 * 60_000;

/** Code of the lastError the reconciler records when it takes back a delivery whose lease expired. */
export const LEASE_EXPIRED_CODE = 'LEASE_EXPIRED';

/**
 * Why a delivery left in PUBLISHING was taken back. Its attempt ended without recording anything
 * (the publisher was stopped, timed out or crashed), so the post may or may not exist: VERIFY.
 */
export const leaseExpiredError = (delivery: Delivery): DeliveryError => ({
  class: 'ambiguous',
  code: LEASE_EXPIRED_CODE,
  detail: `attempt ${delivery.attempts} was still unfinished when its lease ran out${
    delivery.leaseUntil ? ` at ${new Date(delivery.leaseUntil).toISOString()}` : ''
  } (its publisher stopped, timed out or crashed); the post is looked up before anything is sent again`,
});

export async function reconcile(
  store: Store,
  options: { now?: number; send?: typeof sendJobs } = {},
): Promise<ReconcileReport> {
  const now = options.now ?? Date.now();
  const due = await dueOpenDeliveries(store, now);
  const report: ReconcileReport = {
    looked: due.deliveries.length,
    requeued: 0,
    verify: 0,
    undeployed: 0,
    abandoned: 0,
    released: 0,
  };
  // Messages written in chunks that nobody finished are removed first, deliveries and all.
  for (const staged of due.stagedWrites) {
    if ((await removeAbandonedWrite(store, staged, now)) !== undefined) report.abandoned += 1;
  }
  // Approvals and rejections whose deliveries have not all followed are finished.
  for (const release of due.releases) {
    report.released += (await finishDecision(store, release.messageId, new Date(now), options.send)).moved;
  }
  // A delivery goes out only once its message is visible (see shared/store/staged-write.ts).
  const presence = due.deliveries.length
    ? await messagePresence(
        store,
        due.deliveries.map((open) => open.delivery.messageId),
      )
    : undefined;
  const jobs: QueuedJob[] = [];
  for (const open of due.deliveries) {
    const { delivery } = open;
    if (!presence?.visible.has(delivery.messageId)) {
      // still being written: looked at again later; neither written nor being written: left over
      if (presence?.staged.has(delivery.messageId))
        await takeForReconcile(store, open, { now, nextCheckMs: RECHECK_MS });
      else await removeOrphanDelivery(store, open);
      continue;
    }
    // A publisher holds it: looked at again when its lease ends, no job meanwhile.
    const leaseUntil = delivery.state === 'PUBLISHING' ? (delivery.leaseUntil ?? 0) : 0;
    if (leaseUntil >= now) {
      await takeForReconcile(store, open, { now, nextCheckMs: leaseUntil + 1 - now });
      continue;
    }
    const deployed = isDeployed(delivery.platform);
    const taken = await takeForReconcile(store, open, {
      now,
      nextCheckMs: deployed ? RECHECK_MS : UNDEPLOYED_RECHECK_MS,
      leaseExpired: leaseExpiredError,
    });
    if (!taken) continue;
    if (!deployed) {
      report.undeployed += 1;
      continue;
    }
    if (delivery.state === 'PUBLISHING' && taken.state === 'VERIFY') report.verify += 1;
    // A delivery still waiting for its alert card gets its card job again, not a publish job.
    jobs.push(deliveryJob(taken));
  }
  const unsent = await (options.send ?? sendJobs)(jobs);
  report.requeued = jobs.length - unsent.length;
  return report;
}

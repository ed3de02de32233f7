/** Putting jobs on the platform queues. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cardQueueUrl, isDeployed, queueUrl } from '../config';
import type { Delivery, Job, Priority, RenderCardJob } from '../model/schemas';
import type { PlatformId } from '../platforms/registry';

let sqsClient: SQSClient | undefined;
export const sqs = (): SQSClient => (sqsClient ??= new SQSClient({}));

export interface QueuedJob {
  platform: PlatformId;
  priority: Priority;
  /** a render-card job goes to the card function's queue, every other to the platform's */
  job: Job | RenderCardJob;
  /** seconds before the job becomes visible (SQS allows up to 900) */
  delaySeconds?: number;
}

/** The emergency lane: emergency jobs go to the platform's urgent queue. */
export const laneFor = (priority: Priority) => (priority === 'emergency' ? 'urgent' : 'normal');

/** The job that moves a delivery on: its card is rendered first where it waits for one, then it is published. */
export const deliveryJob = (
  delivery: Pick<Delivery, 'platform' | 'priority' | 'messageId' | 'channelId' | 'card' | 'deliveryPartitions'>,
): QueuedJob => ({
  platform: delivery.platform,
  priority: delivery.priority,
  job: {
    // a card that failed while its alert waited for approval: the card job fails the delivery with the reason
    type: delivery.card && delivery.card.state !== 'ready' ? 'render-card' : 'publish',
    messageId: delivery.messageId,
    channelId: delivery.channelId,
    ...(delivery.deliveryPartitions ? { deliveryPartitions: delivery.deliveryPartitions } : {}),
  },
});

/** The channel of a delivery's job (a follower job's channel too). */
export const jobChannelId = (queued: QueuedJob): string => queued.job.channelId;

/**
 * Send jobs in batches of ten per queue. Returns the jobs that could not be sent; the caller leaves
 * their deliveries PENDING and the reconciler sends them again. A job for a platform the deployment
 * has no queue for (herold:platforms) is never sent: it comes back unsent.
 */
export async function sendJobs(jobs: QueuedJob[], client: SQSClient = sqs()): Promise<QueuedJob[]> {
  const byQueue = new Map<string, QueuedJob[]>();
  const undeployed: QueuedJob[] = [];
  for (const job of jobs) {
    if (job.job.type !== 'render-card' && !isDeployed(job.platform)) {
      undeployed.push(job);
      continue;
    }
    const url =
      job.job.type === 'render-card'
        ? cardQueueUrl(laneFor(job.priority))
        : queueUrl(job.platform, laneFor(job.priority));
    byQueue.set(url, [...(byQueue.get(url) ?? []), job]);
  }
  const batches: { url: string; jobs: QueuedJob[] }[] = [];
  for (const [url, queued] of byQueue) {
    for (let start = 0; start < queued.length; start += 10)
      batches.push({ url, jobs: queued.slice(start, start + 10) });
  }
  const failed = await Promise.all(
    batches.map(async ({ url, jobs: batch }) => {
      try {
        const result = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((queued, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(queued.job),
              DelaySeconds: queued.delaySeconds,
            })),
          }),
        );
        return (result.Failed ?? [])
          .map((entry) => batch[Number(entry.Id)])
          .filter((job): job is QueuedJob => job !== undefined);
      } catch {
        return batch;
      }
    }),
  );
  return [...undeployed, ...failed.flat()];
}

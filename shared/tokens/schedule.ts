/**
 * The daily token health run (EventBridge Scheduler): it only lists the organisations' channels and
 * sends one `check-token` job per checkable channel to its platform's normal queue, ten to a
 * SendMessageBatch. The platform's function checks each channel (./health.ts) at the pace its lane
 * allows, reports a failed check alone (batchItemFailures) so SQS offers it again, and after the
 * queue's last receive the job rests in the platform's DLQ, whose alarm fires; the other channels go on.
 * Channels on a platform the deployment does not publish to (herold:platforms) are counted, not sent.
 */
import { mapBounded } from '../bounded';
import { isDeployed } from '../config';
import type { Channel, CheckTokenJob } from '../model/schemas';
import type { PlatformId } from '../platforms/registry';
import type { QueuedJob } from '../queue/jobs';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { isTokenCheckable } from './health';

/** Organisations listed at the same time (one paginated GSI1 query each). */
export const LISTING_CONCURRENCY = 8;
/** SendMessageBatch calls that failed are sent again this often before the run gives up on them. */
const SEND_ATTEMPTS = 3;

export interface TokenCheckRun {
  /** channels with a token to check */
  channels: number;
  enqueued: Partial<Record<PlatformId, number>>;
  /** jobs that could not be sent after every attempt */
  unsent: number;
  /** channels left out: their platform is not deployed (herold:platforms), so no function could check them */
  undeployed: number;
}

const checkJob = (channel: Channel): QueuedJob => {
  const job: CheckTokenJob = { type: 'check-token', channelId: channel.id };
  // routine work: the normal queue, so an alert's urgent lane never waits behind it
  return { platform: channel.platform, priority: 'normal', job };
};

async function checkableChannels(store: Store, orgs: readonly string[]): Promise<Channel[]> {
  const channels = (await mapBounded(orgs, LISTING_CONCURRENCY, (org) => listChannels(store, org))).flat();
  return channels.filter(isTokenCheckable);
}

/** The check-token jobs of the channels on deployed platforms. */
export async function plannedTokenChecks(store: Store, orgs: readonly string[]): Promise<QueuedJob[]> {
  return (await checkableChannels(store, orgs)).filter((channel) => isDeployed(channel.platform)).map(checkJob);
}

export async function enqueueTokenChecks(deps: {
  store: Store;
  orgs: readonly string[];
  /** returns the jobs that could not be sent (see sendJobs) */
  send: (jobs: QueuedJob[]) => Promise<QueuedJob[]>;
}): Promise<TokenCheckRun> {
  const checkable = await checkableChannels(deps.store, deps.orgs);
  const jobs = checkable.filter((channel) => isDeployed(channel.platform)).map(checkJob);
  let unsent = jobs;
  for (let attempt = 1; attempt <= SEND_ATTEMPTS && unsent.length > 0; attempt++) unsent = await deps.send(unsent);
  const failed = new Set(unsent);
  const enqueued: Partial<Record<PlatformId, number>> = {};
  for (const queued of jobs) if (!failed.has(queued)) enqueued[queued.platform] = (enqueued[queued.platform] ?? 0) + 1;
  return { channels: jobs.length, enqueued, unsent: unsent.length, undeployed: checkable.length - jobs.length };
}

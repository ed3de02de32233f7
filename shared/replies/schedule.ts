/**
 * The `collect-replies` schedule (every minute): for each organisation, the posts whose replies are
 * due to be read this minute (see cadence.ts) become one `collect-replies` job per channel (up to
 * MAX_POSTS_PER_REPLIES_JOB posts each, newest first) on its platform's normal queue, fanned out as
 * publishing is; the platform's function reads them one after another within the platform's read
 * budget. One job per channel, not per post: a queue message and an invocation are most of what a
 * read costs, and a channel's posts fall due in the same minutes (the cadence's offset is the
 * channel's). Telegram channels, whose replies only come by push, get an access check instead
 * (discussion group, the bot's rights, its webhook). Channels that are not active, or whose inbox
 * waits for the platform's rate limit, get nothing until then; channels on a platform the
 * deployment does not publish to (herold:platforms) get nothing at all.
 */
import { mapBounded } from '../bounded';
import { isDeployed } from '../config';
import { MAX_POSTS_PER_REPLIES_JOB, type Channel, type CollectRepliesJob } from '../model/schemas';
import { PLATFORMS } from '../platforms/registry';
import type { QueuedJob } from '../queue/jobs';
import { listChannelsOfOrgs } from '../store/channels';
import type { Store } from '../store/client';
import { isAccessCheckDue, isDue } from './cadence';
import { remoteHash } from './ids';
import { MAX_RETENTION_DAYS, readReplySettings } from './settings';
import { watchedPosts } from './store';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Organisations whose reply settings and watched posts are read at the same time. One after another,
 * a state's 500 organisations are 1,000 round trips in series every minute; all at once, 1,000 requests
 * in one burst. Eight, as the channel listing before it (store/channels.ts), keep the run well inside
 * its minute without a burst that eats the table's capacity.
 */
export const ORG_READ_CONCURRENCY = 8;

export interface ReplyScheduleDeps {
  store: Store;
  orgs: readonly string[];
  nowMs: number;
  /** returns the jobs that could not be sent (see sendJobs) */
  send: (jobs: QueuedJob[]) => Promise<QueuedJob[]>;
}

export interface ReplyScheduleSummary {
  /** collect-replies jobs that read posts (one per channel, or more for a channel with many due) */
  jobs: number;
  /** the posts those jobs read */
  polls: number;
  accessChecks: number;
  unsent: number;
}

/** A stable number for a channel: its offset within the polling interval. */
const spreadOf = (key: string) => Number.parseInt(remoteHash('spread', key).slice(0, 8), 16);

const readable = (channel: Channel | undefined, nowMs: number): channel is Channel =>
  channel !== undefined &&
  channel.state === 'active' &&
  // its platform's queue exists only where the platform is deployed (herold:platforms)
  isDeployed(channel.platform) &&
  !(channel.inbox?.status === 'waiting' && (channel.inbox.until ?? 0) > nowMs);

export async function plannedReplyJobs(
  deps: Pick<ReplyScheduleDeps, 'store' | 'orgs' | 'nowMs'>,
): Promise<QueuedJob[]> {
  const channels = new Map((await listChannelsOfOrgs(deps.store, deps.orgs)).map((channel) => [channel.id, channel]));
  const jobs: QueuedJob[] = [];
  // reading replies is routine work: the normal queue, never the urgent lane
  const queue = (channel: Channel, job: CollectRepliesJob) =>
    jobs.push({ platform: channel.platform, priority: 'normal', job });
  // each organisation's due posts, in the order its watched posts come (oldest first); only they are kept
  const duePerOrg = await mapBounded(deps.orgs, ORG_READ_CONCURRENCY, async (org) => {
    const { retentionDays } = await readReplySettings(deps.store, org);
    const since = new Date(deps.nowMs - Math.min(retentionDays, MAX_RETENTION_DAYS) * DAY_MS).toISOString();
    return (await watchedPosts(deps.store, org, since)).filter((post) => {
      const channel = channels.get(post.channelId);
      if (!readable(channel, deps.nowMs) || PLATFORMS[post.platform].inbox.collect === 'push') return false;
      const watched = {
        publishedAtMs: Date.parse(post.publishedAt),
        emergency: post.emergency,
        spread: spreadOf(post.channelId),
      };
      return isDue(watched, deps.nowMs, retentionDays);
    });
  });
  const due = new Map<string, string[]>();
  for (const post of duePerOrg.flat()) due.set(post.channelId, [...(due.get(post.channelId) ?? []), post.messageId]);
  for (const [channelId, oldestFirst] of due) {
    // newest first: a job cut short (see collect.ts) leaves the oldest posts, read least often anyway, for later
    const messageIds = oldestFirst.reverse();
    for (let start = 0; start < messageIds.length; start += MAX_POSTS_PER_REPLIES_JOB)
      queue(channels.get(channelId)!, {
        type: 'collect-replies',
        channelId,
        messageIds: messageIds.slice(start, start + MAX_POSTS_PER_REPLIES_JOB),
      });
  }
  for (const channel of channels.values()) {
    if (
      PLATFORMS[channel.platform].inbox.collect !== 'push' ||
      channel.state !== 'active' ||
      !isDeployed(channel.platform)
    )
      continue;
    const known = channel.inbox?.status === 'ok';
    if (isAccessCheckDue(deps.nowMs, spreadOf(channel.id), known))
      queue(channel, { type: 'collect-replies', channelId: channel.id });
  }
  return jobs;
}

export async function runReplySchedule(deps: ReplyScheduleDeps): Promise<ReplyScheduleSummary> {
  const jobs = await plannedReplyJobs(deps);
  const unsent = await deps.send(jobs);
  const reads = jobs.flatMap(({ job }) => (job.type === 'collect-replies' && job.messageIds ? [job.messageIds] : []));
  return {
    jobs: reads.length,
    polls: reads.reduce((sum, messageIds) => sum + messageIds.length, 0),
    accessChecks: jobs.length - reads.length,
    unsent: unsent.length,
  };
}

/**
 * EventBridge Scheduler target (every minute, and `POST /_local/schedules/collect-replies/run`
 * locally): the posts whose replies are due become collect-replies jobs on their platform's queue.
 */
import { logger } from '../../shared/observability/powertools';
import { configuredOrgs } from '../../shared/followers/settings';
import { sendJobs } from '../../shared/queue/jobs';
import { runReplySchedule, type ReplyScheduleSummary } from '../../shared/replies/schedule';
import { defaultStore } from '../../shared/store/client';

export const handler = async (): Promise<ReplyScheduleSummary> => {
  const summary = await runReplySchedule({
    store: defaultStore(),
    orgs: configuredOrgs(),
    nowMs: Date.now(),
    send: (jobs) => sendJobs(jobs),
  });
  logger.info('reply collection enqueued', { ...summary });
  return summary;
};

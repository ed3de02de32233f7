/**
 * EventBridge Scheduler target (every minute, and `POST /_local/schedules/collect-replies/run`
 * locally): the posts whose replies are due become collect-replies jobs on their platform's queue.
 */
import { logger } from '../../shared/observability/powertools';
import { sendJobs } from '../../shared/queue/jobs';
import { runReplySchedule, type ReplyScheduleSummary } from '../../shared/replies/schedule';
import { organisationIds } from '../../shared/organisations/organisations';
import { defaultStore } from '../../shared/store/client';

export const handler = async (): Promise<ReplyScheduleSummary> => {
  const store = defaultStore();
  const summary = await runReplySchedule({
    store,
    orgs: await organisationIds(store),
    nowMs: Date.now(),
    send: (jobs) => sendJobs(jobs),
  });
  logger.info('reply collection enqueued', { ...summary });
  return summary;
};

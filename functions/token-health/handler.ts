/**
 * Daily (EventBridge Scheduler): one `check-token` job per channel onto its platform's queue; the
 * platform's function checks and refreshes the channel's credentials (shared/tokens/schedule.ts).
 */
import { logger } from '../../shared/observability/powertools';
import { organisationIds } from '../../shared/organisations/organisations';
import { sendJobs } from '../../shared/queue/jobs';
import { defaultStore } from '../../shared/store/client';
import { enqueueTokenChecks, type TokenCheckRun } from '../../shared/tokens/schedule';

export const handler = async (): Promise<TokenCheckRun> => {
  const store = defaultStore();
  const run = await enqueueTokenChecks({
    store,
    orgs: await organisationIds(store),
    send: (jobs) => sendJobs(jobs),
  });
  logger.info('token checks enqueued', { ...run });
  // the scheduler runs the day again (checking a channel twice is harmless); the sent ones are checked meanwhile
  if (run.unsent > 0) throw new Error(`${run.unsent} of ${run.channels} check-token jobs could not be sent`);
  return run;
};

/** Daily (EventBridge Scheduler): check every channel's credentials and refresh what can be refreshed. */
import { logger, metrics } from '../../shared/observability/powertools';
import { organisationIds } from '../../shared/organisations/organisations';
import { defaultStore } from '../../shared/store/client';
import { runTokenHealth, type TokenOutcome } from '../../shared/tokens/health';
import { tokenHealthDeps } from '../../shared/tokens/wiring';

export const handler = async (): Promise<Record<TokenOutcome, number>> => {
  const store = defaultStore();
  const results = await runTokenHealth(tokenHealthDeps({ store, orgs: await organisationIds(store), metrics, logger }));
  const summary: Record<TokenOutcome, number> = {
    refreshed: 0,
    valid: 0,
    'expiring-soon': 0,
    'needs-reauth': 0,
    'check-failed': 0,
  };
  for (const result of results) summary[result.outcome] += 1;
  logger.info('token health checked', { channels: results.length, ...summary });
  return summary;
};

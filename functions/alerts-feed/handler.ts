/** Every minute (EventBridge rule): turn new, updated and cancelled NINA warnings into alerts. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { pollNinaFeeds } from '../../shared/alerts/feed';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const reports = await pollNinaFeeds({ store: defaultStore() });
  emitMetric('FeedsPolled', reports.length);
  for (const report of reports) {
    const ingested = report.outcomes.filter((outcome) => outcome.messages && !outcome.replayed).length;
    emitMetric('FeedWarningsIngested', ingested);
    if (report.error || report.outcomes.some((outcome) => outcome.error))
      logger.warn('NINA feed poll had problems', { ...report });
    else if (report.outcomes.length > 0) logger.info('NINA feed polled', { ...report });
  }
  return reports;
}).use(injectLambdaContext(logger));

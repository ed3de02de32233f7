/** Every minute (EventBridge rule): turn new, updated and cancelled NINA warnings into alerts. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { pollNinaFeeds } from '../../shared/alerts/feed';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const reports = await pollNinaFeeds({ store: defaultStore() });
  // Warnings only when there are some: a custom metric is billed for every hour it gets data, and
  // that the poll ran is the function's own Invocations metric, which the not-running alarm reads.
  for (const report of reports) {
    const ingested = report.outcomes.filter((outcome) => outcome.messages && !outcome.replayed).length;
    if (ingested > 0) emitMetric('FeedWarningsIngested', ingested);
    if (report.error || report.outcomes.some((outcome) => outcome.error))
      logger.warn('NINA feed poll had problems', { ...report });
    else if (report.outcomes.length > 0) logger.info('NINA feed polled', { ...report });
  }
  return reports;
}).use(injectLambdaContext(logger));

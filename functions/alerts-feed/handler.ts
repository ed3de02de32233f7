/** Every minute (EventBridge rule): turn new, updated and cancelled NINA warnings into alerts. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../../shared/observability/powertools';
import { pollNinaFeeds } from '../../shared/alerts/feed';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const reports = await pollNinaFeeds({ store: defaultStore() });
  metrics.addMetric('FeedsPolled', MetricUnit.Count, reports.length);
  for (const report of reports) {
    const ingested = report.outcomes.filter((outcome) => outcome.messages && !outcome.replayed).length;
    metrics.addMetric('FeedWarningsIngested', MetricUnit.Count, ingested);
    if (report.error || report.outcomes.some((outcome) => outcome.error)) logger.warn('NINA feed poll had problems', { ...report });
    else if (report.outcomes.length > 0) logger.info('NINA feed polled', { ...report });
  }
  return reports;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

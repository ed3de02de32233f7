/** Every minute (EventBridge rule): put stuck deliveries back on their queues. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../../shared/observability/powertools';
import { reconcile } from '../../shared/reconcile/reconcile';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const report = await reconcile(defaultStore());
  metrics.addMetric('ReconcilerRun', MetricUnit.Count, 1);
  metrics.addMetric('DeliveriesRequeued', MetricUnit.Count, report.requeued);
  if (report.looked > 0) logger.info('reconciled', { ...report });
  return report;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

/** Every minute (EventBridge rule): put stuck deliveries back on their queues. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { reconcile } from '../../shared/reconcile/reconcile';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const report = await reconcile(defaultStore());
  emitMetric('ReconcilerRun', 1);
  emitMetric('DeliveriesRequeued', report.requeued);
  if (report.looked > 0) logger.info('reconciled', { ...report });
  return report;
}).use(injectLambdaContext(logger));

/** Every minute (EventBridge rule): put stuck deliveries back on their queues. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { reconcile } from '../../shared/reconcile/reconcile';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async () => {
  const report = await reconcile(defaultStore());
  // Only when there is something to say: a custom metric is billed for every hour it gets data, and
  // that the reconciler ran is the function's own Invocations metric, which the not-running alarm reads.
  if (report.requeued > 0) emitMetric('DeliveriesRequeued', report.requeued);
  if (report.looked > 0) logger.info('reconciled', { ...report });
  return report;
}).use(injectLambdaContext(logger));

/** One logger and one metrics object per function, named by Powertools' own environment settings. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herold' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Herold',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herold',
});

/**
 * One EMF record per data point, written at once. Handlers never share a metrics buffer across
 * records (or, in the local stack, across functions running in one process), so nothing is lost or
 * attributed to the wrong dimensions, and there is no flush step that can find the buffer empty.
 */
export function emitMetric(
  name: string,
  value: number,
  dimensions: Record<string, string> = {},
  unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count,
): void {
  const single = metrics.singleMetric();
  if (Object.keys(dimensions).length) single.addDimensions(dimensions);
  single.addMetric(name, unit, value);
}

/**
 * The custom metrics Herold's functions emit (Powertools Metrics, EMF) and the alarms and dashboard
 * read. Powertools adds the dimension `service` (POWERTOOLS_SERVICE_NAME, `herold` in every function)
 * to each metric, so it is part of every metric identity here.
 *
 * | metric                  | unit         | dimensions (besides service)      | emitted by                               |
 * |-------------------------|--------------|-----------------------------------|------------------------------------------|
 * | PublishOutcome          | Count        | platform, class, priority         | publisher, once per attempt (class: published, retryable, rate-limited, auth, permanent, ambiguous, unsupported) |
 * | PublishLatency          | Milliseconds | platform, priority                | publisher, ingest → PUBLISHED            |
 * | FollowerCount           | Count        | organisation, platform, channel   | publisher, per collect-followers job     |
 * | FollowerCollectionAge   | Seconds      | platform                          | follower age check (hourly): one value per measured channel; the alarm takes the Maximum |
 * | QuotaBelowReserve       | Count        | platform                          | 1 when a channel's remaining quota is below its emergency reserve |
 * | TokenExpiringSoon       | Count        | platform                          | platform function, per check-token job: 1 for a channel whose token cannot be refreshed and expires within 7 days; the alarm sums the day |
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { PlatformId } from '../../shared/platforms/registry';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from '../constructs/herold-function';

export const PRIORITIES = ['normal', 'emergency'] as const;
export type Priority = (typeof PRIORITIES)[number];

const metric = (
  metricName: string,
  dimensions: Record<string, string>,
  statistic: string,
  period: Duration,
  label?: string,
) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, ...dimensions },
    statistic,
    period,
    label,
  });

export const publishLatency = (platform: PlatformId, priority: Priority, statistic: string) =>
  metric('PublishLatency', { platform, priority }, statistic, Duration.minutes(1), `${priority} ${statistic}`);

export const publishOutcome = (platform: PlatformId, outcomeClass: string, priority: Priority) =>
  metric('PublishOutcome', { platform, class: outcomeClass, priority }, 'Sum', Duration.minutes(1));

/** auth failures of a platform, whatever the priority */
export const authFailures = (platform: PlatformId): cloudwatch.MathExpression =>
  new cloudwatch.MathExpression({
    expression: PRIORITIES.map((p) => `FILL(${p}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(PRIORITIES.map((p) => [p, publishOutcome(platform, 'auth', p)])),
    label: 'auth failures',
    period: Duration.minutes(1),
  });

export const followerCollectionAge = (platform: PlatformId) =>
  metric('FollowerCollectionAge', { platform }, 'Maximum', Duration.days(1), 'oldest follower figure (s)');

export const quotaBelowReserve = (platform: PlatformId) =>
  metric('QuotaBelowReserve', { platform }, 'Maximum', Duration.minutes(5), 'channels below emergency reserve');

export const tokenExpiringSoon = (platform: PlatformId) =>
  metric('TokenExpiringSoon', { platform }, 'Sum', Duration.days(1), 'tokens expiring within 7 days');

/** A SEARCH over a metric's series (for dashboards; alarms need fixed metrics). */
export function searchMetric(
  metricName: string,
  dimensionKeys: readonly string[],
  filter: Record<string, string>,
  statistic: string,
  period: Duration,
  label: string,
): cloudwatch.MathExpression {
  const schema = [`"${METRICS_NAMESPACE}"`, '"service"', ...dimensionKeys.map((key) => `"${key}"`)].join(',');
  const terms = Object.entries({ service: POWERTOOLS_SERVICE_NAME, ...filter })
    .map(([key, value]) => `"${key}"="${value}"`)
    .join(' ');
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}" ${terms}', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    label,
    period,
  });
}

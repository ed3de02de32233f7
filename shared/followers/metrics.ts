/** CloudWatch metrics of the follower collection, as EMF through Powertools (namespace Herold). */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '../model/schemas';

export const METRICS_NAMESPACE = 'Herold';

/** Same service name as every other function: the dashboard and alarms select `service=herold`. */
export const followerMetrics = (): Metrics =>
  new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herold' });

/**
 * EMF gives every metric in one record the same dimensions, so each channel's value goes out as its
 * own single metric rather than through the shared buffer.
 */
function emitChannelMetric(
  metrics: Metrics,
  channel: Pick<Channel, 'id' | 'org' | 'platform'>,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void {
  metrics
    .singleMetric()
    .addDimensions({ organisation: channel.org, platform: channel.platform, channel: channel.id })
    .addMetric(name, unit, value);
}

export const emitFollowerCount = (
  metrics: Metrics,
  channel: Pick<Channel, 'id' | 'org' | 'platform'>,
  count: number,
): void => emitChannelMetric(metrics, channel, 'FollowerCount', MetricUnit.Count, count);

/** A channel never measured counts as this old, so the staleness alarm fires for it too. */
export const NEVER_MEASURED_SECONDS = 365 * 24 * 3600;

/**
 * Age of a channel's latest figure, per platform: the alarm takes the Maximum over the platform's
 * channels, so one stale channel is enough to raise it (channels are data, alarms are per platform).
 */
export const emitCollectionAge = (metrics: Metrics, channel: Pick<Channel, 'platform'>, seconds: number): void => {
  metrics
    .singleMetric()
    .addDimensions({ platform: channel.platform })
    .addMetric('FollowerCollectionAge', MetricUnit.Seconds, seconds);
};

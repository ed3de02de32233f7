/** CloudWatch metrics of the follower collection, as EMF through Powertools (namespace Herold). */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '../model/schemas';

export const METRICS_NAMESPACE = 'Herold';

export const followerMetrics = (): Metrics => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'followers' });

/**
 * EMF gives every metric in one record the same dimensions, so each channel's value goes out as its
 * own single metric rather than through the shared buffer.
 */
function emitChannelMetric(metrics: Metrics, channel: Pick<Channel, 'id' | 'org' | 'platform'>, name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  metrics.singleMetric().addDimensions({ organisation: channel.org, platform: channel.platform, channel: channel.id }).addMetric(name, unit, value);
}

export const emitFollowerCount = (metrics: Metrics, channel: Pick<Channel, 'id' | 'org' | 'platform'>, count: number): void =>
  emitChannelMetric(metrics, channel, 'FollowerCount', MetricUnit.Count, count);

export const emitCollectionAge = (metrics: Metrics, channel: Pick<Channel, 'id' | 'org' | 'platform'>, hours: number): void =>
  // CloudWatch has no hour unit; the alarm compares the plain number with 48.
  emitChannelMetric(metrics, channel, 'FollowerCollectionAge', MetricUnit.NoUnit, hours);

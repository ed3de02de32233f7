/**
 * What an operator sees (design §8, issue 8): one CloudWatch dashboard and the alarms, all sent to
 * one SNS topic. Everything per platform is generated from the lanes, so a new registry entry gets
 * its widgets and alarms without a change here. Alarm names: `<Stack>-<platform>-<what>`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  DefaultDashboardFactory,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  type CustomMetric,
  type CustomMetricGroup,
  type CustomMetricWithAlarm,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { HeroldFunction } from '../constructs/herold-function';
import type { PlatformLane } from '../constructs/platform-lane';
import {
  authFailures,
  followerCollectionAge,
  PRIORITIES,
  publishLatency,
  quotaBelowReserve,
  searchMetric,
  tokenExpiringSoon,
} from './metrics';

/** An emergency message must be out on every channel within a minute (design §8). */
export const EMERGENCY_LATENCY_LIMIT = Duration.seconds(60);
/** A channel without a follower figure for this long is reported (issue 6). */
export const FOLLOWER_FIGURE_MAX_AGE = Duration.hours(48);

export interface ObservabilityProps {
  lanes: PlatformLane[];
  /** functions that are not per platform, by a short name used in alarm names */
  functions: Record<string, HeroldFunction>;
  reconciler: HeroldFunction;
  /** DLQs that are not per platform, by a short name */
  otherDeadLetterQueues: Record<string, sqs.IQueue>;
  alarmEmail: string;
  /** 'essential' leaves out the alarms that warn early rather than say something is lost or late */
  alarms: 'full' | 'essential';
  key: kms.IKey | undefined;
}

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly monitoring: MonitoringFacade;
  readonly dashboard: cloudwatch.Dashboard;
  private readonly alarmSet: ObservabilityProps['alarms'];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmSet = props.alarms;
    const prefix = Stack.of(this).stackName;
    const name = (...parts: string[]) => [prefix, ...parts].join('-');

    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `${prefix} alarms`,
      enforceSSL: true,
      masterKey: props.key,
    });
    if (props.key) {
      // CloudWatch publishes alarm notifications to the encrypted topic
      props.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const dashboardFactory = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: prefix,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
    });
    this.monitoring = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.topic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      dashboardFactory,
    });

    for (const lane of props.lanes) this.monitorLane(lane, name);

    this.monitoring.addLargeHeader('Functions');
    for (const [fnName, fn] of Object.entries(props.functions)) {
      this.monitorFunction(fn, fnName, name, fn === props.reconciler);
    }
    for (const [dlqName, dlq] of Object.entries(props.otherDeadLetterQueues)) {
      this.monitoring.monitorSqsQueue({
        queue: dlq,
        alarmFriendlyName: name(dlqName, 'dlq'),
        humanReadableName: `${dlqName} DLQ`,
        addQueueMaxSizeAlarm: { Critical: { maxMessageCount: 0, alarmNameOverride: name(dlqName, 'dlq-not-empty') } },
      });
    }

    this.monitoring.addLargeHeader('Followers');
    this.monitoring.monitorCustom({
      alarmFriendlyName: name('followers'),
      humanReadableName: 'Follower count per channel (daily)',
      metricGroups: [
        {
          title: 'Followers',
          metrics: [
            searchMetric('FollowerCount', ['organisation', 'platform', 'channel'], {}, 'Maximum', Duration.days(1), ''),
          ],
        },
      ],
    });

    const dashboard = dashboardFactory.dashboard;
    if (!dashboard) throw new Error('the dashboard factory created no dashboard');
    this.dashboard = dashboard;
  }

  private monitorLane(lane: PlatformLane, name: (...parts: string[]) => string): void {
    const { id: platform, displayName } = lane.platform;
    this.monitoring.addLargeHeader(displayName);

    for (const { lane: kind, queue, dlq } of lane.queues) {
      this.monitoring.monitorSqsQueueWithDlq({
        queue,
        deadLetterQueue: dlq,
        alarmFriendlyName: name(platform, kind),
        humanReadableName: `${displayName} ${kind} queue`,
        addDeadLetterQueueMaxSizeAlarm: {
          Critical: { maxMessageCount: 0, alarmNameOverride: name(platform, kind, 'dlq-not-empty') },
        },
      });
    }

    this.monitorFunction(lane.publisher, `${platform}-publisher`, name, false);

    const outcomes: CustomMetricGroup = {
      title: 'Publish outcomes by class and priority',
      metrics: [
        searchMetric('PublishOutcome', ['platform', 'class', 'priority'], { platform }, 'Sum', Duration.minutes(5), ''),
      ],
    };
    const latency: CustomMetricGroup = {
      title: 'Ingest → published latency (ms)',
      metrics: PRIORITIES.flatMap((priority) => [
        publishLatency(platform, priority, 'p50'),
        publishLatency(platform, priority, 'p99'),
      ]),
    };
    const alarms: CustomMetricGroup = {
      title: 'Alarm inputs',
      metrics: [
        {
          metric: publishLatency(platform, 'emergency', 'p100'),
          alarmFriendlyName: name(platform, 'emergency-latency'),
          addAlarm: {
            Critical: {
              threshold: EMERGENCY_LATENCY_LIMIT.toMilliseconds(),
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
              treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(platform, 'emergency-latency'),
              additionalDescription: `An emergency message took longer than ${EMERGENCY_LATENCY_LIMIT.toSeconds()} s to reach ${displayName}.`,
            },
          },
        },
        {
          metric: authFailures(platform),
          alarmFriendlyName: name(platform, 'auth-failures'),
          addAlarm: {
            Critical: {
              threshold: 1,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(platform, 'auth-failures'),
              additionalDescription: `${displayName} rejected a channel's credentials: re-authorise the channel.`,
            },
          },
        },
        this.earlyWarning({
          metric: quotaBelowReserve(platform),
          alarmFriendlyName: name(platform, 'quota-below-reserve'),
          addAlarm: {
            Critical: {
              threshold: 1,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(platform, 'quota-below-reserve'),
              additionalDescription: `A ${displayName} channel's remaining quota is below its emergency reserve.`,
            },
          },
        }),
        this.earlyWarning({
          metric: tokenExpiringSoon(platform),
          alarmFriendlyName: name(platform, 'token-expiring'),
          addAlarm: {
            Critical: {
              threshold: 1,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(platform, 'token-expiring'),
              additionalDescription: `A ${displayName} channel's token cannot be refreshed and expires within 7 days: re-authorise the channel.`,
            },
          },
        }),
        this.earlyWarning({
          metric: followerCollectionAge(platform),
          alarmFriendlyName: name(platform, 'followers-stale'),
          addAlarm: {
            Critical: {
              threshold: FOLLOWER_FIGURE_MAX_AGE.toSeconds(),
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
              treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(platform, 'followers-stale'),
              additionalDescription: `A ${displayName} channel has no follower figure for ${FOLLOWER_FIGURE_MAX_AGE.toHours()} h.`,
            },
          },
        }),
      ],
    };
    this.monitoring.monitorCustom({
      alarmFriendlyName: name(platform, 'publishing'),
      humanReadableName: `${displayName} publishing`,
      metricGroups: [outcomes, latency, alarms],
    });
  }

  /** An alarm that warns before anything is lost or late: with the essential alarms, only its metric on the dashboard. */
  private earlyWarning(entry: CustomMetricWithAlarm): CustomMetric {
    return this.alarmSet === 'full' ? entry : entry.metric;
  }

  private monitorFunction(
    fn: HeroldFunction,
    fnName: string,
    name: (...parts: string[]) => string,
    mustRunEveryMinute: boolean,
  ): void {
    this.monitoring.monitorLambdaFunction({
      lambdaFunction: fn.fn,
      alarmFriendlyName: name(fnName),
      humanReadableName: fnName,
      addFaultCountAlarm: { Critical: { maxErrorCount: 0, alarmNameOverride: name(fnName, 'errors') } },
      ...(this.alarmSet === 'full'
        ? { addThrottlesCountAlarm: { Critical: { maxErrorCount: 0, alarmNameOverride: name(fnName, 'throttles') } } }
        : {}),
      ...(mustRunEveryMinute
        ? {
            addMinInvocationsCountAlarm: {
              Critical: {
                minCount: 1,
                period: Duration.minutes(5),
                // no invocations at all is exactly what this alarm is for
                treatMissingDataOverride: cloudwatch.TreatMissingData.BREACHING,
                alarmNameOverride: name(fnName, 'not-running'),
              },
            },
          }
        : {}),
    });
  }
}

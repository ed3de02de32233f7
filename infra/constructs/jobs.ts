/**
 * Everything that runs on a clock: the reconciler (every minute), the daily follower collection and
 * token health check (EventBridge Scheduler, in a configured time zone), the NINA feed poller, and
 * the infrastructure for scheduled messages (design §1, issue 9): a schedule group, the dispatch
 * function with its DLQ, and the role the one-time schedules run as.
 */
import { ArnFormat, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HeroldConfig } from '../config';
import { HeroldFunction } from './herold-function';
import { deadLetterQueue } from './queues';

type DailyTime = HeroldConfig['followerCollection'];

export interface JobsProps {
  namePrefix: string;
  environment: Record<string, string>;
  key: kms.IKey | undefined;
  logRetention: logs.RetentionDays;
  followerCollection: DailyTime;
  tokenHealth: DailyTime;
  ninaFeed: boolean;
}

export class Jobs extends Construct {
  readonly reconciler: HeroldFunction;
  readonly reconcilerRule: events.Rule;
  readonly followers: HeroldFunction;
  readonly followerSchedule: scheduler.Schedule;
  readonly tokenHealth: HeroldFunction;
  readonly tokenHealthSchedule: scheduler.Schedule;
  readonly alertsFeed: HeroldFunction;
  readonly alertsFeedRule: events.Rule;
  readonly dispatch: HeroldFunction;
  readonly dispatchDlq: sqs.Queue;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly scheduleGroupName: string;
  /** the role one-time message schedules run as: may invoke the dispatch function and nothing else */
  readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { namePrefix, environment, logRetention } = props;

    this.reconciler = new HeroldFunction(this, 'Reconciler', {
      entry: 'functions/reconciler/handler.ts',
      functionName: `${namePrefix}-reconciler`,
      description: 'Re-enqueues stuck deliveries and releases expired leases',
      timeout: Duration.seconds(50),
      environment,
      logRetention,
    });
    this.reconcilerRule = new events.Rule(this, 'ReconcilerEveryMinute', {
      description: 'Runs the Herold reconciler every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new eventsTargets.LambdaFunction(this.reconciler.fn, { retryAttempts: 0 })],
    });

    this.followers = new HeroldFunction(this, 'Followers', {
      entry: 'functions/followers/schedule.ts',
      functionName: `${namePrefix}-collect-followers`,
      description: 'Enqueues one collect-followers job per channel',
      timeout: Duration.minutes(1),
      environment,
      logRetention,
    });
    this.followerSchedule = this.daily(
      'CollectFollowersDaily',
      this.followers,
      props.followerCollection,
      'Collects follower counts of every channel',
    );

    this.tokenHealth = new HeroldFunction(this, 'TokenHealth', {
      entry: 'functions/token-health/handler.ts',
      functionName: `${namePrefix}-token-health`,
      description: 'Enqueues one check-token job per channel; the platform functions check the tokens',
      timeout: Duration.minutes(1),
      environment,
      logRetention,
    });
    this.tokenHealthSchedule = this.daily(
      'TokenHealthDaily',
      this.tokenHealth,
      props.tokenHealth,
      "Checks every channel's credentials",
    );

    this.alertsFeed = new HeroldFunction(this, 'AlertsFeed', {
      entry: 'functions/alerts-feed/handler.ts',
      functionName: `${namePrefix}-alerts-feed`,
      description: 'Polls the NINA warnings feed and turns warnings into alerts',
      timeout: Duration.seconds(50),
      environment,
      logRetention,
    });
    this.alertsFeedRule = new events.Rule(this, 'AlertsFeedEveryMinute', {
      description: 'Polls the NINA warnings feed every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      enabled: props.ninaFeed,
      targets: [new eventsTargets.LambdaFunction(this.alertsFeed.fn, { retryAttempts: 0 })],
    });

    // scheduled messages: failed invocations (by the scheduler or after Lambda's async retries) land here
    this.dispatchDlq = deadLetterQueue(this, 'DispatchDlq', `${namePrefix}-dispatch-dlq`, props.key);
    this.dispatch = new HeroldFunction(this, 'Dispatch', {
      entry: 'functions/dispatch/handler.ts',
      functionName: `${namePrefix}-dispatch`,
      description: "Queues a scheduled message's deliveries at its time",
      timeout: Duration.seconds(30),
      environment,
      logRetention,
      deadLetterQueue: this.dispatchDlq,
    });
    this.scheduleGroupName = namePrefix;
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      scheduleGroupName: this.scheduleGroupName,
    });

    this.schedulerRole = this.schedulerExecutionRole(
      'SchedulerRole',
      'Runs the one-time schedules of scheduled messages: invokes the dispatch function only',
      this.schedulesArnPattern,
    );
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.dispatch.fn.functionArn] }),
    );
    // EventBridge Scheduler delivers dead-letter events with the schedule's execution role
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.dispatchDlq.queueArn] }),
    );
    if (props.key) {
      this.schedulerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.key.keyArn] }),
      );
    }
  }

  /** ARN pattern of the schedules in Herold's group (the ingest function manages them). */
  get schedulesArnPattern(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** Lets a function create, change, read and delete message schedules, and hand them the scheduler role. */
  grantManageMessageSchedules(fn: HeroldFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [this.schedulesArnPattern],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `Scheduled messages get one one-time schedule each, created at run time; the grant covers only the ${this.scheduleGroupName} schedule group.`,
          appliesTo: [
            `Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.scheduleGroupName}/*`,
          ],
        },
      ],
      true,
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }

  /** The environment the ingest function needs to create one-time schedules. */
  get scheduleEnvironment(): Record<string, string> {
    return {
      HEROLD_SCHEDULE_GROUP: this.scheduleGroupName,
      HEROLD_DISPATCH_ARN: this.dispatch.fn.functionArn,
      HEROLD_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      HEROLD_SCHEDULE_DLQ_ARN: this.dispatchDlq.queueArn,
    };
  }

  /** A role EventBridge Scheduler assumes, only on behalf of schedules in this account (and, if given, matching `sourceArn`). */
  private schedulerExecutionRole(id: string, description: string, sourceArn?: string): iam.Role {
    return new iam.Role(this, id, {
      description,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
        },
      }),
    });
  }

  private daily(id: string, target: HeroldFunction, at: DailyTime, description: string): scheduler.Schedule {
    const role = this.schedulerExecutionRole(
      `${id}Role`,
      `Runs the schedule ${id}: invokes the ${target.node.id} function only`,
    );
    const schedule = new scheduler.Schedule(this, id, {
      description,
      schedule: scheduler.ScheduleExpression.cron({
        hour: String(at.hour),
        minute: String(at.minute),
        timeZone: TimeZone.of(at.timeZone),
      }),
      target: new LambdaInvoke(target.fn, { role, retryAttempts: 3, maxEventAge: Duration.hours(1) }),
    });
    // after the schedule exists: binding the target is what writes the role's policy
    const targetId = Stack.of(this).getLogicalId(target.fn.node.defaultChild as lambda.CfnFunction);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'LambdaInvoke grants lambda:InvokeFunction on the function and its versions (<arn>:*); CDK writes this statement.',
          appliesTo: [`Resource::<${targetId}.Arn>:*`],
        },
      ],
      true,
    );
    return schedule;
  }
}

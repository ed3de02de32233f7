/**
 * One platform's delivery lane: an urgent and a routine queue, each with its own DLQ, and the
 * platform's publisher function consuming both. The routine queue's event source is capped below
 * the urgent one's, so alerts always find free publishers (design §5).
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { queueNames, type PlatformSpec } from '../../shared/platforms/registry';
import { dailyCheckRenews } from '../../shared/tokens/policy';
import type { HeroldConfig } from '../config';
import { HeroldFunction } from './herold-function';
import { visibilityFor, workQueue } from './queues';

/** Long enough for a resumable video upload; the queue visibility follows from it. */
export const PUBLISHER_TIMEOUT = Duration.seconds(60);

export interface PlatformLaneProps {
  platform: PlatformSpec;
  /** prefix of queue, function and secret names (the stack name in lower case) */
  namePrefix: string;
  table: dynamodb.ITable;
  key: kms.IKey | undefined;
  concurrency: { normal: number; urgent: number };
  logRetention: logs.RetentionDays;
  /** where channel credentials are kept (herold:secrets) */
  secrets: HeroldConfig['secrets'];
  /** the credentials table, with `herold:secrets: "table"` */
  credentialsTable?: dynamodb.ITable;
}

export class PlatformLane extends Construct {
  readonly platform: PlatformSpec;
  readonly urgent: sqs.Queue;
  readonly urgentDlq: sqs.Queue;
  readonly normal: sqs.Queue;
  readonly normalDlq: sqs.Queue;
  readonly publisher: HeroldFunction;

  constructor(scope: Construct, id: string, props: PlatformLaneProps) {
    super(scope, id);
    const { platform } = props;
    this.platform = platform;
    const names = queueNames(platform.id, props.namePrefix);
    const visibilityTimeout = visibilityFor(PUBLISHER_TIMEOUT);

    ({ queue: this.urgent, dlq: this.urgentDlq } = workQueue(this, 'Urgent', {
      queueName: names.urgent,
      deadLetterQueueName: names.urgentDlq,
      visibilityTimeout,
      key: props.key,
    }));
    ({ queue: this.normal, dlq: this.normalDlq } = workQueue(this, 'Normal', {
      queueName: names.normal,
      deadLetterQueueName: names.normalDlq,
      visibilityTimeout,
      key: props.key,
    }));

    this.publisher = new HeroldFunction(this, 'Publisher', {
      entry: `functions/publish/${platform.id}.ts`,
      functionName: `${props.namePrefix}-publish-${platform.id}`,
      description: `Publishes to ${platform.displayName}, collects its follower counts and checks its tokens`,
      timeout: PUBLISHER_TIMEOUT,
      // media is streamed through the function on its way to the platform
      memorySize: 512,
      logRetention: props.logRetention,
    });

    const fn = this.publisher.fn;
    fn.addEventSource(
      new SqsEventSource(this.urgent, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.concurrency.urgent,
      }),
    );
    fn.addEventSource(
      new SqsEventSource(this.normal, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.concurrency.normal,
      }),
    );

    props.table.grantReadWriteData(fn);
    // re-enqueue a follow-up job and delay rate-limited jobs through their visibility
    for (const queue of [this.urgent, this.normal]) queue.grantSendMessages(fn);
    // one secret per channel, named herold/<platform>/<channel id> (herold-<stage>/… in a stage): only this platform's function reads them
    const secretPrefix = `${props.namePrefix}/${platform.id}/`;
    // a publisher that renews its platform's tokens, on use or in the daily check-token jobs, stores
    // them as new versions of its own platform's secrets
    const write = platform.publisherRenewsTokens === true || dailyCheckRenews(platform.id);
    this.publisher.grantSecretsUnder(secretPrefix, { write });
    const suppressed = [secretPrefix];
    if (props.secrets === 'per-organisation') {
      // one secret per organisation, herold/orgs/<org>, with every platform's channels of it: every
      // publisher reads them all (channels created before the setting keep their own secrets above)
      const orgSecrets = `${props.namePrefix}/orgs/`;
      this.publisher.grantSecretsUnder(orgSecrets, { write });
      suppressed.push(orgSecrets);
    }
    if (props.credentialsTable) {
      // the credentials table's items of this platform only (keys `<platform>/<channel id>`), as the
      // secret names' prefix does; the table's key, if any, is the Herold table's, granted above
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', ...(write ? ['dynamodb:PutItem'] : [])],
          resources: [props.credentialsTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${platform.id}/*`] } },
        }),
      );
    }

    NagSuppressions.addResourceSuppressions(
      this.publisher.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            props.secrets === 'per-organisation'
              ? `One secret per ${platform.displayName} channel under the name prefix ${secretPrefix}, or one per organisation under ${props.namePrefix}/orgs/; channels and organisations are added at run time, so the grant is on the prefix.`
              : `One secret per ${platform.displayName} channel under the name prefix ${secretPrefix}; channels are added at run time, so the grant is on the prefix.`,
          appliesTo: suppressed.map(
            (prefix) =>
              `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*`,
          ),
        },
      ],
      true,
    );
  }

  /** every queue of the lane, with its lane and kind, for alarms and dashboards */
  get queues(): { lane: 'urgent' | 'normal'; queue: sqs.Queue; dlq: sqs.Queue }[] {
    return [
      { lane: 'urgent', queue: this.urgent, dlq: this.urgentDlq },
      { lane: 'normal', queue: this.normal, dlq: this.normalDlq },
    ];
  }
}

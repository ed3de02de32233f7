/**
 * The Herold stack (design §1): table, one delivery lane per registry platform, the HTTP API with
 * the ingest function, the clocked jobs, and the dashboard and alarms. Environment-agnostic, so it
 * synthesizes without AWS credentials.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config';
import { ALERT_POLICY_ENV } from '../shared/alerts/policy';
import { platformList } from '../shared/platforms/registry';
import { HeroldApi } from './constructs/api';
import { ChannelConnect } from './constructs/channel-connect';
import { Directory } from './constructs/directory';
import { HeroldFunction } from './constructs/herold-function';
import { Jobs } from './constructs/jobs';
import { PlatformLane } from './constructs/platform-lane';
import type { HeroldConfig } from './config';
import { Observability } from './observability/observability';

export interface HeroldStackProps extends StackProps {
  config: HeroldConfig;
}

export class HeroldStack extends Stack {
  readonly key?: kms.Key;
  readonly table: dynamodb.Table;
  readonly lanes: PlatformLane[];
  readonly ingest: HeroldFunction;
  readonly api: HeroldApi;
  readonly jobs: Jobs;
  readonly connect: ChannelConnect;
  readonly directory: Directory;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: HeroldStackProps) {
    super(scope, id, props);
    const { config } = props;
    const namePrefix = this.stackName.toLowerCase();
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    if (config.kmsKey) {
      this.key = new kms.Key(this, 'Key', {
        description: 'Encrypts the Herold table, queues and alarm topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    // Table, not TableV2: TableV2 cannot render a customer-managed key in an environment-agnostic stack
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(this.key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.lanes = platformList().map(
      (platform) =>
        new PlatformLane(this, `Lane-${platform.id}`, {
          platform,
          namePrefix,
          table: this.table,
          key: this.key,
          concurrency: config.queueConcurrency,
          logRetention,
        }),
    );
    const queueUrls = Object.fromEntries(
      this.lanes.map((lane) => [lane.platform.id, { normal: lane.normal.queueUrl, urgent: lane.urgent.queueUrl }]),
    );
    const environment = {
      [ENV.table]: this.table.tableName,
      [ENV.queues]: this.toJsonString(queueUrls),
      [ALERT_POLICY_ENV]: JSON.stringify(config.alertPolicy),
    };
    for (const lane of this.lanes) {
      for (const [name, value] of Object.entries(environment)) lane.publisher.fn.addEnvironment(name, value);
    }

    this.jobs = new Jobs(this, 'Jobs', {
      namePrefix,
      environment,
      key: this.key,
      logRetention,
      followerCollection: config.followerCollection,
      tokenHealth: config.tokenHealth,
      ninaFeed: config.ninaFeed,
    });

    this.ingest = new HeroldFunction(this, 'Ingest', {
      entry: 'functions/ingest/handler.ts',
      functionName: `${namePrefix}-ingest`,
      description: 'Serves the Herold HTTP API: validates, renders and queues messages',
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: { ...environment, ...this.jobs.scheduleEnvironment },
      logRetention,
    });
    this.jobs.grantManageMessageSchedules(this.ingest);

    // who may write the table and send to which queues
    const writesEverything = [this.ingest, this.jobs.reconciler, this.jobs.dispatch, this.jobs.alertsFeed];
    for (const fn of [...writesEverything, this.jobs.tokenHealth]) this.table.grantReadWriteData(fn.fn);
    this.table.grantReadData(this.jobs.followers.fn);
    for (const lane of this.lanes) {
      for (const fn of writesEverything) {
        lane.urgent.grantSendMessages(fn.fn);
        lane.normal.grantSendMessages(fn.fn);
      }
      // follower jobs are routine work: normal queues only
      lane.normal.grantSendMessages(this.jobs.followers.fn);
    }

    // channels: the public directory (its builder, queue, bucket and distribution), and connecting
    // accounts in a function of its own, the only one that writes channel secrets
    this.directory = new Directory(this, 'Directory', {
      namePrefix,
      environment,
      table: this.table,
      key: this.key,
      logRetention,
    });
    this.connect = new ChannelConnect(this, 'ChannelConnect', {
      namePrefix,
      environment: { ...environment, ...this.directory.requesterEnvironment },
      table: this.table,
      logRetention,
      appSecrets: config.appSecrets,
    });
    // every change of a channel and every publish asks for the directory to be built again
    for (const fn of [this.ingest, this.connect.fn, ...this.lanes.map((lane) => lane.publisher)]) {
      this.directory.queue.grantSendMessages(fn.fn);
      for (const [name, value] of Object.entries(this.directory.requesterEnvironment))
        fn.fn.addEnvironment(name, value);
    }

    this.api = new HeroldApi(this, 'Api', {
      handler: this.ingest.fn,
      functions: { connect: this.connect.fn.fn },
      jwtIssuer: config.jwtIssuer,
      jwtAudience: config.jwtAudience,
      throttle: config.apiThrottle,
      logRetention,
    });

    this.observability = new Observability(this, 'Observability', {
      lanes: this.lanes,
      functions: {
        ingest: this.ingest,
        reconciler: this.jobs.reconciler,
        dispatch: this.jobs.dispatch,
        'collect-followers': this.jobs.followers,
        'token-health': this.jobs.tokenHealth,
        'alerts-feed': this.jobs.alertsFeed,
        connect: this.connect.fn,
        directory: this.directory.builder,
      },
      reconciler: this.jobs.reconciler,
      otherDeadLetterQueues: { dispatch: this.jobs.dispatchDlq, directory: this.directory.dlq },
      alarmEmail: config.alarmEmail,
      key: this.key,
    });

    this.acknowledgeGeneratedWildcards();
  }

  /**
   * cdk-nag findings on wildcards CDK itself writes into policies, acknowledged per role and per
   * exact wildcard. Herold's own statements never use a wildcard action.
   */
  private acknowledgeGeneratedWildcards(): void {
    const tableId = this.getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
    const tableIndexes = `Resource::<${tableId}.Arn>/index/*`;
    const kmsActions = this.key ? ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'] : [];
    const roles = [
      this.ingest,
      this.jobs.reconciler,
      this.jobs.dispatch,
      this.jobs.alertsFeed,
      this.jobs.tokenHealth,
      this.jobs.followers,
      this.connect.fn,
      this.directory.builder,
      ...this.lanes.map((l) => l.publisher),
    ];
    for (const fn of roles) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Table grants cover the table and its GSI1 (index/*), written by CDK’s grantReadData/grantReadWriteData.',
            appliesTo: [tableIndexes],
          },
          ...(kmsActions.length
            ? [
                {
                  id: 'AwsSolutions-IAM5',
                  reason:
                    'KMS data-key actions CDK’s SQS/DynamoDB grants add for the customer-managed key, limited to that one key.',
                  appliesTo: kmsActions,
                },
              ]
            : []),
        ],
        true,
      );
    }
  }
}

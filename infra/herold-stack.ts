/**
 * The Herold stack (design §1): table, one delivery lane per deployed platform, the HTTP API with
 * the ingest function, the clocked jobs, and the dashboard and alarms. Environment-agnostic, so it
 * synthesizes without AWS credentials.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config';
import { platformList } from '../shared/platforms/registry';
import { OPEN_INDEX } from '../shared/store/keys';
import { CREDENTIALS_KEY } from '../shared/publishing/credentials-table';
import { CONNECT_ENV } from '../shared/connect/service';
import { WORKSPACE_PATHS } from '../shared/workspace/paths';
import { HeroldApi } from './constructs/api';
import { AlertCards } from './constructs/cards';
import { ChannelConnect } from './constructs/channel-connect';
import { Directory } from './constructs/directory';
import { HeroldFunction } from './constructs/herold-function';
import { Jobs } from './constructs/jobs';
import { PlatformLane } from './constructs/platform-lane';
import { Replies } from './constructs/replies';
import { Workspace } from './constructs/workspace';
import { laneConcurrency, type HeroldConfig } from './config';
import { Observability } from './observability/observability';

export interface HeroldStackProps extends StackProps {
  config: HeroldConfig;
}

export class HeroldStack extends Stack {
  readonly key?: kms.Key;
  readonly table: dynamodb.Table;
  /** channel credentials as items, with `herold:secrets: "table"` (shared/publishing/credentials-table) */
  readonly credentialsTable?: dynamodb.Table;
  readonly lanes: PlatformLane[];
  readonly ingest: HeroldFunction;
  readonly api: HeroldApi;
  readonly preTokenGeneration: HeroldFunction;
  /** the press office's workspace (absent for an own OIDC issuer without `herold:workspaceAuth`) */
  readonly workspace?: Workspace;
  readonly jobs: Jobs;
  readonly connect: ChannelConnect;
  readonly directory: Directory;
  readonly observability: Observability;
  readonly cards: AlertCards;
  readonly replies: Replies;

  constructor(scope: Construct, id: string, props: HeroldStackProps) {
    super(scope, id, props);
    const { config } = props;
    // `herold` for the stack `Herold`, `herold-<stage>` for `Herold-<stage>`: queues, functions,
    // log groups, the schedule group and the channel secrets' names start with it
    const namePrefix = this.stackName.toLowerCase();
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    if (config.kmsKey) {
      this.key = new kms.Key(this, 'Key', {
        description: 'Encrypts the Herold table, queues and alarm topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    // every table: billed per request, recoverable, kept when the stack goes, encrypted with the key if there is one
    const kept = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(this.key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    } satisfies Partial<dynamodb.TableProps>;
    // Table, not TableV2: TableV2 cannot render a customer-managed key in an environment-agnostic stack
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      ...kept,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // the reconciler's open work, keys only: a delivery's claim, checkpoint and outcome write no index
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_INDEX.name,
      partitionKey: { name: OPEN_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OPEN_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });

    if (config.secrets === 'table') {
      // apart from the Herold table: no function reading messages or channels, and no export of them, holds a token
      this.credentialsTable = new dynamodb.Table(this, 'Credentials', {
        partitionKey: { name: CREDENTIALS_KEY, type: dynamodb.AttributeType.STRING },
        ...kept,
      });
    }

    // a lane for each platform the deployment publishes to (herold:platforms); everything per
    // platform below (grants, alarms, widgets, webhook routes) follows the lanes
    this.lanes = platformList()
      .filter((platform) => config.platforms.includes(platform.id))
      .map(
        (platform) =>
          new PlatformLane(this, `Lane-${platform.id}`, {
            platform,
            namePrefix,
            table: this.table,
            key: this.key,
            concurrency: laneConcurrency(config, platform.id),
            logRetention,
            secrets: config.secrets,
            ...(this.credentialsTable ? { credentialsTable: this.credentialsTable } : {}),
          }),
      );
    const queueUrls = Object.fromEntries(
      this.lanes.map((lane) => [lane.platform.id, { normal: lane.normal.queueUrl, urgent: lane.urgent.queueUrl }]),
    );
    const baseEnvironment = {
      [ENV.table]: this.table.tableName,
      [ENV.queues]: this.toJsonString(queueUrls),
      [ENV.secretPrefix]: `${namePrefix}/`,
      // read where a channel is created; without it, a secret per channel
      ...(config.secrets !== 'per-channel' ? { [ENV.secretsLayout]: config.secrets } : {}),
      ...(this.credentialsTable ? { [ENV.credentialsTable]: this.credentialsTable.tableName } : {}),
    };
    for (const lane of this.lanes) {
      for (const [name, value] of Object.entries(baseEnvironment)) lane.publisher.fn.addEnvironment(name, value);
    }

    // Alert cards for image-only platforms: a function, queues, bucket and CDN of their own.
    this.cards = new AlertCards(this, 'Cards', {
      namePrefix,
      environment: baseEnvironment,
      table: this.table,
      key: this.key,
      logRetention,
    });
    for (const lane of this.lanes) {
      lane.urgent.grantSendMessages(this.cards.renderer.fn);
      lane.normal.grantSendMessages(this.cards.renderer.fn);
    }
    const environment = { ...baseEnvironment, [ENV.cardQueues]: this.toJsonString(this.cards.queueUrls) };

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
    for (const fn of writesEverything) this.table.grantReadWriteData(fn.fn);
    // the daily runs only list the channels: the platform functions do the work
    for (const fn of [this.jobs.followers, this.jobs.tokenHealth]) this.table.grantReadData(fn.fn);
    for (const fn of writesEverything) this.cards.grantSendJobs(fn);
    for (const lane of this.lanes) {
      for (const fn of writesEverything) {
        lane.urgent.grantSendMessages(fn.fn);
        lane.normal.grantSendMessages(fn.fn);
      }
      // follower and token-check jobs are routine work: normal queues only
      for (const fn of [this.jobs.followers, this.jobs.tokenHealth]) lane.normal.grantSendMessages(fn.fn);
    }

    this.preTokenGeneration = new HeroldFunction(this, 'PreTokenGeneration', {
      entry: 'functions/pre-token/handler.ts',
      functionName: `${namePrefix}-pre-token`,
      description: "Cognito pre-token generation: puts the organisation and roles into a person's tokens",
      timeout: Duration.seconds(5),
      logRetention,
    });

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
      ...(this.credentialsTable ? { credentialsTable: this.credentialsTable } : {}),
      logRetention,
      appSecrets: config.appSecrets,
      platforms: config.platforms,
    });
    // every change of a channel and every publish asks for the directory to be built again
    for (const fn of [this.ingest, this.connect.fn, ...this.lanes.map((lane) => lane.publisher)]) {
      this.directory.queue.grantSendMessages(fn.fn);
      for (const [name, value] of Object.entries(this.directory.requesterEnvironment))
        fn.fn.addEnvironment(name, value);
    }

    // the replies inbox: its API, the platforms' webhooks and the collection schedule
    this.replies = new Replies(this, 'Replies', {
      namePrefix,
      environment,
      table: this.table,
      lanes: this.lanes,
      logRetention,
      appSecrets: config.appSecrets,
    });

    this.api = new HeroldApi(this, 'Api', {
      handler: this.ingest.fn,
      functions: {
        connect: this.connect.fn.fn,
        replies: this.replies.api.fn,
        webhooks: this.replies.webhooks.fn,
      },
      preTokenGeneration: this.preTokenGeneration.fn,
      platforms: config.platforms,
      jwtIssuer: config.jwtIssuer,
      jwtAudience: config.jwtAudience,
      throttle: config.apiThrottle,
      cognitoPlan: config.cognitoPlan,
      logRetention,
    });

    this.replies.setPublicApiUrl(this.api.httpApi.apiEndpoint, this.lanes);
    this.workspace = this.createWorkspace(config);
    // the page a platform's sign-in returns to links back to the workspace's Channels page
    if (this.workspace) this.connect.fn.fn.addEnvironment(CONNECT_ENV.workspaceUrl, this.workspace.origin);

    this.observability = new Observability(this, 'Observability', {
      lanes: this.lanes,
      functions: {
        ingest: this.ingest,
        reconciler: this.jobs.reconciler,
        dispatch: this.jobs.dispatch,
        'collect-followers': this.jobs.followers,
        'token-health': this.jobs.tokenHealth,
        'alerts-feed': this.jobs.alertsFeed,
        cards: this.cards.renderer,
        'pre-token': this.preTokenGeneration,
        connect: this.connect.fn,
        directory: this.directory.builder,
        replies: this.replies.api,
        webhooks: this.replies.webhooks,
        'collect-replies': this.replies.schedule,
      },
      reconciler: this.jobs.reconciler,
      otherDeadLetterQueues: {
        dispatch: this.jobs.dispatchDlq,
        cards: this.cards.normalDlq,
        'cards-urgent': this.cards.urgentDlq,
        directory: this.directory.dlq,
      },
      alarmEmail: config.alarmEmail,
      alarms: config.alarms,
      key: this.key,
    });

    new CfnOutput(this, 'ChannelSecretPrefix', {
      value: `${namePrefix}/`,
      description: 'Channel secrets are named <prefix><platform>/<channel id>',
    });
    if (this.credentialsTable)
      new CfnOutput(this, 'CredentialsTableName', {
        value: this.credentialsTable.tableName,
        description: "herold:secrets 'table': channel credentials, one item per <platform>/<channel id>",
      });

    this.acknowledgeGeneratedWildcards();
  }

  /** The workspace, signing in with Cognito's managed login, or with the configured OIDC client of an own issuer. */
  private createWorkspace(config: HeroldConfig): Workspace | undefined {
    const { api } = this;
    if (api.userPool && api.userPoolClient && api.signInUrl) {
      const { userPoolClient, signInUrl } = api;
      const workspace = new Workspace(this, 'Workspace', {
        httpApi: api.httpApi,
        connectSources: () => [signInUrl],
        auth: (origin) => ({
          provider: 'cognito',
          authority: api.issuer,
          clientId: userPoolClient.userPoolClientId,
          metadata: {
            issuer: api.issuer,
            authorization_endpoint: `${signInUrl}/oauth2/authorize`,
            token_endpoint: `${signInUrl}/oauth2/token`,
            end_session_endpoint: `${signInUrl}/logout`,
          },
          // Cognito's logout endpoint takes the client and where to return as client_id and logout_uri
          signOutParams: {
            client_id: userPoolClient.userPoolClientId,
            logout_uri: `${origin}${WORKSPACE_PATHS.signedOut}`,
          },
        }),
      });
      api.connectWorkspace(workspace.origin);
      return workspace;
    }
    if (!config.workspaceAuth) {
      Annotations.of(this).addWarningV2(
        'herold:workspace',
        'No workspace: with an own OIDC issuer, set herold:workspaceAuth to the workspace client and its endpoints.',
      );
      return undefined;
    }
    const auth = config.workspaceAuth;
    return new Workspace(this, 'Workspace', {
      httpApi: api.httpApi,
      connectSources: () => [new URL(auth.metadata.token_endpoint).origin],
      auth: () => auth,
    });
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
      this.cards.renderer,
      this.connect.fn,
      this.directory.builder,
      this.replies.api,
      this.replies.webhooks,
      this.replies.schedule,
      ...this.lanes.map((l) => l.publisher),
    ];
    NagSuppressions.addResourceSuppressions(
      this.preTokenGeneration.role,
      [{ id: 'AwsSolutions-IAM5', reason: 'X-Ray statement CDK writes for tracing: ACTIVE (see HeroldFunction).' }],
      true,
    );
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

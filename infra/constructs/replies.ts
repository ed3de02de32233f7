/**
 * The replies inbox: the API function (`GET /replies`, answers, hiding; it queues answers and
 * moderation to the platforms' functions), the public webhook function (Meta's and Telegram's
 * pushes, which reads only the two Meta app secrets and the webhook secret), and the schedule
 * function, fired every minute, that fans `collect-replies` jobs out to the platforms' normal
 * queues (reading replies is routine work: never the urgent lane). The platforms' functions read,
 * answer and hide, with the channel credentials only they hold.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { appSecretName, appSecretVariable } from '../../shared/connect/flow';
import { WEBHOOK_ENV } from '../../shared/replies/webhook-secrets';
import { HeroldFunction } from './herold-function';
import type { PlatformLane } from './platform-lane';

export interface RepliesProps {
  namePrefix: string;
  environment: Record<string, string>;
  table: dynamodb.ITable;
  lanes: readonly PlatformLane[];
  logRetention: logs.RetentionDays;
  /** the secret of each platform app, where it is not `<prefix>-apps/<platform>` */
  appSecrets: Record<string, string>;
}

export class Replies extends Construct {
  readonly api: HeroldFunction;
  readonly webhooks: HeroldFunction;
  readonly schedule: HeroldFunction;
  readonly scheduleRule: events.Rule;
  /** the webhook secret (Meta's verify token, Telegram's secret): created by the operator, see docs/DEPLOY.md */
  readonly webhookSecretName: string;

  constructor(scope: Construct, id: string, props: RepliesProps) {
    super(scope, id);
    const { namePrefix, logRetention } = props;
    this.webhookSecretName = `${namePrefix}-webhooks`;
    const environment = { ...props.environment, [WEBHOOK_ENV.secret]: this.webhookSecretName };

    this.api = new HeroldFunction(this, 'Api', {
      entry: 'functions/replies/api.ts',
      functionName: `${namePrefix}-replies`,
      description: "Serves the replies inbox: lists citizens' replies, answers them, hides and shows them",
      timeout: Duration.seconds(15),
      environment,
      logRetention,
    });
    props.table.grantReadWriteData(this.api.fn);

    // Meta signs with the app secret: the Facebook app's (Page feed, Instagram) and the Threads app's,
    // read only where one of their platforms is deployed
    const deployed = new Set(props.lanes.map((lane) => lane.platform.id));
    const signingApps = (['facebook', 'threads'] as const).filter((app) =>
      app === 'facebook' ? deployed.has('facebook') || deployed.has('instagram') : deployed.has(app),
    );
    const metaApps = signingApps.map((platform) => ({
      platform,
      name: props.appSecrets[platform] ?? appSecretName(platform, {}).replace(/^herold-apps\//, `${namePrefix}-apps/`),
    }));
    this.webhooks = new HeroldFunction(this, 'Webhooks', {
      entry: 'functions/webhooks/handler.ts',
      functionName: `${namePrefix}-webhooks`,
      description: "Takes the platforms' reply webhooks: trusts only a valid signature or secret token",
      timeout: Duration.seconds(15),
      environment: {
        ...environment,
        ...Object.fromEntries(metaApps.map(({ platform, name }) => [appSecretVariable(platform), name])),
      },
      logRetention,
    });
    props.table.grantReadWriteData(this.webhooks.fn);
    this.grantNamedSecrets(this.webhooks, [...metaApps.map(({ name }) => name), this.webhookSecretName]);

    this.schedule = new HeroldFunction(this, 'Schedule', {
      entry: 'functions/replies/schedule.ts',
      functionName: `${namePrefix}-collect-replies`,
      description: 'Enqueues collect-replies jobs for the posts whose replies are due',
      timeout: Duration.seconds(50),
      environment,
      logRetention,
    });
    props.table.grantReadData(this.schedule.fn);
    this.scheduleRule = new events.Rule(this, 'CollectEveryMinute', {
      description: 'Reads the replies to the posts that are due, every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new eventsTargets.LambdaFunction(this.schedule.fn, { retryAttempts: 0 })],
    });

    for (const lane of props.lanes) {
      lane.normal.grantSendMessages(this.schedule.fn);
      // answers under an emergency message take the urgent lane
      lane.normal.grantSendMessages(this.api.fn);
      lane.urgent.grantSendMessages(this.api.fn);
    }
    // Telegram's function sets each channel bot's webhook, with the token derived from the webhook secret
    const telegram = props.lanes.find((lane) => lane.platform.id === 'telegram');
    if (telegram) {
      telegram.publisher.fn.addEnvironment(WEBHOOK_ENV.secret, this.webhookSecretName);
      this.grantNamedSecrets(telegram.publisher, [this.webhookSecretName]);
    }
  }

  /** Read access to named secrets (Secrets Manager appends "-" and six characters to a secret's name in its ARN). */
  private grantNamedSecrets(fn: HeroldFunction, names: readonly string[]): void {
    const arns = [...new Set(names)].map((name) =>
      Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${name}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReplyWebhookSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: arns,
      }),
    );
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Named secrets only, with the six random characters Secrets Manager appends to their ARNs.',
          appliesTo: [...new Set(names)].map(
            (name) =>
              `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????`,
          ),
        },
      ],
      true,
    );
  }

  /** Where Telegram sends the bots' updates: the API's public URL. */
  setPublicApiUrl(url: string, lanes: readonly PlatformLane[]): void {
    const telegram = lanes.find((lane) => lane.platform.id === 'telegram');
    telegram?.publisher.fn.addEnvironment(WEBHOOK_ENV.publicApiUrl, url);
  }
}

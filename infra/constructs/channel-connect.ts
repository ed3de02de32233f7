/**
 * The connect function: connecting channels' accounts (`POST /channels/{id}/connect`), the
 * platforms' OAuth callback (`GET /oauth/callback/{platform}`, public) and retiring channels
 * (`PATCH /channels/{id}`). It is the only function that creates, writes or deletes channel
 * secrets (`herold/<platform>/<channel-id>`, and Mastodon's per-instance app registrations under
 * `herold/mastodon/apps/`); it reads the platform apps' own credentials (`herold-apps/<platform>`,
 * or the names configured with `herold:appSecrets`). The daily token health check keeps the one
 * other write: a new version of a secret that exists, when it renews a token.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { appSecretName, appSecretVariable } from '../../shared/connect/flow';
import { CONNECT_FLOWS } from '../../shared/connect/flows';
import type { PlatformId } from '../../shared/platforms/registry';
import { HeroldFunction } from './herold-function';

export interface ChannelConnectProps {
  namePrefix: string;
  environment: Record<string, string>;
  table: dynamodb.ITable;
  /** the credentials table, with `herold:secrets: "table"` */
  credentialsTable?: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  /** the secret of each platform app, where it is not `herold-apps/<platform>` */
  appSecrets: Record<string, string>;
  /** the deployed platforms (herold:platforms): only their apps' secrets are read */
  platforms: readonly PlatformId[];
}

export class ChannelConnect extends Construct {
  readonly fn: HeroldFunction;

  constructor(scope: Construct, id: string, props: ChannelConnectProps) {
    super(scope, id);
    const oauthPlatforms = props.platforms.filter(
      (platform) => CONNECT_FLOWS[platform].kind === 'oauth' && platform !== 'mastodon',
    );
    const appSecrets = Object.fromEntries(
      // a stage's own apps (herold-<stage>-apps/…) unless configured: a staging app never signs in to production
      oauthPlatforms.map((platform) => [
        platform,
        props.appSecrets[platform] ??
          appSecretName(platform, {}).replace(/^herold-apps\//, `${props.namePrefix}-apps/`),
      ]),
    );
    this.fn = new HeroldFunction(this, 'Function', {
      entry: 'functions/connect/handler.ts',
      functionName: `${props.namePrefix}-connect`,
      description:
        "Connects channels' accounts (OAuth callback included) and retires them: the only writer of channel secrets",
      // a callback makes up to four platform calls and a secret write, each with its own 10 s timeout
      timeout: Duration.seconds(29),
      environment: {
        ...props.environment,
        ...Object.fromEntries(
          Object.entries(appSecrets).map(([platform, name]) => [appSecretVariable(platform as never), name]),
        ),
      },
      logRetention: props.logRetention,
    });
    props.table.grantReadWriteData(this.fn.fn);
    // every channel's item: connecting writes it, retiring deletes it (the table's key is the Herold table's)
    props.credentialsTable?.grant(this.fn.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');

    const secretArn = (name: string) =>
      Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ChannelSecrets',
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DeleteSecret',
          'secretsmanager:TagResource',
        ],
        resources: [secretArn(`${props.namePrefix}/*`)],
      }),
    );
    const appSecretNames = [...new Set(Object.values(appSecrets))];
    // none where no deployed platform signs in with an app of its own (Telegram's bots, WhatsApp's hand-off)
    if (appSecretNames.length > 0)
      this.fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'PlatformAppSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends "-" and six characters to a secret's name in its ARN
          resources: appSecretNames.map((name) => secretArn(`${name}-??????`)),
        }),
      );
    NagSuppressions.addResourceSuppressions(
      this.fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'One secret per channel under herold/<platform>/<channel-id>, created when a channel is connected at run time; the app secrets are named, with the six random characters Secrets Manager appends.',
          appliesTo: [
            `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.namePrefix}/*`,
            ...appSecretNames.map(
              (name) =>
                `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????`,
            ),
          ],
        },
      ],
      true,
    );
  }
}

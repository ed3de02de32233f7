/**
 * The HTTP API: every route of shared/api/routes.ts on the ingest function, behind a JWT authorizer
 * unless the route is public. Without a configured issuer a Cognito user pool is the issuer.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { DEFAULT_ROUTE_FUNCTION, ROUTES, routeFunction, routeKey, type RouteSpec } from '../../shared/api/routes';

/** The roles of design §6; Cognito puts a user's groups into the `cognito:groups` claim. */
export const ROLE_GROUPS = ['editor', 'emergency', 'admin'] as const;

export interface HeroldApiProps {
  /** serves the routes that name no function of their own */
  handler: lambda.IFunction;
  /** the other functions routes name (shared/api/routes.ts `function`), by name */
  functions?: Record<string, lambda.IFunction>;
  /** OIDC issuer; empty: create a Cognito user pool */
  jwtIssuer: string;
  jwtAudience: string[];
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
}

export class HeroldApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly userPool?: cognito.UserPool;

  constructor(scope: Construct, id: string, props: HeroldApiProps) {
    super(scope, id);

    let issuer = props.jwtIssuer;
    let audience = props.jwtAudience;
    if (!issuer) {
      const { userPool, client } = this.createUserPool();
      this.userPool = userPool;
      issuer = userPool.userPoolProviderUrl;
      // Cognito access tokens carry the app client id (client_id), which API Gateway checks as the audience
      audience = [client.userPoolClientId];
    }

    const authorizer = new HttpJwtAuthorizer('Jwt', issuer, { jwtAudience: audience, authorizerName: 'herold-jwt' });

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: Stack.of(this).stackName,
      description: 'Herold: one message in, every channel out',
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat(),
      },
    });

    const functions: Record<string, lambda.IFunction> = { [DEFAULT_ROUTE_FUNCTION]: props.handler, ...props.functions };
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (route: RouteSpec): HttpLambdaIntegration => {
      const name = routeFunction(route);
      const fn = functions[name];
      if (!fn) throw new Error(`route ${routeKey(route)} names the function "${name}", which the stack does not have`);
      let integration = integrations.get(name);
      if (!integration) {
        // the first integration keeps its original id, so the ingest routes' logical ids do not change
        integration = new HttpLambdaIntegration(name === DEFAULT_ROUTE_FUNCTION ? 'Ingest' : `Fn-${name}`, fn);
        integrations.set(name, integration);
      }
      return integration;
    };
    // RouteSettings is a plain JSON map in CloudFormation: its keys are route keys, its fields CloudFormation's own
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of ROUTES as readonly RouteSpec[]) {
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationFor(route),
        authorizer: route.public ? undefined : authorizer,
      });
      if (route.throttle && created) {
        routeSettings[routeKey(route)] = {
          ThrottlingRateLimit: route.throttle.rateLimit,
          ThrottlingBurstLimit: route.throttle.burstLimit,
        };
        // the stage may only name routes that exist
        this.stage.node.addDependency(created);
      }
      if (route.public && created) {
        NagSuppressions.addResourceSuppressions(created, [
          {
            id: 'AwsSolutions-APIG4',
            reason: `${routeKey(route)} is public by design (shared/api/routes.ts marks it public: true).`,
          },
        ]);
      }
    }

    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeSettings;

    new CfnOutput(this, 'Url', { value: this.httpApi.apiEndpoint, description: 'Herold API base URL' });
    new CfnOutput(this, 'Issuer', { value: issuer, description: 'JWT issuer the API accepts' });
  }

  private createUserPool(): { userPool: cognito.UserPool; client: cognito.UserPoolClient } {
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // the organisation a user speaks for (city, fire-brigade); only administrators may set it
      customAttributes: { org: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // whoever can send an emergency message to every channel must not be one leaked password away
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ROLE_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: userPool.userPoolId,
        groupName: group,
        description: `Herold role ${group}`,
      });
    }
    const client = userPool.addClient('ApiClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true })
        .withCustomAttributes('org'),
      // users must not change their own organisation
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    return { userPool, client };
  }
}

/** JSON access log line; never includes the Authorization header. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
      latency: '$context.responseLatency',
      sourceIp: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      subject: '$context.authorizer.claims.sub',
      authorizerError: '$context.authorizer.error',
      integrationError: '$context.integrationErrorMessage',
    }),
  );
}

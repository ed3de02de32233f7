/**
 * The HTTP API: every route of shared/api/routes.ts on the ingest function, behind a JWT authorizer
 * unless the route is public. Without a configured issuer a Cognito user pool is the issuer.
 */
import { CfnOutput, Duration, Fn, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  DEFAULT_ROUTE_FUNCTION,
  ROUTES,
  routeDeployed,
  routeFunction,
  routeKey,
  type RouteSpec,
} from '../../shared/api/routes';
import type { PlatformId } from '../../shared/platforms/registry';
import { WORKSPACE_PATHS } from '../../shared/workspace/paths';

/** The roles of design §6; Cognito puts a user's groups into the `cognito:groups` claim. */
export const ROLE_GROUPS = ['editor', 'emergency', 'admin'] as const;

export interface HeroldApiProps {
  /** serves the routes that name no function of their own */
  handler: lambda.IFunction;
  /** the other functions routes name (shared/api/routes.ts `function`), by name */
  functions?: Record<string, lambda.IFunction>;
  /** Cognito's pre-token-generation trigger (V2): org and roles into the access token */
  preTokenGeneration: lambda.IFunction;
  /** the deployed platforms (herold:platforms): a platform's webhook routes exist only with it */
  platforms: readonly PlatformId[];
  /** OIDC issuer; empty: create a Cognito user pool */
  jwtIssuer: string;
  jwtAudience: string[];
  throttle: { rateLimit: number; burstLimit: number };
  /** the user pool's feature plan: threat protection needs Plus */
  cognitoPlan: 'plus' | 'essentials';
  logRetention: logs.RetentionDays;
}

export class HeroldApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  /** the managed login's domain, e.g. https://herold-123456789012.auth.eu-central-1.amazoncognito.com */
  readonly signInUrl?: string;
  readonly issuer: string;
  /** the workspace origins the managed login may return to (set by connectWorkspace) */
  private readonly workspaceOrigins: string[] = [];

  constructor(scope: Construct, id: string, props: HeroldApiProps) {
    super(scope, id);

    let issuer = props.jwtIssuer;
    let audience = props.jwtAudience;
    if (!issuer) {
      const { userPool, client, signInUrl } = this.createUserPool(props.preTokenGeneration, props.cognitoPlan);
      this.userPool = userPool;
      this.userPoolClient = client;
      this.signInUrl = signInUrl;
      issuer = userPool.userPoolProviderUrl;
      // Cognito access tokens carry the app client id (client_id), which API Gateway checks as the audience;
      // ID tokens carry it as aud: both are accepted
      audience = [client.userPoolClientId];
    }
    this.issuer = issuer;

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
        // One invoke permission per function for this API, not one per route: API Gateway invokes a
        // function only through the routes integrated with it, and per-route permissions (one
        // resource each) pushed the stack past CloudFormation's 500 resources.
        integration = new HttpLambdaIntegration(name === DEFAULT_ROUTE_FUNCTION ? 'Ingest' : `Fn-${name}`, fn, {
          scopePermissionToRoute: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };
    // RouteSettings is a plain JSON map in CloudFormation: its keys are route keys, its fields CloudFormation's own
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of (ROUTES as readonly RouteSpec[]).filter((r) => routeDeployed(r, props.platforms))) {
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

  /** The workspace at this origin: the managed login returns to it after signing in and out. */
  connectWorkspace(origin: string): void {
    this.workspaceOrigins.push(origin);
  }

  private createUserPool(
    preTokenGeneration: lambda.IFunction,
    plan: HeroldApiProps['cognitoPlan'],
  ): {
    userPool: cognito.UserPool;
    client: cognito.UserPoolClient;
    signInUrl: string;
  } {
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
      // Plus: threat protection (compromised-credential checks, adaptive authentication) blocks risky
      // sign-ins; Essentials keeps everything else Herold uses (MFA, managed login, the V2 trigger)
      ...(plan === 'plus'
        ? {
            featurePlan: cognito.FeaturePlan.PLUS,
            standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
          }
        : { featurePlan: cognito.FeaturePlan.ESSENTIALS }),
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (plan === 'essentials')
      NagSuppressions.addResourceSuppressions(userPool, [
        {
          id: 'AwsSolutions-COG3',
          reason:
            'herold:cognitoPlan "essentials" was chosen: threat protection needs the Plus plan (docs/COST.md); MFA stays required.',
        },
        {
          id: 'AwsSolutions-COG8',
          reason:
            'herold:cognitoPlan "essentials" was chosen: not the Plus plan, so no threat protection (docs/COST.md); MFA stays required.',
        },
      ]);
    // the V2 event (Essentials/Plus feature plans) may change the access token, not only the ID token
    userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      preTokenGeneration,
      cognito.LambdaVersion.V2_0,
    );
    for (const group of ROLE_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: userPool.userPoolId,
        groupName: group,
        description: `Herold role ${group}`,
      });
    }
    const stack = Stack.of(this);
    // Cognito domain prefixes are global per region: the stack's name and the account make it unique
    const domainPrefix = Fn.join('-', [stack.stackName.toLowerCase(), stack.account]);
    const domain = userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const signInUrl = `https://${domainPrefix}.auth.${stack.region}.amazoncognito.com`;
    const client = userPool.addClient('ApiClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      // the workspace: authorization code with PKCE (a public client, no secret), back to its own pages
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: Lazy.list({
          produce: () => this.workspaceOrigins.map((origin) => `${origin}${WORKSPACE_PATHS.signInCallback}`),
        }),
        logoutUrls: Lazy.list({
          produce: () => this.workspaceOrigins.map((origin) => `${origin}${WORKSPACE_PATHS.signedOut}`),
        }),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
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
    // managed login (v2) shows its pages only to clients with a style: Cognito's own
    new cognito.CfnManagedLoginBranding(this, 'SignInStyle', {
      userPoolId: userPool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    }).node.addDependency(domain);
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'SignInUrl', { value: signInUrl, description: 'Cognito managed login' });
    return { userPool, client, signInUrl };
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

/**
 * The infrastructure of channels: the connect function (its routes, and the only role that may
 * create, write or delete secrets) and the public directory (bucket, distribution with its edge
 * functions, build queue and builder, and who may ask for builds).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROUTES, routeFunction, routeKey, type RouteSpec } from '../../shared/api/routes';
import { dailyCheckRenews } from '../../shared/tokens/policy';
import { platformList } from '../../shared/platforms/registry';
import { VIEWER_REQUEST_SOURCE, VIEWER_RESPONSE_SOURCE } from '../../shared/directory/edge';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { template } = synthHerold();
const { template: configured } = synthHerold({ 'herold:appSecrets': { x: 'dresden/x-app' } });
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const policies = resourcesOf(template, 'AWS::IAM::Policy');
const queues = resourcesOf(template, 'AWS::SQS::Queue');
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const actionsOf = (statement: Statement) => [statement.Action].flat();
const fnId = (name: string) => functions.find(([, fn]) => fn.Properties?.FunctionName === name)?.[0] as string;
const roleOf = (name: string) => referencedId(resources[fnId(name)]?.Properties.Role) as string;
const statementsOf = (roleId: string): Statement[] =>
  policies
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
/** The roles allowed `action`, on anything or (with `on`) on resources naming that logical id. */
const rolesAllowed = (action: string, on?: string) =>
  policies
    .filter(([, policy]) =>
      (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (statement) =>
          actionsOf(statement).includes(action) && (!on || JSON.stringify(statement.Resource).includes(on)),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties?.Roles as unknown[]).map(referencedId))
    .sort();
const variablesOf = (name: string) =>
  resources[fnId(name)]!.Properties.Environment.Variables as Record<string, unknown>;

describe('the connect function', () => {
  it('serves the connect, callback and retire routes; the callback without a token', () => {
    // a route's target is "integrations/<integration>", and the integration names the function's ARN
    const integrationOf = (key: string) => {
      const [, route] = resourcesOf(template, 'AWS::ApiGatewayV2::Route').find(
        ([, candidate]) => candidate.Properties?.RouteKey === key,
      )!;
      const [, parts] = (route.Properties?.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return { route, integration: resources[referencedId(parts[1]) as string] };
    };
    for (const spec of ROUTES as readonly RouteSpec[]) {
      const { route, integration } = integrationOf(routeKey(spec));
      const uri = JSON.stringify(integration?.Properties.IntegrationUri);
      expect(uri, routeKey(spec)).toContain(fnId(`herold-${routeFunction(spec)}`));
      expect(route.Properties?.AuthorizationType, routeKey(spec)).toBe(spec.public ? 'NONE' : 'JWT');
    }
    expect(
      ROUTES.filter((spec) => routeFunction(spec) === 'connect')
        .map(routeKey)
        .sort(),
    ).toEqual(['GET /oauth/callback/{platform}', 'PATCH /channels/{id}', 'POST /channels/{id}/connect']);
  });

  it('is the only function that may create, tag or delete a secret; besides it the publishers that renew tokens, on use or in the daily token check (their own platform only), may write one', () => {
    const connect = roleOf('herold-connect');
    for (const action of ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'])
      expect(rolesAllowed(action), action).toEqual([connect]);
    const renewing = platformList().filter(
      (platform) => platform.publisherRenewsTokens || dailyCheckRenews(platform.id),
    );
    expect(renewing.map((platform) => platform.id).sort()).toEqual([
      'linkedin',
      'pinterest',
      'threads',
      'x',
      'youtube',
    ]);
    const publishers = renewing.map((platform) => roleOf(`herold-publish-${platform.id}`));
    expect(rolesAllowed('secretsmanager:PutSecretValue')).toEqual([connect, ...publishers].sort());
    // a publisher's renewed tokens go to its own platform's channel secrets, nowhere else
    for (const platform of renewing) {
      const writes = statementsOf(roleOf(`herold-publish-${platform.id}`)).filter((statement) =>
        actionsOf(statement).includes('secretsmanager:PutSecretValue'),
      );
      expect(
        writes.map((statement) => JSON.stringify(statement.Resource)),
        platform.id,
      ).toEqual([expect.stringContaining(`:secret:herold/${platform.id}/*`)]);
    }
    const channelSecrets = statementsOf(connect).find((statement) =>
      actionsOf(statement).includes('secretsmanager:CreateSecret'),
    );
    expect(JSON.stringify(channelSecrets?.Resource)).toContain(':secret:herold/*');
    // the API itself touches no secret at all
    expect(
      statementsOf(roleOf('herold-ingest'))
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('secretsmanager:')),
    ).toEqual([]);
  });

  it("reads each platform app's secret, by its default name or the configured one", () => {
    const appReads = (tpl: typeof template, name: string) => {
      const tplFunctions = resourcesOf(tpl, 'AWS::Lambda::Function');
      const id = tplFunctions.find(([, fn]) => fn.Properties?.FunctionName === name)?.[1].Properties?.Role;
      const role = referencedId(id) as string;
      return resourcesOf(tpl, 'AWS::IAM::Policy')
        .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((r) => referencedId(r) === role))
        .flatMap(
          ([, policy]) =>
            (policy.Properties?.PolicyDocument as { Statement: (Statement & { Sid?: string })[] }).Statement,
        )
        .find((statement) => statement.Sid === 'PlatformAppSecrets');
    };
    const defaults = JSON.stringify(appReads(template, 'herold-connect')?.Resource);
    for (const app of ['facebook', 'threads', 'linkedin', 'youtube', 'pinterest', 'x'])
      expect(defaults).toContain(`:secret:herold-apps/${app}-??????`);
    expect(JSON.stringify(appReads(configured, 'herold-connect')?.Resource)).toContain(':secret:dresden/x-app-??????');
    expect(variablesOf('herold-connect').HEROLD_INSTAGRAM_APP_SECRET).toBe('herold-apps/facebook');
  });
});

describe('the public directory', () => {
  it('keeps its files in a private bucket, TLS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('serves them through CloudFront with Origin Access Control, HTTPS and the two edge functions', () => {
    // the directory's own distribution, beside the workspace's and the alert cards'
    const own = (type: string) => resourcesOf(template, type).filter(([id]) => id.startsWith('Directory'));
    expect(own('AWS::CloudFront::Distribution')).toHaveLength(1);
    expect(own('AWS::CloudFront::OriginAccessControl')).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          FunctionAssociations: Match.arrayWith([
            Match.objectLike({ EventType: 'viewer-request' }),
            Match.objectLike({ EventType: 'viewer-response' }),
          ]),
        }),
      }),
    });
    const codes = own('AWS::CloudFront::Function').map(([, fn]) => fn.Properties?.FunctionCode);
    expect(codes.sort()).toEqual([VIEWER_REQUEST_SOURCE, VIEWER_RESPONSE_SOURCE].sort());
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 10 }),
    });
  });

  it('builds them in a function of its own, from a queue with a batching window, and only it may write the bucket', () => {
    const builder = fnId('herold-directory');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: builder },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // the alert cards and the workspace's deployment write buckets of their own
    const [bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('Directory'))!;
    expect(rolesAllowed('s3:PutObject', bucket)).toEqual([roleOf('herold-directory')]);
    expect(Object.keys(variablesOf('herold-directory'))).toEqual(
      expect.arrayContaining(['HEROLD_DIRECTORY_BUCKET', 'HEROLD_DIRECTORY_URL']),
    );
  });

  it('is asked for builds by the API, the connect function and every publisher', () => {
    const [queueId] = queues.find(([, queue]) => queue.Properties?.QueueName === 'herold-directory')!;
    const senders = policies
      .filter(([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (statement) =>
            actionsOf(statement).includes('sqs:SendMessage') &&
            [statement.Resource].flat().some((resource) => referencedId(resource) === queueId),
        ),
      )
      .flatMap(([, policy]) => (policy.Properties?.Roles as unknown[]).map(referencedId));
    const expected = functions
      .map(([, fn]) => String(fn.Properties?.FunctionName))
      .filter((name) => name === 'herold-ingest' || name === 'herold-connect' || name.startsWith('herold-publish-'));
    expect(senders.sort()).toEqual(expected.map(roleOf).sort());
    for (const name of expected) expect(Object.keys(variablesOf(name))).toContain('HEROLD_DIRECTORY_QUEUE');
  });
});

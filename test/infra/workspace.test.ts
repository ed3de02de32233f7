/**
 * The workspace in AWS: private bucket behind CloudFront with origin access control, HTTPS only,
 * the strict CSP and the other security headers, the SPA fallback, the API on the same origin under
 * /api, config.json written at deploy time, and Cognito's managed login with the code flow (PKCE,
 * public client), the workspace's URLs, MFA and the pre-token-generation trigger (V2).
 */
import { runInNewContext } from 'node:vm';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { template } = synthHerold();
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
/** The workspace's one resource of a type (alert cards and the directory have buckets and distributions of their own). */
const only = (type: string) => {
  const all = resourcesOf(template, type);
  const own = all.filter(([id]) => id.startsWith('Workspace'));
  const found = own.length > 0 ? own : all;
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const [distributionId, distribution] = only('AWS::CloudFront::Distribution');
const config = distribution.Properties!.DistributionConfig as {
  DefaultCacheBehavior: Record<string, unknown> & { FunctionAssociations: { FunctionARN: unknown }[] };
  CacheBehaviors: (Record<string, unknown> & { FunctionAssociations: { FunctionARN: unknown }[] })[];
  Origins: { Id: string; DomainName: unknown; S3OriginConfig?: unknown; OriginAccessControlId?: unknown }[];
  DefaultRootObject: string;
};
const [, headers] = only('AWS::CloudFront::ResponseHeadersPolicy');
const security = (headers.Properties!.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, never> })
  .SecurityHeadersConfig as Record<string, Record<string, unknown>>;
const cspText = JSON.stringify(security.ContentSecurityPolicy!.ContentSecurityPolicy);

/** Runs a CloudFront function's code on a request URI, as CloudFront's JS runtime would. */
function runFunction(functionArn: unknown, uri: string): string {
  const id = referencedId(functionArn)!;
  const code = json.Resources[id]!.Properties.FunctionCode as string;
  return (runInNewContext(`${code}; handler({ request: { uri: ${JSON.stringify(uri)} } })`) as { uri: string }).uri;
}

describe('the workspace bucket and distribution', () => {
  it('keeps the files in a private, encrypted bucket that only this distribution reads (origin access control)', () => {
    const [bucketId, bucket] = only('AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    only('AWS::CloudFront::OriginAccessControl');
    const [, policy] = only('AWS::S3::BucketPolicy');
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(referencedId(policy.Properties!.Bucket)).toBe(bucketId);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const read = statements.find((statement) => statement.Effect === 'Allow')!;
    expect(read.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(JSON.stringify(read.Condition)).toContain(distributionId);
    const s3Origin = config.Origins.find((origin) => origin.S3OriginConfig)!;
    expect(s3Origin.OriginAccessControlId).toBeDefined();
  });

  it('serves only over HTTPS and answers every route of the app with index.html', () => {
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const fallback = config.DefaultCacheBehavior.FunctionAssociations[0]!.FunctionARN;
    expect(runFunction(fallback, '/messages/01ABC')).toBe('/index.html');
    expect(runFunction(fallback, '/compose')).toBe('/index.html');
    expect(runFunction(fallback, '/assets/index-1234.js')).toBe('/assets/index-1234.js');
    expect(runFunction(fallback, '/config.json')).toBe('/config.json');
  });

  it('sends /api/* to the HTTP API uncached, Authorization included, without the prefix', () => {
    const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/api/*')!;
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    const origin = config.Origins.find((candidate) => candidate.Id === api.TargetOriginId)!;
    const [apiId] = resourcesOf(template, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(JSON.stringify(origin.DomainName)).toContain(apiId);
    expect(runFunction(api.FunctionAssociations[0]!.FunctionARN, '/api/messages/01ABC/deliveries/x/retry')).toBe(
      '/messages/01ABC/deliveries/x/retry',
    );
    expect(runFunction(api.FunctionAssociations[0]!.FunctionARN, '/api')).toBe('/');
  });

  it('sends a strict CSP, no framing, HSTS and the other security headers with every response', () => {
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      'upgrade-insecure-requests',
    ])
      expect(cspText).toContain(directive);
    expect(cspText).not.toMatch(/unsafe-inline|unsafe-eval/);
    // connections: the own origin (the API is under /api) and the managed login's token endpoint, nothing else
    expect(cspText).toMatch(/connect-src 'self' https:\/\/",.*\.auth\.",.*\.amazoncognito\.com/);
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(security.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
    });
    expect(security.ContentTypeOptions).toBeDefined();
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors])
      expect(behavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('writes config.json at deploy time and invalidates index.html and config.json', () => {
    const deployments = resourcesOf(template, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const entry = deployments.find(([, deployment]) => deployment.Properties?.DistributionPaths)!;
    expect(entry[1].Properties?.DistributionPaths).toEqual(['/index.html', '/config.json']);
    const markers = JSON.stringify(entry[1].Properties?.SourceMarkers);
    const [clientId] = resourcesOf(template, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(markers).toContain(clientId);
    expect(markers).toContain(distributionId);
  });

  it('leaves CORS off the HTTP API: the workspace calls it on its own origin', () => {
    const [, api] = resourcesOf(template, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(api.Properties?.CorsConfiguration).toBeUndefined();
  });

  it('has no development sign-in: nothing of /_local reaches the CDK app', () => {
    expect(JSON.stringify(json)).not.toContain('/_local');
  });
});

describe('signing in with Cognito', () => {
  it('gives the app client managed login with the code flow, no secret, and the workspace as its only return address', () => {
    const [, client] = only('AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      GenerateSecret: false,
    });
    expect(JSON.stringify(client.Properties?.CallbackURLs)).toMatch(new RegExp(`${distributionId}.*/auth/callback`));
    expect(JSON.stringify(client.Properties?.LogoutURLs)).toMatch(new RegExp(`${distributionId}.*/auth/signed-out`));
    const [, domain] = only('AWS::Cognito::UserPoolDomain');
    expect(domain.Properties?.ManagedLoginVersion).toBe(2);
    expect(only('AWS::Cognito::ManagedLoginBranding')[1].Properties).toMatchObject({ UseCognitoProvidedValues: true });
    expect(only('AWS::Cognito::UserPool')[1].Properties).toMatchObject({ MfaConfiguration: 'ON' });
  });

  it('runs the pre-token-generation trigger (V2) so the access token carries org and roles', () => {
    const [, pool] = only('AWS::Cognito::UserPool');
    const lambdaConfig = pool.Properties?.LambdaConfig as {
      PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string };
    };
    expect(lambdaConfig.PreTokenGenerationConfig.LambdaVersion).toBe('V2_0');
    const functionId = referencedId(lambdaConfig.PreTokenGenerationConfig.LambdaArn)!;
    expect(json.Resources[functionId]!.Properties).toMatchObject({
      FunctionName: 'herold-pre-token',
      Runtime: 'nodejs24.x',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: Match.objectLike({ 'Fn::GetAtt': [functionId, 'Arn'] }),
    });
  });

  it("accepts the app client's access tokens and ID tokens at the API (audience = client id)", () => {
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    const [, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties?.JwtConfiguration).toMatchObject({ Audience: [{ Ref: clientId }] });
  });
});

describe('with an own OIDC issuer', () => {
  it('deploys no workspace without its client, and says so', () => {
    const { stack, template: own } = synthHerold({ 'herold:jwtIssuer': 'https://id.dresden.example' });
    expect(resourcesOf(own, 'AWS::CloudFront::Distribution').filter(([id]) => id.startsWith('Workspace'))).toHaveLength(
      0,
    );
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('herold:workspaceAuth'))).toHaveLength(
      1,
    );
  });

  it("deploys it with the configured client, its token endpoint the CSP's only other connection", () => {
    const { template: own } = synthHerold({
      'herold:jwtIssuer': 'https://id.dresden.example/realms/herold',
      'herold:workspaceAuth': JSON.stringify({
        provider: 'oidc',
        authority: 'https://id.dresden.example/realms/herold',
        clientId: 'herold-workspace',
        metadata: {
          issuer: 'https://id.dresden.example/realms/herold',
          authorization_endpoint: 'https://id.dresden.example/realms/herold/protocol/openid-connect/auth',
          token_endpoint: 'https://id.dresden.example/realms/herold/protocol/openid-connect/token',
        },
      }),
    });
    const [, policy] = resourcesOf(own, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    expect(JSON.stringify(policy.Properties)).toContain("connect-src 'self' https://id.dresden.example;");
  });
});

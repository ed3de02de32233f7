/**
 * The workspace in AWS: its built files in a private S3 bucket behind CloudFront (origin access
 * control, HTTPS only, the security headers and CSP of shared/workspace/headers.ts), index.html for
 * every route of the single-page app, and the HTTP API on the same origin under /api, so the
 * browser needs no CORS and the CSP allows connections to its own origin and the sign-in only.
 * `config.json` (the API path and the sign-in settings) is written at deploy time.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CfnOutput, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { WorkspaceConfigInput } from '../../shared/workspace/config';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS, SECURITY_HEADERS } from '../../shared/workspace/headers';
import { API_PATH_PREFIX } from '../../shared/workspace/paths';
import { REPO_ROOT } from './herold-function';

export interface WorkspaceProps {
  httpApi: apigw.IHttpApi;
  /** the sign-in (written to config.json; the workspace origin is known only here, so it is a function of it) */
  auth: (origin: string) => WorkspaceConfigInput['auth'];
  /** origins the browser fetches from besides its own: the sign-in's token endpoint */
  connectSources: (origin: string) => string[];
}

/** The SPA fallback: a path without a file extension is a route of the app, answered with index.html. */
const SPA_FALLBACK = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** The API behaviour: /api/messages on the workspace's origin is /messages of the HTTP API. */
const STRIP_API_PREFIX = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.substring(${API_PATH_PREFIX.length}) || '/';
  return request;
}`;

export class Workspace extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** https://<distribution domain> */
  readonly origin: string;
  readonly headers: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: WorkspaceProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // the CSP names the sign-in's origin, which depends on nothing of the distribution
    const connectSources = props.connectSources('');
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Herold workspace: CSP, no framing, HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({ connectSources, upgradeInsecureRequests: true }),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: SECURITY_HEADERS['permissions-policy'], override: true },
          {
            header: 'Cross-Origin-Opener-Policy',
            value: SECURITY_HEADERS['cross-origin-opener-policy'],
            override: true,
          },
        ],
      },
    });

    const apiDomain = `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Herold workspace',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'SpaFallback', {
              code: cloudfront.FunctionCode.fromInline(SPA_FALLBACK),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'Routes of the workspace are answered with index.html',
            }),
          },
        ],
      },
      additionalBehaviors: {
        [`${API_PATH_PREFIX}/*`]: {
          origin: new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // nothing of the API is cached; every header but Host (Authorization included) reaches it
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          functionAssociations: [
            {
              eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
              function: new cloudfront.Function(this, 'ApiPrefix', {
                code: cloudfront.FunctionCode.fromInline(STRIP_API_PREFIX),
                runtime: cloudfront.FunctionRuntime.JS_2_0,
                comment: 'The API is served under /api on the workspace origin',
              }),
            },
          ],
        },
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const config: WorkspaceConfigInput = { apiUrl: API_PATH_PREFIX, auth: props.auth(this.origin) };
    // hashed assets are cached for a year; index.html and config.json are asked for again each time
    const built = workspaceAsset();
    new s3deploy.BucketDeployment(this, 'Assets', {
      destinationBucket: this.bucket,
      sources: [built],
      exclude: ['index.html', 'config.json', '.built-at'],
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
      prune: false,
      memoryLimit: 512,
    });
    new s3deploy.BucketDeployment(this, 'Entry', {
      destinationBucket: this.bucket,
      sources: [built, s3deploy.Source.jsonData('config.json', config)],
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });

    new CfnOutput(this, 'Url', { value: this.origin, description: 'The Herold workspace' });
    this.acknowledge();
  }

  private acknowledge(): void {
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds the public build of the workspace, read only by CloudFront; every API call is logged by the API access log.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Press officers may work from anywhere; every API call needs a Cognito token with MFA.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files and passes API calls to the HTTP API, which authorises and throttles every route; a WAF web ACL for CloudFront would live in us-east-1, outside this stack.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Static files need no access log; the API behind /api writes its own access log.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default cloudfront.net certificate allows no minimum TLS version setting; a custom domain with its own certificate can set TLSv1.2_2021.',
      },
    ]);
    // CDK's own deployment function copies the files at deploy time; it is not Herold's code
    for (const construct of Stack.of(this).node.findAll()) {
      if (!construct.node.path.includes('Custom::CDKBucketDeployment')) continue;
      NagSuppressions.addResourceSuppressions(
        construct,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason: 'CDK BucketDeployment function: AWSLambdaBasicExecutionRole, CDK-managed.',
          },
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'CDK BucketDeployment copies every object of its asset into the workspace bucket (object wildcards).',
          },
          { id: 'AwsSolutions-L1', reason: 'CDK BucketDeployment function: its runtime is chosen and updated by CDK.' },
        ],
        true,
      );
    }
  }
}

/**
 * The built workspace as an asset: `cdk deploy` runs the Vite build (locally, no Docker); tests that
 * skip bundling stage the source folder instead.
 */
function workspaceAsset(): s3deploy.ISource {
  return s3deploy.Source.asset(path.join(REPO_ROOT, 'web'), {
    exclude: ['node_modules', 'dist'],
    bundling: {
      image: DockerImage.fromRegistry('node:24-alpine'),
      local: {
        tryBundle(outputDir: string) {
          const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
          const result = spawnSync(process.execPath, [vite, 'build', '--outDir', outputDir, '--emptyOutDir'], {
            cwd: path.join(REPO_ROOT, 'web'),
            stdio: 'inherit',
            env: { ...process.env, NODE_ENV: 'production' },
          });
          return result.status === 0;
        },
      },
    },
  });
}

/**
 * The public channel directory: a bucket of its own behind a CloudFront distribution of its own,
 * the directory queue and the function that builds the files from it.
 *
 * Its own bucket and distribution rather than the workspace's: the directory is public and may be
 * framed by the organisations' sites, the workspace is neither; its caching (seconds for pages,
 * a year for QR codes) and its lack of access logs (readers' addresses are not recorded: no
 * tracking) are its own; and the workspace can change without touching it.
 * The bucket is private (Origin Access Control); two CloudFront Functions serve folder addresses
 * and set the security headers (shared/directory/edge.ts), per embeddable view from its metadata.
 */
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { VIEWER_REQUEST_SOURCE, VIEWER_RESPONSE_SOURCE } from '../../shared/directory/edge';
import { DIRECTORY_ENV } from '../../shared/directory/request';
import { HeroldFunction } from './herold-function';
import { visibilityFor, workQueue } from './queues';

export interface DirectoryProps {
  namePrefix: string;
  environment: Record<string, string>;
  table: dynamodb.ITable;
  key: kms.IKey | undefined;
  logRetention: logs.RetentionDays;
}

const BUILDER_TIMEOUT = Duration.seconds(30);

export class Directory extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly builder: HeroldFunction;
  /** what a function that asks for builds needs: the queue, and the public address */
  readonly requesterEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: DirectoryProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // everything in it is rebuilt from the table at the next change
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const viewerRequest = new cloudfront.Function(this, 'ViewerRequest', {
      comment: 'Herold directory: folder addresses serve their index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(VIEWER_REQUEST_SOURCE),
    });
    const viewerResponse = new cloudfront.Function(this, 'ViewerResponse', {
      comment: 'Herold directory: security headers; framing only for embeddable views, by their sites',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(VIEWER_RESPONSE_SOURCE),
    });
    const cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: "Herold directory: the files' own Cache-Control (seconds for pages, a year for QR codes)",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(10),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Herold public channel directory',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy,
        compress: true,
        functionAssociations: [
          { function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          { function: viewerResponse, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
        ],
      },
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    const url = `https://${this.distribution.distributionDomainName}`;

    const { queue, dlq } = workQueue(this, 'Queue', {
      queueName: `${props.namePrefix}-directory`,
      deadLetterQueueName: `${props.namePrefix}-directory-dlq`,
      visibilityTimeout: visibilityFor(BUILDER_TIMEOUT),
      key: props.key,
    });
    this.queue = queue;
    this.dlq = dlq;

    // QR codes and PNGs are made here, so their libraries stay out of the API's bundle
    this.builder = new HeroldFunction(this, 'Builder', {
      entry: 'functions/directory/handler.ts',
      functionName: `${props.namePrefix}-directory`,
      description: "Builds an organisation's public channel directory: pages, QR codes, Atom feed",
      timeout: BUILDER_TIMEOUT,
      memorySize: 512,
      environment: {
        ...props.environment,
        [DIRECTORY_ENV.bucket]: this.bucket.bucketName,
        [DIRECTORY_ENV.url]: url,
      },
      logRetention: props.logRetention,
    });
    this.builder.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        // a burst of requests (a publish to every channel) arrives as one batch: one build
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
    props.table.grantReadWriteData(this.builder.fn);
    this.bucket.grantPut(this.builder.fn);
    this.bucket.grantRead(this.builder.fn);

    this.requesterEnvironment = { [DIRECTORY_ENV.queue]: this.queue.queueUrl, [DIRECTORY_ENV.url]: url };

    new CfnOutput(this, 'Url', { value: url, description: 'Public channel directory: <url>/<organisation>/' });

    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'No access logs: the directory promises citizens no tracking, and its files are rebuilt from the table at every change.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A public authority’s channel list is for everyone, wherever they are: no geo restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static, cached, GET-only files with no input and no origin compute: WAF would only add cost; CloudFront absorbs the surge.',
      },
      { id: 'AwsSolutions-CFR3', reason: 'No access logs: readers’ addresses are not recorded (no tracking).' },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default CloudFront certificate; minimumProtocolVersion TLSv1.2_2021 applies once a custom domain and certificate are configured.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.builder.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The builder writes and reads any object of the directory bucket (one folder per organisation); CDK writes these grants.',
          appliesTo: [
            'Action::s3:Abort*',
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            { regex: '/^Resource::<.*Bucket.*\\.Arn>\\/\\*$/g' },
          ],
        },
      ],
      true,
    );
  }
}

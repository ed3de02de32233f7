/**
 * Alert cards (issue: image-only platforms in a crisis): the card function, fed by its own urgent
 * and routine queues (each with a DLQ, as a platform's lane), and the bucket the cards are kept in,
 * served by CloudFront.
 *
 * Why CloudFront and not presigned URLs: Instagram and Pinterest fetch the image themselves, and a
 * post may wait a day for Instagram's quota. A presigned URL lives as long as the credentials that
 * signed it, and a Lambda role's session credentials last hours, not days. CloudFront with origin
 * access control serves a private bucket at a stable HTTPS URL for as long as the card is kept;
 * each key carries a random part, so the URLs cannot be guessed or listed.
 *
 * The lifecycle rule moves cards to Standard-IA after 30 days (they are read when the post goes out
 * and rarely after) and never deletes them: a card is kept with its message, like the text.
 *
 * The function's bundle leaves out sharp, which is native: it is installed for linux-arm64 into the
 * bundle at synth time (the machine that synthesizes may be anything), with the fonts and the
 * Twemoji SVGs copied beside it (HEROLD_CARD_ASSETS).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
import { CARD_ASSETS_ENV, CARD_STORE_ENV, cardQueueNames } from '../../shared/cards/config';
import { HeroldFunction } from './herold-function';
import { visibilityFor, workQueue } from './queues';

/** Layout and rasterising take a fraction of a second; the first card of a container also loads fonts. */
export const CARD_TIMEOUT = Duration.seconds(30);
/** CPU scales with memory; the renderer peaks at a few hundred MB. */
export const CARD_MEMORY_MB = 1024;

const FONT_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'greek'];
const FONT_WEIGHTS = [400, 700, 800];

/** The sharp version the repository pins (its package.json is not among the package's exports). */
function sharpPackageVersion(): string {
  const entry = createRequire(import.meta.url).resolve('sharp');
  const manifest = path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}sharp${path.sep}`)), 'sharp', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export interface AlertCardsProps {
  namePrefix: string;
  environment: Record<string, string>;
  table: dynamodb.ITable;
  key: kms.IKey | undefined;
  logRetention: logs.RetentionDays;
}

export class AlertCards extends Construct {
  readonly urgent: sqs.Queue;
  readonly urgentDlq: sqs.Queue;
  readonly normal: sqs.Queue;
  readonly normalDlq: sqs.Queue;
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly renderer: HeroldFunction;

  constructor(scope: Construct, id: string, props: AlertCardsProps) {
    super(scope, id);
    const names = cardQueueNames(props.namePrefix);
    const visibilityTimeout = visibilityFor(CARD_TIMEOUT);
    ({ queue: this.urgent, dlq: this.urgentDlq } = workQueue(this, 'Urgent', {
      queueName: names.urgent,
      deadLetterQueueName: names.urgentDlq,
      visibilityTimeout,
      key: props.key,
    }));
    ({ queue: this.normal, dlq: this.normalDlq } = workQueue(this, 'Normal', {
      queueName: names.normal,
      deadLetterQueueName: names.normalDlq,
      visibilityTimeout,
      key: props.key,
    }));

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'cards-age-into-infrequent-access',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'Herold alert cards: the images Instagram and Pinterest fetch',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });

    const sharpVersion = sharpPackageVersion();
    this.renderer = new HeroldFunction(this, 'Renderer', {
      entry: 'functions/cards/handler.ts',
      functionName: `${props.namePrefix}-cards`,
      description: 'Renders alert cards for image-only platforms and queues their posts',
      timeout: CARD_TIMEOUT,
      memorySize: CARD_MEMORY_MB,
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [CARD_STORE_ENV.bucket]: this.bucket.bucketName,
        [CARD_STORE_ENV.baseUrl]: `https://${this.distribution.distributionDomainName}`,
        [CARD_ASSETS_ENV]: '/var/task/assets',
      },
      bundling: {
        externalModules: ['sharp'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            // sharp's prebuilt binaries for the function's platform, whatever machine synthesizes
            `npm install --prefix "${outputDir}" --no-save --no-package-lock --omit=dev --os=linux --cpu=arm64 --libc=glibc sharp@${sharpVersion}`,
            `mkdir -p "${outputDir}/assets/fonts" "${outputDir}/assets/twemoji"`,
            `cp "${inputDir}/node_modules/@fontsource/inter/unicode.json" "${outputDir}/assets/fonts/"`,
            ...FONT_SUBSETS.flatMap((subset) =>
              FONT_WEIGHTS.map(
                (weight) =>
                  `cp "${inputDir}/node_modules/@fontsource/inter/files/inter-${subset}-${weight}-normal.woff" "${outputDir}/assets/fonts/"`,
              ),
            ),
            `cp "${inputDir}"/node_modules/@twemoji/svg/*.svg "${outputDir}/assets/twemoji/"`,
          ],
        },
      },
    });
    const fn = this.renderer.fn;
    for (const queue of [this.urgent, this.normal]) {
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: 1,
          reportBatchItemFailures: true,
          maxConcurrency: queue === this.urgent ? 10 : 2,
        }),
      );
    }
    props.table.grantReadWriteData(fn);
    // put new cards, nothing else: no read, no delete, no listing
    this.renderer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('cards/*')] }),
    );
    NagSuppressions.addResourceSuppressions(
      this.renderer.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Each card gets a key of its own under cards/ when it is rendered; the function may only put objects there.',
          appliesTo: [
            `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/cards/*`,
          ],
        },
      ],
      true,
    );

    NagSuppressions.addResourceSuppressions(
      this.bucket,
      [
        {
          id: 'AwsSolutions-S1',
          reason:
            'The cards are public alert images served through CloudFront; who fetched one is not worth an access log bucket of its own.',
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      this.distribution,
      [
        {
          id: 'AwsSolutions-CFR1',
          reason:
            'Alert cards are public warnings: anyone anywhere may see them (a tourist abroad, a platform crawler).',
        },
        {
          id: 'AwsSolutions-CFR2',
          reason:
            'Static public images from a private bucket through origin access control; no application behind it for a WAF to protect.',
        },
        {
          id: 'AwsSolutions-CFR3',
          reason:
            'Access logs of public alert images are not needed; the cards themselves are recorded with their messages.',
        },
        {
          id: 'AwsSolutions-CFR4',
          reason:
            'The default CloudFront certificate of the *.cloudfront.net domain; a custom domain with TLS 1.2 minimum can be added by the operator.',
        },
      ],
      true,
    );
  }

  /** The environment entry every function that queues deliveries needs. */
  get queueUrls(): { normal: string; urgent: string } {
    return { normal: this.normal.queueUrl, urgent: this.urgent.queueUrl };
  }

  /** Lets a function put render-card jobs on both queues. */
  grantSendJobs(fn: HeroldFunction): void {
    this.urgent.grantSendMessages(fn.fn);
    this.normal.grantSendMessages(fn.fn);
  }
}

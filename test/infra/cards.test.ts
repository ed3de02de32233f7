import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { cardQueueNames } from '../../shared/cards/config';
import { CARD_MEMORY_MB, CARD_TIMEOUT } from '../../infra/constructs/cards';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { stack, template } = synthHerold();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const [cardFnId, cardFn] =
  functions.find(([, fn]) => fn.Properties?.FunctionName === 'herold-cards') ?? expect.fail('no card function');
const variables = (fn: { Properties?: Record<string, unknown> }) =>
  (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
const queueByName = (name: string) =>
  resourcesOf(template, 'AWS::SQS::Queue').find(([, queue]) => queue.Properties?.QueueName === name) ??
  expect.fail(`no queue ${name}`);
const statementsOfRole = (roleId: string) =>
  resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(
      ([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    );

describe('the alert-card function', () => {
  it('is a function of its own with room to render: arm64, 1 GB, its timeout, sharp installed beside the bundle', () => {
    expect(cardFn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: CARD_MEMORY_MB,
      Timeout: CARD_TIMEOUT.toSeconds(),
    });
    expect(stack.cards.renderer.entry).toBe('functions/cards/handler.ts');
    expect(variables(cardFn)).toMatchObject({ HEROLD_CARD_ASSETS: '/var/task/assets' });
  });

  it('is fed by its own urgent and routine queue, each with a DLQ after five receives', () => {
    const names = cardQueueNames('herold');
    for (const [lane, dlq] of [
      [names.urgent, names.urgentDlq],
      [names.normal, names.normalDlq],
    ] as const) {
      const [queueId, queue] = queueByName(lane);
      const [dlqId] = queueByName(dlq);
      const redrive = queue.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      expect(referencedId(redrive.deadLetterTargetArn)).toBe(dlqId);
      expect(redrive.maxReceiveCount).toBe(5);
      expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * CARD_TIMEOUT.toSeconds());
      const mapping = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(
        ([, candidate]) => referencedId(candidate.Properties?.EventSourceArn) === queueId,
      );
      expect(referencedId(mapping?.[1].Properties?.FunctionName)).toBe(cardFnId);
      expect(mapping?.[1].Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('alarms on its errors and on anything in its DLQs, like every other function and queue', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties?.AlarmName);
    expect(alarms).toEqual(
      expect.arrayContaining([
        'Herold-cards-errors',
        'Herold-cards-dlq-not-empty',
        'Herold-cards-urgent-dlq-not-empty',
      ]),
    );
  });

  it('keeps cards in a private, encrypted, TLS-only bucket with a lifecycle rule, served by CloudFront through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
    });
    // kept with their messages: moved to cheaper storage, never expired
    expect(JSON.stringify(resourcesOf(template, 'AWS::S3::Bucket'))).not.toContain('ExpirationInDays');
    expect(
      resourcesOf(template, 'AWS::CloudFront::OriginAccessControl').filter(([id]) => id.startsWith('Cards')),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
      }),
    });
    const base = JSON.stringify(variables(cardFn).HEROLD_CARD_BASE_URL);
    expect(base).toContain('DomainName');
    expect(referencedId(variables(cardFn).HEROLD_CARD_BUCKET)).toBeDefined();
  });

  it('may put cards under cards/ and nothing else in the bucket, and send publish jobs to every platform queue', () => {
    const roleId = referencedId(cardFn.Properties?.Role) as string;
    const statements = statementsOfRole(roleId);
    const s3Actions = statements
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('s3:'));
    expect(s3Actions).toEqual(['s3:PutObject']);
    const sends = statements.filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(sends.length).toBeGreaterThan(0);
    expect(resources[roleId]?.Type).toBe('AWS::IAM::Role');
  });

  it('is reached by the functions that queue deliveries: their environment names its queues and they may send to them', () => {
    for (const name of ['herold-ingest', 'herold-reconciler', 'herold-dispatch', 'herold-alerts-feed']) {
      const [, fn] =
        functions.find(([, candidate]) => candidate.Properties?.FunctionName === name) ?? expect.fail(name);
      const [urgentId] = queueByName(cardQueueNames('herold').urgent);
      expect(JSON.stringify(variables(fn).HEROLD_CARD_QUEUES)).toContain(urgentId);
      const roleId = referencedId(fn.Properties?.Role) as string;
      const sendsToCards = statementsOfRole(roleId).some(
        (statement) =>
          [statement.Action].flat().includes('sqs:SendMessage') &&
          JSON.stringify(statement.Resource).includes(urgentId),
      );
      expect(sendsToCards, name).toBe(true);
    }
  });
});

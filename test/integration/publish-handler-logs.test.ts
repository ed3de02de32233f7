/**
 * The publisher function when records are processed at the same time. Within a batch (the normal
 * lane's batches hold up to ten) every log line names its own job, so an operator reading
 * CloudWatch never sees one message's publish under another message's id. Across invocations that
 * overlap in one process (the local stack's pollers do that; Lambda does not), each invocation
 * reports only its own failed records, so a job that succeeded never goes back to its queue.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config';
import type { PlatformClient } from '../../shared/platforms/client';
import { createPublishHandler } from '../../shared/publishing/handler';
import { logger } from '../../shared/observability/powertools';
import { defaultStore } from '../../shared/store/client';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../local/aws';
import { lambdaContext } from '../../local/lambda-context';
import { loadSeedChannels, SEED_CREDENTIALS_FILE, seedChannels } from '../../local/seed';
import { isolatedQueues, isolatedTable } from '../support/local-aws';
import { putOneDelivery } from '../support/publishing';

const channel = loadSeedChannels().find((candidate) => candidate.id === 'city-mastodon')!;
/** a second Mastodon channel, whose follower count the platform fails to give */
const FAILING_CHANNEL = `${channel.id}-2`;
let normalQueueArn: string;
const previousEnv = { ...process.env };

beforeAll(async () => {
  const [{ dynamoEndpoint, tableName }, { sqsEndpoint, queues }] = await Promise.all([
    isolatedTable('logs'),
    isolatedQueues('logs'),
  ]);
  Object.assign(process.env, {
    [ENV.table]: tableName,
    [ENV.queues]: JSON.stringify(queues),
    [ENV.credentialsFile]: SEED_CREDENTIALS_FILE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  normalQueueArn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${queues.mastodon.normal.split('/').pop()}`;
  await seedChannels(tableName, {
    dynamoEndpoint,
    channels: [
      { ...channel, quota: undefined },
      { ...channel, id: FAILING_CHANNEL, quota: undefined },
    ],
  });
  for (const [messageId, text] of [
    ['msg-slow', 'langsam'],
    ['msg-fast', 'schnell'],
  ] as const) {
    await putOneDelivery(defaultStore(), { messageId, channel, text, state: 'QUEUED', createdAt: new Date() });
  }
});
afterAll(() => {
  process.env = previousEnv;
});

/** Answers the slow message's post later than the fast one's, so the two records overlap. */
const client: PlatformClient = {
  platform: 'mastodon',
  async publish(request) {
    if (request.text === 'langsam') await new Promise((resolve) => setTimeout(resolve, 150));
    return { remoteId: `status-${request.text}` };
  },
  findPublished: async () => null,
  followerCount: async () => 0,
};

const record = (
  messageId: string,
  index: number,
  body: Record<string, unknown> = { type: 'publish', messageId, channelId: channel.id },
): SQSEvent['Records'][number] => ({
  messageId: `sqs-${index}`,
  receiptHandle: `receipt-${index}`,
  body: JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: normalQueueArn,
  awsRegion: 'eu-central-1',
});

describe('the publisher function processing a batch', () => {
  it("names each record's own message in its log lines", async () => {
    const lines: Record<string, unknown>[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log record
        }
      }
      return true;
    });
    const level = logger.getLevelName();
    logger.setLogLevel('INFO');
    try {
      const handler = createPublishHandler('mastodon', client);
      const result = await handler(
        { Records: [record('msg-slow', 0), record('msg-fast', 1)] },
        lambdaContext('herold-publish-mastodon', 5000),
      );
      expect(result).toEqual({ batchItemFailures: [] });
    } finally {
      logger.setLogLevel(level);
      write.mockRestore();
    }
    const published = lines.filter((line) => line.message === 'published');
    expect(published.map((line) => line.messageId).sort()).toEqual(['msg-fast', 'msg-slow']);
    expect(published.every((line) => line.channelId === channel.id)).toBe(true);
  });
});

describe('two invocations of one publisher function overlapping in one process', () => {
  it('each reports its own failed record and no other', async () => {
    // the failing channel's read fails after 50 ms, the other answers after 150 ms: the two overlap
    const failingOne: PlatformClient = {
      ...client,
      async followerCount(context) {
        const failing = context.channel.id === FAILING_CHANNEL;
        await new Promise((resolve) => setTimeout(resolve, failing ? 50 : 150));
        if (failing) throw new Error('the platform answered 500');
        return 1234;
      },
    };
    const handler = createPublishHandler('mastodon', failingOne);
    const collect = (index: number, channelId: string) =>
      record(`collect-${index}`, index, { type: 'collect-followers', channelId, date: '2026-03-01' });
    const [failing, succeeding] = await Promise.all([
      handler({ Records: [collect(10, FAILING_CHANNEL)] }, lambdaContext('herold-publish-mastodon', 5000)),
      handler({ Records: [collect(11, channel.id)] }, lambdaContext('herold-publish-mastodon', 5000)),
    ]);
    expect(failing).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-10' }] });
    expect(succeeding).toEqual({ batchItemFailures: [] });
  });
});

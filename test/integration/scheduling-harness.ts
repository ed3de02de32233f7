/**
 * Test environment for scheduled messages on the test run's DynamoDB Local and SQS server: its own
 * table, a normal and an urgent queue per platform, and channels for the city and the
 * fire brigade.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { provisionTable } from '../../local/provision';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../shared/config';
import { JobSchema, type Channel, type Principal, type PublishJob } from '../../shared/model/schemas';
import { PLATFORM_IDS, queueNames } from '../../shared/platforms/registry';
import { sendJobs, type QueuedJob } from '../../shared/queue/jobs';
import type { MessageSchedule, SchedulePort } from '../../shared/scheduling/schedules';
import { ScheduleNotFoundError } from '../../shared/scheduling/schedules';
import { putChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'eu-central-1';

export interface Harness {
  store: Store;
  sqs: SQSClient;
  send: (jobs: QueuedJob[]) => Promise<QueuedJob[]>;
  queueUrls: string[];
  /** the environment the functions' default clients need to reach the local servers */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const { dynamoEndpoint, sqsEndpoint } = localAwsEndpoints();
  const table = uniqueName('scheduling');
  await provisionTable(dynamoEndpoint, table);
  const raw = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  const store: Store = {
    doc: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    table,
  };

  const sqs = new SQSClient({ endpoint: sqsEndpoint, region, credentials });
  const urls: Record<string, { normal: string; urgent: string }> = {};
  for (const platform of PLATFORM_IDS) {
    const names = queueNames(platform, table);
    const normal = await sqs.send(new CreateQueueCommand({ QueueName: names.normal }));
    const urgent = await sqs.send(new CreateQueueCommand({ QueueName: names.urgent }));
    urls[platform] = { normal: String(normal.QueueUrl), urgent: String(urgent.QueueUrl) };
  }
  process.env[ENV.queues] = JSON.stringify(urls);

  for (const channel of CHANNELS) await putChannel(store, channel);
  return {
    store,
    sqs,
    send: (jobs) => sendJobs(jobs, sqs),
    queueUrls: Object.values(urls).flatMap((lanes) => [lanes.normal, lanes.urgent]),
    env: {
      [ENV.table]: table,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    // the servers are the test run's (test/global-setup.ts): only this harness's clients go away
    stop: async () => {
      raw.destroy();
      sqs.destroy();
    },
  };
}

const channel = (id: string, org: string, platform: Channel['platform']): Channel => ({
  id,
  org,
  platform,
  handle: `@${id}`,
  state: 'active',
  account: `${id}-account`,
  credentialsRef: `local:${id}`,
});

export const CHANNELS: Channel[] = [
  channel('city-mastodon', 'city', 'mastodon'),
  channel('city-telegram', 'city', 'telegram'),
  channel('city-bluesky', 'city', 'bluesky'),
  channel('city-whatsapp', 'city', 'whatsapp'),
  channel('fire-mastodon', 'fire-brigade', 'mastodon'),
  channel('fire-telegram', 'fire-brigade', 'telegram'),
];

export const principal = (org: string, ...roles: Principal['roles']): Principal => ({
  sub: `${org}-${roles.join('-') || 'nobody'}`,
  org,
  roles,
});

/** Every publish job on every queue right now, taken off the queues. */
export async function drainJobs(harness: Harness): Promise<PublishJob[]> {
  const jobs: PublishJob[] = [];
  for (const url of harness.queueUrls) {
    for (;;) {
      const received = await harness.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        const job = JobSchema.parse(JSON.parse(String(message.Body)));
        if (job.type === 'publish') jobs.push(job);
      }
      await harness.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  }
  return jobs;
}

/** Every item of a message's partition, raw, for before/after comparisons. */
export async function rawMessageItems(store: Store, messageId: string): Promise<Record<string, unknown>[]> {
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.message(messageId).PK },
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

export async function rawItem(store: Store, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  return (await store.doc.send(new GetCommand({ TableName: store.table, Key: key, ConsistentRead: true }))).Item;
}

/** An in-memory SchedulePort that records what it was asked and can be told to fail. */
export class RecordingSchedules implements SchedulePort {
  readonly schedules = new Map<string, Date>();
  readonly calls: string[] = [];
  failNext: 'create' | 'update' | 'delete' | undefined;

  async create(schedule: MessageSchedule): Promise<void> {
    this.calls.push(`create ${schedule.messageId}`);
    this.maybeFail('create');
    this.schedules.set(schedule.messageId, schedule.at);
  }

  async update(schedule: MessageSchedule): Promise<void> {
    this.calls.push(`update ${schedule.messageId}`);
    this.maybeFail('update');
    if (!this.schedules.has(schedule.messageId)) throw new ScheduleNotFoundError(schedule.messageId);
    this.schedules.set(schedule.messageId, schedule.at);
  }

  async delete(messageId: string): Promise<void> {
    this.calls.push(`delete ${messageId}`);
    this.maybeFail('delete');
    this.schedules.delete(messageId);
  }

  private maybeFail(operation: 'create' | 'update' | 'delete'): void {
    if (this.failNext === operation) {
      this.failNext = undefined;
      throw new Error(`${operation} failed (injected)`);
    }
  }
}

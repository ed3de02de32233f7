/**
 * Smoke test of `npm start` as a function. It needs the platform simulator
 * (local/simulator/server.ts, `startSimulator({ port })`), and checks only what the local stack
 * itself owns, so it holds whichever handlers are built.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV, queueUrls, tableName } from '../../shared/config';
import { PLATFORM_IDS } from '../../shared/platforms/registry';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { startLocalStack, type LocalStack } from '../../local/start';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

let stack: LocalStack;
const before = { table: process.env[ENV.table], threadsBaseUrl: process.env.HEROLD_THREADS_BASE_URL };

beforeAll(async () => {
  stack = await startLocalStack({
    ...localAwsEndpoints(),
    port: 0,
    simulatorPort: 0,
    tableName: uniqueName('stack'),
    queuePrefix: uniqueName('stack'),
    reconcileIntervalMs: 3_600_000,
    log: () => undefined,
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('startLocalStack', () => {
  it('points the handlers at the local table, queues, credentials and simulator', () => {
    expect(tableName()).toBe(stack.tableName);
    expect(queueUrls()).toEqual(stack.queues);
    // a working copy of the seed's credentials: token renewals never rewrite the tracked file
    expect(process.env[ENV.credentialsFile]).toMatch(/credentials\.json$/);
    expect(process.env[ENV.credentialsFile]).not.toMatch(/local\/seed\//);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack.dynamoEndpoint);
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(stack.sqsEndpoint);
    expect(process.env.AWS_REGION).toBe('eu-central-1');
    for (const id of PLATFORM_IDS)
      expect(process.env[`HEROLD_${id.toUpperCase()}_BASE_URL`]).toBe(`${stack.simulatorUrl}/${id}`);
  });

  it('seeds the channels into the table', async () => {
    const client = localDynamoDocumentClient(stack.dynamoEndpoint);
    try {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: stack.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :org',
          ExpressionAttributeValues: { ':org': 'ORGCHANNELS#city' },
        }),
      );
      expect(Items.map((item) => item.platform).sort()).toEqual([...PLATFORM_IDS].sort());
    } finally {
      client.destroy();
    }
  });

  it('polls both queues of every platform and registers every clocked job', () => {
    expect(stack.eventSources.map((source) => source.queueUrl).sort()).toEqual(
      PLATFORM_IDS.flatMap((id) => [stack.queues[id].normal, stack.queues[id].urgent]).sort(),
    );
    expect(stack.schedules.names().sort()).toEqual([
      'alerts-feed',
      'collect-followers',
      'collect-replies',
      'follower-ages',
      'reconciler',
      'token-health',
    ]);
  });

  it('serves the API behind the token check, and the simulator', async () => {
    const anonymous = await fetch(`${stack.apiUrl}/messages`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${stack.apiUrl}/nowhere`)).status).toBe(404);
    const token = await signToken({ sub: 'u-1', org: 'city', roles: ['editor'] });
    const channels = await fetch(`${stack.apiUrl}/channels`, { headers: { authorization: `Bearer ${token}` } });
    expect(channels.status).not.toBe(401);
    expect((await fetch(`${stack.simulatorUrl}/_sim/posts`)).status).toBe(200);
  });

  it('stops everything and restores the environment', async () => {
    await stack.stop();
    expect(process.env[ENV.table]).toBe(before.table);
    expect(process.env.HEROLD_THREADS_BASE_URL).toBe(before.threadsBaseUrl);
    await expect(fetch(`${stack.apiUrl}/messages`)).rejects.toThrow();
    await expect(fetch(`${stack.simulatorUrl}/_sim/posts`)).rejects.toThrow();
    expect(stack.eventSources.every((source) => source.pollers === 0)).toBe(true);
  });
});

describe('startLocalStack with the publishers in their own process', () => {
  let own: LocalStack | undefined;
  afterAll(async () => {
    await own?.stop();
  });

  it('publishes through the forked publishers, and stops them with the stack', async () => {
    own = await startLocalStack({
      ...localAwsEndpoints(),
      port: 0,
      simulatorPort: 0,
      tableName: uniqueName('own'),
      queuePrefix: uniqueName('own'),
      reconcileIntervalMs: 3_600_000,
      log: () => undefined,
      publishers: 'own-process',
    });
    expect(own.eventSources).toEqual([]);
    const token = await signToken({ sub: 'u-1', org: 'city', roles: ['editor'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${own.apiUrl}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: 'Sperrung der Augustusbrücke', channels: ['city-threads', 'city-mastodon'] }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await vi.waitFor(
      async () => {
        const message = (await (await fetch(`${own!.apiUrl}/messages/${id}`, { headers })).json()) as {
          deliveries: { state: string }[];
        };
        expect(message.deliveries.map((delivery) => delivery.state)).toEqual(['PUBLISHED', 'PUBLISHED']);
      },
      { timeout: 15_000, interval: 100 },
    );

    const queueUrl = own.queues.threads.normal;
    await own.stop();
    // nothing polls any more: a job sent now stays on the queue
    const sqs = localSqsClient(own.sqsEndpoint);
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Attributes.ApproximateNumberOfMessages).toBe('1');
    } finally {
      sqs.destroy();
      own = undefined;
    }
  });
});

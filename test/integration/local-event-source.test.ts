import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localSqsClient } from '../../local/aws';
import { startEventSource, type EventSource, type EventSourceOptions } from '../../local/event-source';
import { queueArn } from '../../local/provision';
import { isolatedQueues } from '../support/local-aws';

let sqs: SQSClient;
/** 30 s visibility as deployed: nothing comes back while a test runs */
let queues: Awaited<ReturnType<typeof isolatedQueues>>;
/** 2 s visibility, for the tests that wait for a retry */
let retryQueues: Awaited<ReturnType<typeof isolatedQueues>>;
const running: EventSource[] = [];

beforeAll(async () => {
  [queues, retryQueues] = await Promise.all([
    isolatedQueues('poller'),
    isolatedQueues('retry', { visibilityTimeoutSeconds: 2 }),
  ]);
  sqs = localSqsClient(queues.sqsEndpoint);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop()));
});
afterAll(() => sqs.destroy());

async function start(
  options: Omit<EventSourceOptions, 'sqs' | 'functionName' | 'log'> & { log?: EventSourceOptions['log'] },
): Promise<EventSource> {
  const source = await startEventSource({ sqs, functionName: 'herold-publish-test', log: () => undefined, ...options });
  running.push(source);
  return source;
}

async function send(queueUrl: string, bodies: string[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records every event a handler saw, by body. */
function recorder(decide: (event: SQSEvent) => SQSBatchResponse | void) {
  const events: SQSEvent[] = [];
  const receipts = new Map<string, number>();
  const handler = async (event: SQSEvent) => {
    events.push(event);
    for (const record of event.Records) receipts.set(record.body, (receipts.get(record.body) ?? 0) + 1);
    return decide(event);
  };
  return { events, receipts, handler };
}

describe('local SQS event source', () => {
  it('hands the handler a real SQSEvent and deletes records that succeeded', async () => {
    const queueUrl = queues.queues.threads.normal;
    const seen = recorder(() => ({ batchItemFailures: [] }));
    await start({ queueUrl, handler: seen.handler, maxConcurrency: 1 });
    const sentAt = Date.now();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"type":"publish"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'job' } },
      }),
    );
    await until(() => seen.events.length === 1);
    const record = seen.events[0]?.Records[0];
    expect(record).toMatchObject({
      body: '{"type":"publish"}',
      eventSource: 'aws:sqs',
      eventSourceARN: await queueArn(sqs, queueUrl),
      awsRegion: 'eu-central-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        kind: { stringValue: 'job', dataType: 'String', stringListValues: [], binaryListValues: [] },
      },
    });
    expect(record?.messageId).toMatch(/\S/);
    expect(record?.receiptHandle).toMatch(/\S/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    await until(async () => (await counts(queueUrl)).inFlight === 0);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('picks a job up within a few tens of milliseconds of the send', async () => {
    const queueUrl = queues.queues.threads.urgent;
    const receivedAt: number[] = [];
    await start({ queueUrl, handler: async () => void receivedAt.push(Date.now()), maxConcurrency: 2 });
    const sentAt = Date.now();
    await send(queueUrl, ['fast']);
    await until(() => receivedAt.length === 1);
    expect((receivedAt[0] ?? Infinity) - sentAt).toBeLessThan(250);
  });

  it('has a waiting long poll answer within a few milliseconds of a send, as SQS does', async () => {
    const QueueUrl = queues.queues.mastodon.urgent;
    const hops: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const received = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
      // sends land at every phase of the emulator's tick
      await new Promise((resolve) => setTimeout(resolve, 20 + (index % 10)));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `hop ${index}` }));
      const sentAt = performance.now();
      const { Messages = [] } = await received;
      hops.push(performance.now() - sentAt);
      expect(Messages.map((message) => message.Body)).toEqual([`hop ${index}`]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages[0]?.ReceiptHandle }));
    }
    // With the emulator's own 10 ms tick the median hop takes 6–10 ms.
    const median = hops.sort((a, b) => a - b)[Math.floor(hops.length / 2)] ?? Infinity;
    expect(median).toBeLessThan(4.5);
  });

  it('leaves batchItemFailures on the queue and hands them over again after the visibility timeout', async () => {
    const queueUrl = retryQueues.queues.mastodon.normal;
    const seen = recorder((event) => ({
      batchItemFailures: event.Records.filter(
        (record) => record.body === 'fail-once' && record.attributes.ApproximateReceiveCount === '1',
      ).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    }));
    await start({ queueUrl, handler: seen.handler, maxConcurrency: 1, batchSize: 10, batchingWindowSeconds: 1 });
    await send(queueUrl, ['ok-1', 'fail-once', 'ok-2']);
    await until(() => seen.receipts.get('fail-once') === 2);
    expect(seen.events[0]?.Records.map((record) => record.body).sort()).toEqual(['fail-once', 'ok-1', 'ok-2']);
    const retry = seen.events.find((event) =>
      event.Records.some((record) => record.body === 'fail-once' && record.attributes.ApproximateReceiveCount === '2'),
    );
    expect(retry?.Records.map((record) => record.body)).toEqual(['fail-once']);
    expect(seen.receipts.get('ok-1')).toBe(1);
    expect(seen.receipts.get('ok-2')).toBe(1);
    await until(async () => (await counts(queueUrl)).inFlight === 0);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('retries the whole batch when the handler throws', async () => {
    const queueUrl = retryQueues.queues.bluesky.normal;
    let calls = 0;
    const seen = recorder(() => {
      calls++;
      if (calls === 1) throw new Error('cold start failed');
    });
    await start({ queueUrl, handler: seen.handler, maxConcurrency: 1, batchSize: 10, batchingWindowSeconds: 1 });
    await send(queueUrl, ['a', 'b']);
    await until(() => seen.receipts.get('a') === 2 && seen.receipts.get('b') === 2);
    expect(seen.events[0]?.Records).toHaveLength(2);
    await until(async () => (await counts(queueUrl)).inFlight === 0);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch, as Lambda does', async () => {
    const queueUrl = retryQueues.queues.telegram.normal;
    const seen = recorder((event) =>
      event.Records[0]?.attributes.ApproximateReceiveCount === '1'
        ? { batchItemFailures: [{ itemIdentifier: 'no-such-id' }] }
        : undefined,
    );
    await start({ queueUrl, handler: seen.handler, maxConcurrency: 1 });
    await send(queueUrl, ['x']);
    await until(() => seen.receipts.get('x') === 2);
  });

  it('fails a batch whose invocation runs past the function timeout, as Lambda does', async () => {
    const queueUrl = retryQueues.queues.pinterest.normal;
    const invocations: SQSEvent[] = [];
    const remaining: number[] = [];
    await start({
      queueUrl,
      maxConcurrency: 2,
      timeoutSeconds: 1,
      handler: async (event, context) => {
        invocations.push(event);
        remaining.push(context.getRemainingTimeInMillis());
        if (invocations.length === 1) await new Promise((resolve) => setTimeout(resolve, 1500));
      },
    });
    await send(queueUrl, ['slow-once']);
    await until(() => invocations.length === 2);
    expect(invocations.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(Math.max(...remaining)).toBeLessThanOrEqual(1000);
    await until(async () => {
      const { visible, inFlight } = await counts(queueUrl);
      return visible + inFlight === 0;
    });
    expect(invocations).toHaveLength(2);
  });

  it('moves a job that keeps failing to the DLQ after five receives', async () => {
    const queueUrl = retryQueues.queues.x.normal;
    const dlqUrl = retryQueues.deadLetterQueues.x.normal;
    const seen = recorder((event) => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    }));
    await start({ queueUrl, handler: seen.handler, maxConcurrency: 1 });
    await send(queueUrl, ['poison']);
    await until(async () => (await counts(dlqUrl)).visible === 1, 30_000);
    expect(seen.receipts.get('poison')).toBe(5);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    expect(Messages[0]?.Body).toBe('poison');
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('scales out to maxConcurrency, and no further, while jobs keep coming', async () => {
    const queueUrl = queues.queues.facebook.urgent;
    let active = 0;
    let peak = 0;
    const gate = Promise.withResolvers<void>();
    const source = await start({
      queueUrl,
      maxConcurrency: 3,
      handler: async () => {
        active++;
        peak = Math.max(peak, active);
        await gate.promise;
        active--;
      },
    });
    try {
      await send(queueUrl, ['1', '2', '3', '4', '5']);
      await until(() => active === 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(peak).toBe(3);
      expect(source.inFlight).toBe(3);
      expect(source.pollers).toBe(3);
    } finally {
      gate.resolve();
    }
    await until(async () => {
      const { visible, inFlight } = await counts(queueUrl);
      return visible + inFlight === 0;
    });
    expect(peak).toBe(3);
  });

  it('stop() waits for the batch in flight and deletes it when it succeeds', async () => {
    const queueUrl = queues.queues.linkedin.normal;
    const finish = Promise.withResolvers<void>();
    let started = false;
    const source = await start({
      queueUrl,
      maxConcurrency: 1,
      handler: async () => {
        started = true;
        await finish.promise;
      },
    });
    await send(queueUrl, ['slow']);
    await until(() => started);
    let stopped = false;
    const stopping = source.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    finish.resolve();
    await stopping;
    expect(source.inFlight).toBe(0);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});

/** Redrive: dead-letter jobs go back to their queue and meet the same claim as any other job. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import type { LocalStack } from '../../local/start';
import type { Delivery, Message } from '../../shared/model/schemas';
import { redrivePlatform } from '../../shared/queue/redrive';
import type { Store } from '../../shared/store/client';
import { getDelivery, putMessageWithDeliveries } from '../../shared/store/messages';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
let store: Store;

beforeAll(async () => {
  stack = await startIsolatedStack('redrive');
  store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
}, 120_000);
afterAll(async () => stack?.stop());

async function deliveryIn(state: Delivery['state'], id: string, extra: Partial<Delivery> = {}): Promise<void> {
  const createdAt = new Date().toISOString();
  const message: Message = {
    id,
    org: 'city',
    kind: 'post',
    priority: 'normal',
    text: `Redrive ${id}`,
    media: [],
    createdBy: 'anna',
    createdAt,
    channelIds: ['city-threads'],
  };
  await putMessageWithDeliveries(store, message, [
    {
      messageId: id,
      channelId: 'city-threads',
      org: 'city',
      platform: 'threads',
      priority: 'normal',
      state,
      renderedText: `Redrive ${id}`,
      attempts: 5,
      version: 5,
      createdAt,
      updatedAt: createdAt,
      ...extra,
    },
  ]);
}

it('publishes a delivery that gave up after its retries once its job is redriven, and never re-posts a published one', async () => {
  await deliveryIn('FAILED', 'REDRIVE1', {
    retriesExhausted: true,
    lastError: { class: 'retryable', detail: 'gave up after 5 attempts: HTTP 500' },
  });
  await deliveryIn('PUBLISHED', 'REDRIVE2', { remoteId: 'already-there' });
  const sqs = localSqsClient(stack.sqsEndpoint);
  for (const messageId of ['REDRIVE1', 'REDRIVE2']) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.deadLetterQueues.threads.normal,
        MessageBody: JSON.stringify({ type: 'publish', messageId, channelId: 'city-threads' }),
      }),
    );
  }
  const started = await redrivePlatform(sqs, 'threads', ['normal']);
  expect(started).toEqual([expect.objectContaining({ lane: 'normal', messages: 2 })]);

  let delivery: Delivery | undefined;
  for (let attempt = 0; attempt < 150 && delivery?.state !== 'PUBLISHED'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    delivery = await getDelivery(store, 'REDRIVE1', 'city-threads');
  }
  expect(delivery).toMatchObject({ state: 'PUBLISHED', attempts: 6 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts?platform=threads`)).json()) as { text: string }[];
  expect(posts.filter((post) => post.text === 'Redrive REDRIVE1')).toHaveLength(1);
  expect(posts.filter((post) => post.text === 'Redrive REDRIVE2')).toHaveLength(0);
  expect(await getDelivery(store, 'REDRIVE2', 'city-threads')).toMatchObject({
    state: 'PUBLISHED',
    remoteId: 'already-there',
    version: 5,
  });
});

/**
 * The channel's publishing budget and the publish call. A client that prepares first (a Threads or
 * Instagram media container, which nobody can see) gets the budget taken alongside its preparation
 * and must not make the post before the budget is granted; any other client is called only once
 * the budget is granted. Out of budget, nothing is posted and the delivery waits for the window.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/model/schemas';
import type { PlatformClient, PublishContext } from '../../shared/platforms/client';
import { processPublishJob, type PublishDeps } from '../../shared/publishing/publish';
import type { Store } from '../../shared/store/client';
import { getDelivery } from '../../shared/store/messages';
import { takeQuota } from '../../shared/store/quota';
import { localDynamoDocumentClient } from '../../local/aws';
import { seedChannels } from '../../local/seed';
import { isolatedTable } from '../support/local-aws';
import { publishDeps, putOneDelivery } from '../support/publishing';

/** Five posts a day; routine posts may use four, the fifth is the emergency reserve. */
const QUOTA = { limit: 5, windowSeconds: 86_400, note: 'test' };
const now = Date.parse('2026-03-01T10:00:00.000Z');
let store: Store;
/** when the budget's conditional update came back, per channel */
const budgetAnsweredAt = new Map<string, number>();

const channel = (id: string, platform: 'threads' | 'mastodon'): Channel => ({
  id,
  org: 'city',
  platform,
  handle: '@dresden',
  state: 'active',
  account: '@dresden',
  credentialsRef: `local:${id}`,
  quota: QUOTA,
});

beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('budget');
  const doc = localDynamoDocumentClient(dynamoEndpoint);
  // The budget's update answers late, so a client that starts before it answers is plainly seen to.
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  const slowBudget = new Proxy(doc, {
    get: (target, property, receiver) =>
      property === 'send'
        ? async (command: unknown) => {
            const key =
              command instanceof UpdateCommand ? (command.input.Key as { PK?: string } | undefined) : undefined;
            if (!key?.PK?.startsWith('QUOTA#')) return send(command);
            await new Promise((resolve) => setTimeout(resolve, 150));
            const result = await send(command).finally(() =>
              budgetAnsweredAt.set(key.PK!.slice('QUOTA#'.length), performance.now()),
            );
            return result;
          }
        : Reflect.get(target, property, receiver),
  });
  store = { doc: slowBudget, table: tableName };
  await seedChannels(tableName, {
    dynamoEndpoint,
    channels: ['threads-open', 'threads-spent', 'mastodon-open', 'mastodon-spent'].map((id) =>
      channel(id, id.startsWith('threads') ? 'threads' : 'mastodon'),
    ),
  });
});
afterAll(() => store?.doc.destroy());

const queuedDelivery = (messageId: string, target: Channel) =>
  putOneDelivery(store, {
    messageId,
    channel: target,
    text: 'Stadtratssitzung',
    state: 'QUEUED',
    createdAt: new Date(now),
  });

async function useUpRoutineBudget(channelId: string): Promise<void> {
  for (let post = 0; post < 4; post += 1)
    expect((await takeQuota(store, channelId, QUOTA, 'normal', { now })).ok).toBe(true);
}

/** Records when it was called, prepares a container (checkpointed), then posts once it is clear to. */
function containerClient(platform: 'threads') {
  const calls = { startedAt: 0, posted: 0 };
  const client: PlatformClient = {
    platform,
    preparesBeforePublishing: true,
    async publish(_request, context: PublishContext) {
      calls.startedAt = performance.now();
      await context.saveCheckpoint({ containerId: 'container-1' });
      await context.clearToPublish();
      calls.posted += 1;
      return { remoteId: 'post-1' };
    },
    findPublished: async () => null,
    followerCount: async () => 0,
  };
  return { client, calls };
}

function directClient(platform: 'mastodon') {
  const calls = { startedAt: 0, posted: 0 };
  const client: PlatformClient = {
    platform,
    async publish() {
      calls.startedAt = performance.now();
      calls.posted += 1;
      return { remoteId: 'status-1' };
    },
    findPublished: async () => null,
    followerCount: async () => 0,
  };
  return { client, calls };
}

const deps = (platform: PublishDeps['platform'], client: PlatformClient) => publishDeps(store, platform, client, now);

describe('a client that prepares before it posts', () => {
  it('prepares while the budget is being taken, and posts once it is granted', async () => {
    await queuedDelivery('msg-threads-open', channel('threads-open', 'threads'));
    const { client, calls } = containerClient('threads');
    const outcome = await processPublishJob(
      { type: 'publish', messageId: 'msg-threads-open', channelId: 'threads-open' },
      1,
      deps('threads', client),
    );
    expect(outcome).toMatchObject({ kind: 'settled', state: 'PUBLISHED' });
    expect(calls.posted).toBe(1);
    expect(calls.startedAt).toBeLessThan(budgetAnsweredAt.get('threads-open')!);
  });

  it('does not post when the budget is used up: the container is kept and the delivery waits for the next window', async () => {
    await useUpRoutineBudget('threads-spent');
    await queuedDelivery('msg-threads-spent', channel('threads-spent', 'threads'));
    const { client, calls } = containerClient('threads');
    const outcome = await processPublishJob(
      { type: 'publish', messageId: 'msg-threads-spent', channelId: 'threads-spent' },
      1,
      deps('threads', client),
    );
    expect(outcome).toMatchObject({ kind: 'retry', errorClass: 'quota', state: 'RETRYING' });
    expect(calls.posted).toBe(0);
    expect(await getDelivery(store, 'msg-threads-spent', 'threads-spent')).toMatchObject({
      state: 'RETRYING',
      waitingFor: 'quota',
      checkpoint: { containerId: 'container-1' },
      notBefore: now - (now % 86_400_000) + 86_400_000,
    });
  });
});

describe('a client that posts at once', () => {
  it('is called only after the budget is granted', async () => {
    await queuedDelivery('msg-mastodon-open', channel('mastodon-open', 'mastodon'));
    const { client, calls } = directClient('mastodon');
    expect(
      await processPublishJob(
        { type: 'publish', messageId: 'msg-mastodon-open', channelId: 'mastodon-open' },
        1,
        deps('mastodon', client),
      ),
    ).toMatchObject({ kind: 'settled', state: 'PUBLISHED' });
    expect(calls.startedAt).toBeGreaterThanOrEqual(budgetAnsweredAt.get('mastodon-open')!);
  });

  it('is not called at all when the budget is used up', async () => {
    await useUpRoutineBudget('mastodon-spent');
    await queuedDelivery('msg-mastodon-spent', channel('mastodon-spent', 'mastodon'));
    const { client, calls } = directClient('mastodon');
    expect(
      await processPublishJob(
        { type: 'publish', messageId: 'msg-mastodon-spent', channelId: 'mastodon-spent' },
        1,
        deps('mastodon', client),
      ),
    ).toMatchObject({ kind: 'retry', errorClass: 'quota' });
    expect(calls).toEqual({ startedAt: 0, posted: 0 });
  });
});

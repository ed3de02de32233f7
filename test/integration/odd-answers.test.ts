/**
 * Odd answers never leave a delivery in limbo. The case first seen against a Mastodon-compatible
 * server (not the simulator): it lost the answer to POST /api/v1/statuses and answered
 * GET /api/v1/accounts/:id/statuses with a JSON object instead of a list. The deliveries stayed in
 * PUBLISHING, attempts growing, no error recorded. Now each lookup fails with a readable reason and
 * counts, and the delivery reaches HANDOFF within five minutes under the deployed timings.
 *
 * The queue is played by a small loop on a simulated clock: every wait the publisher asks for
 * (SQS visibility, a fresh delayed job) moves the clock, and the reconciler runs once a simulated
 * minute, as its schedule does. So the deployed lease, verify delay and backoff are used as they
 * are, and the test still takes seconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Delivery } from '../../shared/model/schemas';
import { PlatformError, UNEXPECTED_ANSWER_CODE, type PlatformClient } from '../../shared/platforms/client';
import { mastodonClient } from '../../shared/platforms/clients/mastodon';
import { MAX_LOOKUPS_IN_DOUBT, processPublishJob, type PublishDeps } from '../../shared/publishing/publish';
import { LEASE_EXPIRED_CODE, reconcile } from '../../shared/reconcile/reconcile';
import type { Store } from '../../shared/store/client';
import { claimDelivery } from '../../shared/store/deliveries';
import { getDelivery } from '../../shared/store/messages';
import { localDynamoDocumentClient } from '../../local/aws';
import { seedChannels } from '../../local/seed';
import { isolatedTable } from '../support/local-aws';
import { putOneDelivery } from '../support/publishing';

const channel: Channel = {
  id: 'city-mastodon',
  org: 'city',
  platform: 'mastodon',
  handle: '@stadt',
  state: 'active',
  account: 'https://dresden.example/@stadt',
  credentialsRef: 'local:city-mastodon',
  quota: { limit: 10_000, windowSeconds: 24 * 60 * 60, note: 'raised: budgets are tested elsewhere' },
};
const TOKEN = 'odd-server-token-0123456789';

/** A Mastodon-compatible server with the two quirks of the reported case. */
class OddServer {
  readonly posts: { key: string; text: string }[] = [];
  answeredPosts = 0;
  /** how many status posts lose their answer (the server keeps the post, the socket closes) */
  constructor(private readonly lostAnswers: number) {}
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const path = new URL(request.url ?? '/', 'http://odd').pathname;
        if (request.headers.authorization !== `Bearer ${TOKEN}`) {
          response
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"error":"The access token is invalid"}');
          return;
        }
        if (request.method === 'POST' && path === '/api/v1/statuses') {
          const text = new URLSearchParams(body).get('status') ?? '';
          const id = String(100 + this.posts.length);
          this.posts.push({ key: String(request.headers['idempotency-key']), text });
          if (this.posts.length <= this.lostAnswers) {
            request.socket.destroy();
            return;
          }
          this.answeredPosts += 1;
          const status = { id, uri: `${this.url}/statuses/${id}`, url: `${this.url}/@stadt/${id}`, content: text };
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
          return;
        }
        if (request.method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ id: '1', username: 'stadt', followers_count: 12 }));
          return;
        }
        if (request.method === 'GET' && path === '/api/v1/accounts/1/statuses') {
          // the list, wrapped in an object: a client that trusts the shape throws a TypeError here
          const statuses = this.posts.map((post, index) => ({
            id: String(100 + index),
            content: `<p>${post.text}</p>`,
          }));
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statuses }));
          return;
        }
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Record not found"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

let store: Store;
beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('odd-answers');
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName };
  await seedChannels(tableName, { dynamoEndpoint, channels: [channel] });
});
afterAll(() => store?.doc.destroy());

/** The deployed timings (functions/publish: HEROLD_LEASE_MS, HEROLD_MAX_RECEIVE_COUNT …), on a simulated clock. */
const deployedDeps = (client: PlatformClient, clock: { now: number }): PublishDeps => ({
  store,
  platform: 'mastodon',
  client,
  credentials: async () => ({ accessToken: TOKEN }),
  now: () => clock.now,
  leaseMs: 60_000,
  maxReceiveCount: 5,
  requestTimeoutMs: 10_000,
  maxBackoffSeconds: 300,
});

interface QueuedJob {
  messageId: string;
  visibleAt: number;
  receives: number;
}

/**
 * Plays SQS and the reconciler's schedule on the simulated clock until every delivery has settled
 * or the horizon passes.
 */
async function runQueue(
  jobs: QueuedJob[],
  deps: PublishDeps,
  clock: { now: number },
  horizonMs: number,
  watched: string[] = jobs.map((job) => job.messageId),
): Promise<void> {
  const end = clock.now + horizonMs;
  let nextReconcile = clock.now + 60_000;
  while (clock.now <= end) {
    const due = jobs.filter((job) => job.visibleAt <= clock.now);
    for (const job of due) {
      job.receives += 1;
      const outcome = await processPublishJob(
        { type: 'publish', messageId: job.messageId, channelId: channel.id },
        job.receives,
        deps,
      );
      jobs.splice(jobs.indexOf(job), 1);
      // past maxReceiveCount SQS moves a job that is offered again to the dead-letter queue
      if (outcome.kind === 'retry' && job.receives < deps.maxReceiveCount)
        jobs.push({ ...job, visibleAt: clock.now + outcome.afterSeconds * 1000 });
      if (outcome.kind === 'requeue')
        jobs.push({ messageId: job.messageId, visibleAt: clock.now + outcome.afterSeconds * 1000, receives: 0 });
    }
    if (clock.now >= nextReconcile) {
      nextReconcile += 60_000;
      await reconcile(store, {
        now: clock.now,
        send: async (sent) => {
          for (const { job } of sent)
            if (job.type === 'publish') jobs.push({ messageId: job.messageId, visibleAt: clock.now, receives: 0 });
          return [];
        },
      });
    }
    const current = await Promise.all(watched.map((id) => getDelivery(store, id, channel.id)));
    if (current.every((delivery) => delivery && isSettled(delivery))) break;
    clock.now += 1_000;
  }
}

const isSettled = (delivery: Delivery) => ['PUBLISHED', 'FAILED', 'SKIPPED', 'HANDOFF'].includes(delivery.state);
const FIVE_MINUTES = 5 * 60_000;

describe('a Mastodon-compatible server that loses the create answer and lists statuses in an object', () => {
  let server: OddServer;
  beforeAll(async () => {
    server = new OddServer(3);
    await server.start();
    process.env.HEROLD_MASTODON_BASE_URL = server.url;
  });
  afterAll(async () => {
    delete process.env.HEROLD_MASTODON_BASE_URL;
    await server.stop();
  });

  it('hands each delivery in doubt to a person within five minutes, with the reason, and never posts twice', async () => {
    const start = Date.parse('2026-05-04T08:00:00.000Z');
    const clock = { now: start };
    const ids = ['odd-1', 'odd-2', 'odd-3', 'odd-4'];
    for (const [index, messageId] of ids.entries())
      await putOneDelivery(store, {
        messageId,
        channel,
        text: `Sperrung der Augustusbrücke, Meldung ${index + 1}`,
        state: 'QUEUED',
        createdAt: new Date(start),
      });
    await runQueue(
      ids.map((messageId) => ({ messageId, visibleAt: start, receives: 0 })),
      deployedDeps(mastodonClient, clock),
      clock,
      30 * 60_000,
    );

    const deliveries = await Promise.all(ids.map((id) => getDelivery(store, id, channel.id)));
    const states = deliveries.map((delivery) => delivery?.state);
    // three answers were lost: those three go to a person; the fourth got its answer
    expect(states.filter((state) => state === 'HANDOFF')).toHaveLength(3);
    expect(states.filter((state) => state === 'PUBLISHED')).toHaveLength(1);
    for (const delivery of deliveries.filter((candidate) => candidate?.state === 'HANDOFF')) {
      expect(delivery).toMatchObject({
        reason: expect.stringMatching(
          new RegExp(`${MAX_LOOKUPS_IN_DOUBT} lookups in a row could not tell whether Mastodon has the post`),
        ),
        lastError: {
          class: 'retryable',
          code: UNEXPECTED_ANSWER_CODE,
          detail: expect.stringContaining('Mastodon list recent statuses: expected an array at $, got an object'),
        },
      });
      expect(delivery?.lastError?.detail).not.toContain(TOKEN);
      // one create attempt, then the five lookups: never a blind second post
      expect(delivery?.attempts).toBe(1 + MAX_LOOKUPS_IN_DOUBT);
      // the lookups left the moment of the last attempt to publish as it was
      expect(delivery?.publishTriedAt).toBe(start);
      expect(Date.parse(delivery!.updatedAt) - start).toBeLessThanOrEqual(FIVE_MINUTES);
    }
    // every delivery was posted exactly once
    expect(server.posts.map((post) => post.key).sort()).toEqual(ids.map((id) => `${id}:${channel.id}`).sort());
  });

  it('hands over within five minutes too when the publisher died mid-attempt: the lease runs out, the reconciler says why', async () => {
    const start = Date.parse('2026-05-04T09:00:00.000Z');
    const clock = { now: start };
    await putOneDelivery(store, {
      messageId: 'odd-crashed',
      channel,
      text: 'Hochwasserwarnung für die Elbe',
      state: 'QUEUED',
      createdAt: new Date(start),
    });
    // an attempt claims it and dies before it records anything (its request may have gone out)
    expect(
      (await claimDelivery(store, { messageId: 'odd-crashed', channelId: channel.id }, { now: start, leaseMs: 60_000 }))
        .claimed,
    ).toBe(true);
    const reasons: (Delivery['lastError'] | undefined)[] = [];
    const watching: PlatformClient = {
      ...mastodonClient,
      async findPublished(request, context) {
        reasons.push((await getDelivery(store, 'odd-crashed', channel.id))?.lastError);
        return mastodonClient.findPublished(request, context);
      },
    };
    await runQueue([], deployedDeps(watching, clock), clock, 30 * 60_000, ['odd-crashed']);
    const delivery = await getDelivery(store, 'odd-crashed', channel.id);
    expect(delivery).toMatchObject({ state: 'HANDOFF', reason: expect.stringMatching(/check the channel/) });
    // the first lookup ran on the reconciler's reason for taking the delivery back
    expect(reasons[0]).toMatchObject({ class: 'ambiguous', code: LEASE_EXPIRED_CODE });
    expect(Date.parse(delivery!.updatedAt) - start).toBeLessThanOrEqual(FIVE_MINUTES);
  });
  it('hands a delivery whose every attempt dies to a person instead of taking it back for ever', async () => {
    const start = Date.parse('2026-05-04T09:30:00.000Z');
    const clock = { now: start };
    const ref = { messageId: 'odd-crash-loop', channelId: channel.id };
    await putOneDelivery(store, {
      messageId: ref.messageId,
      channel,
      text: 'Sperrung der Albertbrücke',
      state: 'QUEUED',
      createdAt: new Date(start),
    });
    // each attempt claims the delivery and dies (a crash, a timeout) before it records anything
    for (let died = 0; died < MAX_LOOKUPS_IN_DOUBT; died += 1) {
      expect((await claimDelivery(store, ref, { now: clock.now, leaseMs: 60_000 })).claimed).toBe(true);
      clock.now += 3 * 60_000;
      await reconcile(store, { now: clock.now, send: async () => [] });
    }
    expect(await getDelivery(store, ref.messageId, ref.channelId)).toMatchObject({
      state: 'VERIFY',
      lookupsInDoubt: MAX_LOOKUPS_IN_DOUBT,
    });
    const calls: string[] = [];
    const counting: PlatformClient = {
      ...mastodonClient,
      async publish(request, context) {
        calls.push('publish');
        return mastodonClient.publish(request, context);
      },
      async findPublished(request, context) {
        calls.push('lookup');
        return mastodonClient.findPublished(request, context);
      },
    };
    const outcome = await processPublishJob({ type: 'publish', ...ref }, 1, deployedDeps(counting, clock));
    expect(outcome).toMatchObject({ kind: 'settled', state: 'HANDOFF' });
    expect(calls, 'the attempt that might die again is not made').toEqual([]);
    expect(await getDelivery(store, ref.messageId, ref.channelId)).toMatchObject({
      state: 'HANDOFF',
      reason: expect.stringMatching(/^5 attempts in a row stopped .*check the channel/),
      lastError: { code: LEASE_EXPIRED_CODE },
    });
  });
});

describe('a surprise out of a client, classed by where it struck', () => {
  const start = Date.parse('2026-05-04T10:00:00.000Z');
  const surprising = (where: 'preparing' | 'sent' | 'lookup', counts: { publishes: number }): PlatformClient => ({
    platform: 'mastodon',
    async publish(_request, context) {
      counts.publishes += 1;
      if (where === 'sent') await context.clearToPublish();
      // what `undefined.find(…)` on an answer of the wrong shape used to do
      throw new TypeError("Cannot read properties of undefined (reading 'find')");
    },
    async findPublished() {
      if (where === 'lookup')
        throw new PlatformError('retryable', 'Mastodon list recent statuses: expected an array at $', {
          code: UNEXPECTED_ANSWER_CODE,
        });
      return null;
    },
    followerCount: async () => 0,
  });

  it('before the irreversible request: retried with backoff, FAILED with the reason when the attempts run out', async () => {
    await putOneDelivery(store, {
      messageId: 'surprise-prep',
      channel,
      text: 'a',
      state: 'QUEUED',
      createdAt: new Date(start),
    });
    const counts = { publishes: 0 };
    const clock = { now: start };
    await runQueue(
      [{ messageId: 'surprise-prep', visibleAt: start, receives: 0 }],
      deployedDeps(surprising('preparing', counts), clock),
      clock,
      30 * 60_000,
    );
    const delivery = await getDelivery(store, 'surprise-prep', channel.id);
    expect(delivery).toMatchObject({
      state: 'FAILED',
      retriesExhausted: true,
      lastError: {
        class: 'retryable',
        code: 'UNEXPECTED_ERROR',
        detail: expect.stringMatching(
          /^gave up after 5 attempts: Mastodon client failed unexpectedly \(TypeError: Cannot read/,
        ),
      },
    });
    expect(counts.publishes).toBe(5);
    expect(Date.parse(delivery!.updatedAt) - start).toBeLessThanOrEqual(FIVE_MINUTES);
  });

  it('after the irreversible request: ambiguous, so the next attempt looks before it publishes', async () => {
    await putOneDelivery(store, {
      messageId: 'surprise-sent',
      channel,
      text: 'b',
      state: 'QUEUED',
      createdAt: new Date(start),
    });
    const counts = { publishes: 0 };
    const outcome = await processPublishJob(
      { type: 'publish', messageId: 'surprise-sent', channelId: channel.id },
      1,
      deployedDeps(surprising('sent', counts), { now: start }),
    );
    expect(outcome).toMatchObject({ kind: 'retry', state: 'VERIFY', errorClass: 'ambiguous' });
    expect(await getDelivery(store, 'surprise-sent', channel.id)).toMatchObject({
      state: 'VERIFY',
      lastError: { class: 'ambiguous', code: 'UNEXPECTED_ERROR' },
    });
  });

  it('during a lookup: a failed lookup that counts towards the hand-off, never a publish', async () => {
    await putOneDelivery(store, {
      messageId: 'surprise-lookup',
      channel,
      text: 'c',
      state: 'VERIFY',
      createdAt: new Date(start),
    });
    const counts = { publishes: 0 };
    const clock = { now: start };
    await runQueue(
      [{ messageId: 'surprise-lookup', visibleAt: start, receives: 0 }],
      deployedDeps(surprising('lookup', counts), clock),
      clock,
      30 * 60_000,
    );
    expect(counts.publishes).toBe(0);
    expect(await getDelivery(store, 'surprise-lookup', channel.id)).toMatchObject({
      state: 'HANDOFF',
      attempts: MAX_LOOKUPS_IN_DOUBT,
      lastError: { class: 'retryable', code: UNEXPECTED_ANSWER_CODE },
    });
  });
});

/** The conditional writes everything rests on, against DynamoDB Local. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import type { Delivery, Message } from '../../shared/model/schemas';
import type { Store } from '../../shared/store/client';
import {
  claimDelivery,
  dueOpenDeliveries,
  recordPending,
  recordPublished,
  saveCheckpoint,
} from '../../shared/store/deliveries';
import { getMessageWithDeliveries, markQueued, putMessageWithDeliveries } from '../../shared/store/messages';
import { keys } from '../../shared/store/keys';
import { takeQuota } from '../../shared/store/quota';
import { beginIdempotent, completeIdempotent } from '../../shared/messages/idempotency';
import { LEASE_EXPIRED_CODE, reconcile } from '../../shared/reconcile/reconcile';
import { putChannel } from '../../shared/store/channels';
import { createMessage } from '../../shared/intake/create-message';
import { CreateMessageSchema } from '../../shared/model/schemas';
import type { QueuedJob } from '../../shared/queue/jobs';
import { isolatedTable } from '../support/local-aws';

let store: Store;
beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('store');
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName };
});

let counter = 0;
async function newDelivery(createdAt = new Date()): Promise<{ messageId: string; channelId: string }> {
  counter += 1;
  const messageId = `M${Date.now()}${counter}`;
  const message: Message = {
    id: messageId,
    org: 'city',
    kind: 'post',
    priority: 'normal',
    text: 'Hallo',
    media: [],
    createdBy: 'anna',
    createdAt: createdAt.toISOString(),
    channelIds: ['city-threads'],
  };
  const delivery: Delivery = {
    messageId,
    channelId: 'city-threads',
    org: 'city',
    platform: 'threads',
    priority: 'normal',
    state: 'PENDING',
    renderedText: 'Hallo',
    attempts: 0,
    version: 0,
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
  };
  await putMessageWithDeliveries(store, message, [delivery]);
  return { messageId, channelId: 'city-threads' };
}

describe('claiming a delivery', () => {
  it('lets exactly one of many concurrent claims win', async () => {
    const ref = await newDelivery();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => claimDelivery(store, ref, { now: Date.now(), leaseMs: 60_000 })),
    );
    expect(outcomes.filter((outcome) => outcome.claimed)).toHaveLength(1);
    expect(
      outcomes
        .filter((outcome) => !outcome.claimed)
        .every((outcome) => !outcome.claimed && outcome.current?.state === 'PUBLISHING'),
    ).toBe(true);
  });

  it('refuses a published delivery, and a live lease, but takes over an expired one and says so', async () => {
    const ref = await newDelivery();
    const now = Date.now();
    const first = await claimDelivery(store, ref, { now, leaseMs: 1000 });
    expect(first.claimed).toBe(true);
    expect((await claimDelivery(store, ref, { now: now + 500, leaseMs: 1000 })).claimed).toBe(false);
    const takeover = await claimDelivery(store, ref, { now: now + 1500, leaseMs: 1000 });
    expect(takeover).toMatchObject({
      claimed: true,
      delivery: { previousState: 'PUBLISHING', attempts: 2, version: 2 },
    });
    // the first claim's holder lost its lease: it can no longer settle or checkpoint the delivery
    expect(await recordPublished(store, { ...ref, version: 1 }, { remoteId: 'late' }, now + 1600)).toBe(false);
    expect(await saveCheckpoint(store, { ...ref, version: 1 }, { containerId: 'c1' }, now + 1600)).toBe(false);
    expect(
      await recordPublished(
        store,
        { ...ref, version: 2 },
        { remoteId: 'r1', remoteUrl: 'https://www.threads.net/@x/post/1' },
        now + 1600,
      ),
    ).toBe(true);
    expect((await claimDelivery(store, ref, { now: now + 999_999, leaseMs: 1000 })).claimed).toBe(false);
    const stored = await getMessageWithDeliveries(store, ref.messageId);
    expect(stored?.deliveries[0]).toMatchObject({ state: 'PUBLISHED', remoteId: 'r1' });
  });

  it('never moves a delivery back to QUEUED once a publisher has it', async () => {
    const ref = await newDelivery();
    await claimDelivery(store, ref, { now: Date.now(), leaseMs: 60_000 });
    await markQueued(store, ref, new Date());
    expect((await getMessageWithDeliveries(store, ref.messageId))?.deliveries[0]?.state).toBe('PUBLISHING');
  });
});

describe('the reconciler', () => {
  it('re-sends a delivery left PENDING past the threshold, and turns an expired lease into VERIFY', async () => {
    const stuck = await newDelivery(new Date(Date.now() - 5 * 60_000));
    const leased = await newDelivery(new Date(Date.now() - 5 * 60_000));
    const claim = await claimDelivery(store, leased, { now: Date.now() - 4 * 60_000, leaseMs: 1000 });
    expect(claim.claimed).toBe(true);
    const sent: QueuedJob[] = [];
    const report = await reconcile(store, { send: async (jobs) => (sent.push(...jobs), []) });
    const resent = sent.map((job) => (job.job.type === 'publish' ? job.job.messageId : ''));
    expect(resent).toContain(stuck.messageId);
    expect(resent).toContain(leased.messageId);
    expect(report.verify).toBeGreaterThanOrEqual(1);
    // and says why: the attempt that held the lease never recorded an outcome; it went straight to
    // publishing, so it is the delivery's last attempt to publish
    const taken = (await getMessageWithDeliveries(store, leased.messageId))?.deliveries[0];
    expect(taken?.publishTriedAt).toBe(Date.parse(claim.claimed ? claim.delivery.updatedAt : ''));
    expect(taken).toMatchObject({
      state: 'VERIFY',
      lastError: {
        class: 'ambiguous',
        code: LEASE_EXPIRED_CODE,
        detail: expect.stringMatching(/attempt 1 was still unfinished when its lease ran out at .*looked up before/),
      },
    });
    // looked at: not due again for a while
    const due = await dueOpenDeliveries(store, Date.now());
    expect(due.deliveries.map((open) => open.delivery.messageId)).not.toContain(stuck.messageId);
  });

  it('looks at a claimed delivery when its lease ends, also when its entry was due later', async () => {
    const checkKey = async (ref: { messageId: string; channelId: string }) =>
      (
        await store.doc.send(
          new GetCommand({ TableName: store.table, Key: keys.delivery(ref.messageId, ref.channelId) }),
        )
      ).Item?.OPENSK;
    const now = Date.now();
    // a fresh delivery is due before a lease of its first claim ends: the claim leaves its entry alone
    const fresh = await newDelivery(new Date(now));
    const written = await checkKey(fresh);
    expect((await claimDelivery(store, fresh, { now, leaseMs: 60_000 })).claimed).toBe(true);
    expect(await checkKey(fresh)).toBe(written);

    // a publisher dies; the reconciler takes the delivery back and sends it again, due again in minutes
    const ref = await newDelivery(new Date(now - 5 * 60_000));
    expect((await claimDelivery(store, ref, { now: now - 4 * 60_000, leaseMs: 1000 })).claimed).toBe(true);
    await reconcile(store, { now, send: async () => [] });
    expect(await checkKey(ref)).toBe(keys.openDeliveriesSort(now + 2 * 60_000, ref.messageId, ref.channelId));
    // the re-sent job's publisher dies too, a lease of 1 s after its claim: due then, not two minutes on
    const again = await claimDelivery(store, ref, { now: now + 100, leaseMs: 1000 });
    expect(again).toMatchObject({ claimed: true, delivery: { state: 'PUBLISHING', previousState: 'VERIFY' } });
    expect(await checkKey(ref)).toBe(keys.openDeliveriesSort(now + 1100, ref.messageId, ref.channelId));
    const sent: QueuedJob[] = [];
    const report = await reconcile(store, { now: now + 1200, send: async (jobs) => (sent.push(...jobs), []) });
    expect(report.verify).toBeGreaterThanOrEqual(1);
    expect(sent.map((job) => job.job.type === 'publish' && job.job.messageId)).toContain(ref.messageId);
    expect((await getMessageWithDeliveries(store, ref.messageId))?.deliveries[0]).toMatchObject({
      state: 'VERIFY',
      lastError: { code: LEASE_EXPIRED_CODE },
    });
  });

  it('does not touch a RETRYING delivery before its planned attempt', async () => {
    const ref = await newDelivery(new Date(Date.now() - 5 * 60_000));
    const claim = await claimDelivery(store, ref, { now: Date.now(), leaseMs: 60_000 });
    if (!claim.claimed) throw new Error('not claimed');
    await recordPending(
      store,
      { ...ref, version: claim.delivery.version },
      {
        state: 'RETRYING',
        lastError: { class: 'retryable', detail: '500' },
        waitingFor: 'retry',
        nextAttemptAt: Date.now() + 10 * 60_000,
      },
      Date.now(),
    );
    const due = await dueOpenDeliveries(store, Date.now());
    expect(due.deliveries.map((open) => open.delivery.messageId)).not.toContain(ref.messageId);
  });
});

describe('a message whose jobs could not be sent', () => {
  it('is written QUEUED, put back to PENDING for the jobs that failed, and re-sent by the reconciler', async () => {
    const org = `org${Date.now()}`;
    await putChannel(store, {
      id: `${org}-threads`,
      org,
      platform: 'threads',
      handle: '@a',
      state: 'active',
      account: '1',
      credentialsRef: 'local:x',
    });
    await putChannel(store, {
      id: `${org}-mastodon`,
      org,
      platform: 'mastodon',
      handle: '@b',
      state: 'active',
      account: 'https://m.example/@b',
      credentialsRef: 'local:y',
    });
    const sent: QueuedJob[] = [];
    const created = await createMessage(
      { sub: 'anna', org, roles: ['editor'] },
      CreateMessageSchema.parse({ text: 'Hallo' }),
      {
        store,
        // the queue takes Threads' job and refuses Mastodon's
        send: async (jobs) => (sent.push(...jobs), jobs.filter((job) => job.platform === 'mastodon')),
      },
    );
    expect(Object.fromEntries(created.deliveries.map((delivery) => [delivery.platform, delivery.state]))).toEqual({
      threads: 'QUEUED',
      mastodon: 'PENDING',
    });
    const stored = await getMessageWithDeliveries(store, created.id);
    expect(Object.fromEntries(stored!.deliveries.map((delivery) => [delivery.platform, delivery.state]))).toEqual({
      threads: 'QUEUED',
      mastodon: 'PENDING',
    });
    const resent: QueuedJob[] = [];
    await reconcile(store, { now: Date.now() + 2 * 60_000, send: async (jobs) => (resent.push(...jobs), []) });
    expect(
      resent
        .filter((job) => job.job.type === 'publish' && job.job.messageId === created.id)
        .map((job) => job.platform)
        .sort(),
    ).toEqual(['mastodon', 'threads']);
  });
});

describe('publishing budgets', () => {
  it('stops routine posts at limit − reserve, and lets emergencies use the reserve, never beyond the limit', async () => {
    const rule = { limit: 10, windowSeconds: 3600, note: 'test' };
    const channelId = `quota-${Date.now()}`;
    const now = Date.now();
    const routine = await Promise.all(
      Array.from({ length: 12 }, () => takeQuota(store, channelId, rule, 'normal', { now })),
    );
    expect(routine.filter((decision) => decision.ok)).toHaveLength(8);
    const emergency = await Promise.all(
      Array.from({ length: 4 }, () => takeQuota(store, channelId, rule, 'emergency', { now })),
    );
    expect(emergency.filter((decision) => decision.ok)).toHaveLength(2);
    const refused = routine.find((decision) => !decision.ok);
    expect(refused && !refused.ok && refused.retryAtMs).toBeGreaterThan(now);
  });
});

describe('idempotency keys', () => {
  it('lets one of two racing requests take a key; the other sees it in progress', async () => {
    const key = `key-${Date.now()}`;
    const results = await Promise.allSettled([
      beginIdempotent(store, 'city', key, 'h1', 'A'),
      beginIdempotent(store, 'city', key, 'h1', 'B'),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    await completeIdempotent(store, 'city', key, { statusCode: 202, body: '{"id":"A"}' });
    expect(await beginIdempotent(store, 'city', key, 'h1', 'C')).toEqual({
      kind: 'replay',
      statusCode: 202,
      body: '{"id":"A"}',
    });
    await expect(beginIdempotent(store, 'city', key, 'other', 'D')).rejects.toMatchObject({ status: 422 });
  });

  it('resumes a request that died after taking the key, with the same message id', async () => {
    const key = `dead-${Date.now()}`;
    const then = Date.now() - 60_000;
    await beginIdempotent(store, 'city', key, 'h', 'M-FIXED', then);
    expect(await beginIdempotent(store, 'city', key, 'h', 'M-OTHER')).toEqual({ kind: 'resume', messageId: 'M-FIXED' });
  });
});

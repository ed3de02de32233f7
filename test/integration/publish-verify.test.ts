/**
 * Deliveries whose earlier attempt may have reached the platform. A second copy of the job must not
 * look the post up before the platform can have finished the request (it would find nothing and
 * post again); and where the platform offers no lookup at all (Telegram's Bot API), asking again can
 * never answer and publishing again could post twice, so a person takes over (HANDOFF).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Delivery } from '../../shared/model/schemas';
import { NO_LOOKUP_CODE, PlatformError, type PlatformClient } from '../../shared/platforms/client';
import { MAX_LOOKUPS_IN_DOUBT, processPublishJob } from '../../shared/publishing/publish';
import type { Store } from '../../shared/store/client';
import { dueOpenDeliveries } from '../../shared/store/deliveries';
import { getChannel } from '../../shared/store/channels';
import { getDelivery } from '../../shared/store/messages';
import { localDynamoDocumentClient } from '../../local/aws';
import { seedChannels } from '../../local/seed';
import { isolatedTable } from '../support/local-aws';
import { publishDeps, putOneDelivery } from '../support/publishing';

let store: Store;
let dynamoEndpoint: string;
const channel: Channel = {
  id: 'city-telegram',
  org: 'city',
  platform: 'telegram',
  handle: '@dresden',
  state: 'active',
  account: '@dresden',
  credentialsRef: 'local:city-telegram',
};

beforeAll(async () => {
  const table = await isolatedTable('unverifiable');
  dynamoEndpoint = table.dynamoEndpoint;
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: table.tableName };
  await seedChannels(store.table, { dynamoEndpoint, channels: [channel] });
});
afterAll(() => store?.doc.destroy());

const now = Date.parse('2026-03-01T10:00:00.000Z');

const deliveryIn = (state: Delivery['state'], messageId: string) =>
  putOneDelivery(store, { messageId, channel, text: 'Hochwasser', state, createdAt: new Date(now), attempts: 1 });

function fakeClient(
  lookupError?: PlatformError,
  publishError?: PlatformError,
): PlatformClient & { published: number; lookups: number } {
  const client = {
    platform: 'telegram' as const,
    published: 0,
    lookups: 0,
    async publish() {
      client.published += 1;
      if (publishError) throw publishError;
      return { remoteId: '1' };
    },
    async findPublished(): Promise<null> {
      client.lookups += 1;
      if (lookupError) throw lookupError;
      return null;
    },
    async followerCount() {
      return 0;
    },
  };
  return client;
}

const deps = (client: PlatformClient, at = now) => publishDeps(store, 'telegram', client, at);

describe('a delivery that may have been posted where nothing can be looked up', () => {
  it('goes to a person, never publishes again, and leaves the reconciler alone', async () => {
    await deliveryIn('VERIFY', 'msg-unverifiable');
    const client = fakeClient(
      new PlatformError('ambiguous', "the Bot API cannot list a channel's messages", { code: NO_LOOKUP_CODE }),
    );
    const outcome = await processPublishJob(
      { type: 'publish', messageId: 'msg-unverifiable', channelId: channel.id },
      2,
      deps(client),
    );
    expect(outcome).toMatchObject({ kind: 'settled', state: 'HANDOFF' });
    expect(client.published).toBe(0);
    const stored = await getDelivery(store, 'msg-unverifiable', channel.id);
    expect(stored).toMatchObject({
      state: 'HANDOFF',
      reason: expect.stringMatching(/check the channel/),
      lastError: { class: 'ambiguous', code: NO_LOOKUP_CODE },
    });
    expect(
      (await dueOpenDeliveries(store, now + 24 * 60 * 60_000)).deliveries.map((open) => open.delivery.messageId),
    ).not.toContain('msg-unverifiable');
    // a late copy of the job finds nothing to do
    expect(
      await processPublishJob(
        { type: 'publish', messageId: 'msg-unverifiable', channelId: channel.id },
        1,
        deps(client),
      ),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('keeps verifying when the lookup itself only failed this time', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-timeout');
    const client = fakeClient(new PlatformError('ambiguous', 'request timed out', { code: 'TIMEOUT' }));
    const outcome = await processPublishJob(
      { type: 'publish', messageId: 'msg-lookup-timeout', channelId: channel.id },
      2,
      deps(client),
    );
    expect(outcome).toMatchObject({ kind: 'retry', state: 'VERIFY' });
    expect(client.published).toBe(0);
    expect(await getDelivery(store, 'msg-lookup-timeout', channel.id)).toMatchObject({ state: 'VERIFY' });
  });
});

describe('a channel frozen while a delivery may have been posted', () => {
  const job = (messageId: string) => ({ type: 'publish' as const, messageId, channelId: channel.id });

  it('goes to a person instead of being skipped as though nothing went out', async () => {
    await deliveryIn('VERIFY', 'msg-frozen-verify');
    await deliveryIn('RETRYING', 'msg-frozen-retrying');
    await seedChannels(store.table, { dynamoEndpoint, channels: [{ ...channel, state: 'frozen' }] });
    try {
      const client = fakeClient();
      expect(await processPublishJob(job('msg-frozen-verify'), 2, deps(client))).toMatchObject({
        kind: 'settled',
        state: 'HANDOFF',
      });
      expect(await getDelivery(store, 'msg-frozen-verify', channel.id)).toMatchObject({
        state: 'HANDOFF',
        reason: expect.stringMatching(/became frozen while an earlier attempt may have reached Telegram/),
      });
      // nothing can have gone out for a delivery that was only waiting to retry
      expect(await processPublishJob(job('msg-frozen-retrying'), 2, deps(client))).toMatchObject({
        kind: 'settled',
        state: 'SKIPPED',
      });
      expect(client).toMatchObject({ lookups: 0, published: 0 });
    } finally {
      await seedChannels(store.table, { dynamoEndpoint, channels: [channel] });
    }
  });
});

describe('a delivery whose lookups keep ending in doubt', () => {
  it('goes to a person after MAX_LOOKUPS_IN_DOUBT lookups in a row instead of verifying for ever, and never publishes again', async () => {
    await deliveryIn('VERIFY', 'msg-in-doubt');
    const client = fakeClient(
      new PlatformError('ambiguous', 'the container is published but its post was not found', { code: 'PUBLISHED' }),
    );
    const job = { type: 'publish' as const, messageId: 'msg-in-doubt', channelId: channel.id };
    const outcomes: string[] = [];
    // each attempt waits out the verify delay, as SQS would make it
    for (let attempt = 0, at = now; attempt < MAX_LOOKUPS_IN_DOUBT + 2; attempt += 1, at += 60_000) {
      const outcome = await processPublishJob(job, 1, deps(client, at));
      outcomes.push(outcome.kind === 'settled' ? outcome.state : outcome.kind);
      if (outcome.kind !== 'retry') break;
    }
    expect(outcomes.at(-1)).toBe('HANDOFF');
    expect(outcomes.filter((kind) => kind === 'retry').length).toBe(MAX_LOOKUPS_IN_DOUBT - 1);
    expect(client.lookups).toBe(MAX_LOOKUPS_IN_DOUBT);
    expect(client.published).toBe(0);
    expect(await getDelivery(store, 'msg-in-doubt', channel.id)).toMatchObject({
      state: 'HANDOFF',
      reason: expect.stringMatching(/check the channel/),
    });
  });
});

describe('a delivery whose lookup answered', () => {
  it('starts counting lookups in doubt again: publish failures in between are not lookups', async () => {
    await deliveryIn('VERIFY', 'msg-answered');
    const inDoubt = fakeClient(new PlatformError('ambiguous', 'listing timed out', { code: 'TIMEOUT' }));
    const job = { type: 'publish' as const, messageId: 'msg-answered', channelId: channel.id };
    let at = now;
    for (let lookup = 1; lookup < MAX_LOOKUPS_IN_DOUBT; lookup += 1, at += 60_000)
      await processPublishJob(job, 1, deps(inDoubt, at));
    expect(await getDelivery(store, 'msg-answered', channel.id)).toMatchObject({
      state: 'VERIFY',
      lookupsInDoubt: MAX_LOOKUPS_IN_DOUBT - 1,
    });
    // the lookup answers "not there"; the new post's answer is lost again
    const answered = fakeClient(undefined, new PlatformError('ambiguous', 'connection lost', { code: 'ECONNRESET' }));
    expect(await processPublishJob(job, 1, deps(answered, at))).toMatchObject({ kind: 'retry', state: 'VERIFY' });
    const stored = await getDelivery(store, 'msg-answered', channel.id);
    expect(stored?.state).toBe('VERIFY');
    expect(stored?.lookupsInDoubt).toBeUndefined();
  });
});

describe('a second copy of the job while the delivery waits to be verified', () => {
  it('is put back until the verify delay is over; then the lookup runs before any new publish', async () => {
    await deliveryIn('QUEUED', 'msg-early-copy');
    const job = { type: 'publish' as const, messageId: 'msg-early-copy', channelId: channel.id };
    const timedOut = fakeClient(undefined, new PlatformError('ambiguous', 'request timed out', { code: 'TIMEOUT' }));
    const first = await processPublishJob(job, 1, deps(timedOut));
    expect(first).toMatchObject({ kind: 'retry', state: 'VERIFY' });
    const waitMs = (first as { afterSeconds: number }).afterSeconds * 1000;

    const copy = fakeClient();
    // the duplicate arrives while the platform may still be working on the timed-out request: it is
    // put back until the wait is over, not dropped (it may be the only copy left)
    expect(await processPublishJob(job, 1, deps(copy, now + waitMs - 1500))).toMatchObject({
      kind: 'retry',
      afterSeconds: 2,
      state: 'VERIFY',
    });
    expect(copy).toMatchObject({ lookups: 0, published: 0 });
    // on its last receive the early copy is put back fresh rather than left to the dead-letter queue
    expect(await processPublishJob(job, 5, deps(copy, now + waitMs - 1500))).toMatchObject({
      kind: 'requeue',
      afterSeconds: 2,
    });
    expect(await getDelivery(store, 'msg-early-copy', channel.id)).toMatchObject({ state: 'VERIFY', attempts: 2 });

    expect(await processPublishJob(job, 2, deps(copy, now + waitMs))).toMatchObject({
      kind: 'settled',
      state: 'PUBLISHED',
    });
    expect(copy).toMatchObject({ lookups: 1, published: 1 });
  });
});

describe('a lookup that fails before it can answer', () => {
  const job = (messageId: string) => ({ type: 'publish' as const, messageId, channelId: channel.id });

  it('keeps the delivery in VERIFY, so the next attempt looks again instead of publishing', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-500');
    const failing = fakeClient(new PlatformError('retryable', 'getRecord answered 500', { code: '500' }));
    expect(await processPublishJob(job('msg-lookup-500'), 2, deps(failing))).toMatchObject({
      kind: 'retry',
      state: 'VERIFY',
      errorClass: 'retryable',
    });
    expect(failing.published).toBe(0);
    expect(await getDelivery(store, 'msg-lookup-500', channel.id)).toMatchObject({
      state: 'VERIFY',
      lookupsInDoubt: 1,
    });

    // the next attempt looks the post up first, finds it, and publishes nothing
    const finding = { ...fakeClient(), findPublished: async () => ({ remoteId: 'found-1' }) };
    const outcome = await processPublishJob(job('msg-lookup-500'), 3, deps(finding, now + 10 * 60_000));
    expect(outcome).toMatchObject({ kind: 'settled', state: 'PUBLISHED' });
    expect(finding.published).toBe(0);
    expect(await getDelivery(store, 'msg-lookup-500', channel.id)).toMatchObject({
      state: 'PUBLISHED',
      remoteId: 'found-1',
    });
  });

  it('is offered again on the last receive instead of failing, which a redrive would publish again', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-last');
    const failing = fakeClient(new PlatformError('retryable', 'getRecord answered 503', { code: '503' }));
    expect(await processPublishJob(job('msg-lookup-last'), 5, deps(failing))).toMatchObject({
      kind: 'requeue',
      errorClass: 'retryable',
    });
    expect(await getDelivery(store, 'msg-lookup-last', channel.id)).toMatchObject({ state: 'VERIFY' });
  });

  it('waits out a rate limit in VERIFY without counting it as a lookup in doubt', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-429');
    const limited = fakeClient(
      new PlatformError('rate-limited', 'too many requests', { code: '429', retryAfterSeconds: 30 }),
    );
    expect(await processPublishJob(job('msg-lookup-429'), 2, deps(limited))).toMatchObject({
      kind: 'retry',
      afterSeconds: 30,
      state: 'VERIFY',
    });
    const stored = await getDelivery(store, 'msg-lookup-429', channel.id);
    expect(stored).toMatchObject({ state: 'VERIFY', waitingFor: 'rate-limit' });
    expect(stored?.lookupsInDoubt).toBeUndefined();
  });

  it('goes to a person at once when the platform refuses the lookup for good: FAILED would let a retry publish without looking', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-400');
    const refusing = fakeClient(new PlatformError('permanent', 'check upload: HTTP 400 invalidDescription'));
    expect(await processPublishJob(job('msg-lookup-400'), 2, deps(refusing))).toMatchObject({
      kind: 'settled',
      state: 'HANDOFF',
    });
    expect(refusing).toMatchObject({ lookups: 1, published: 0 });
    expect(await getDelivery(store, 'msg-lookup-400', channel.id)).toMatchObject({
      state: 'HANDOFF',
      lastError: { class: 'permanent' },
      reason: expect.stringMatching(/refused the lookup.*check the channel/),
    });
  });

  it('goes to a person and asks for a reconnection when the lookup is refused for its credentials', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-401');
    const refusing = fakeClient(new PlatformError('auth', 'HTTP 401 Unauthorized'));
    const forgotten: string[] = [];
    const outcome = await processPublishJob(job('msg-lookup-401'), 2, {
      ...deps(refusing),
      forgetCredentials: (refused) => forgotten.push(refused.id),
    });
    expect(outcome).toMatchObject({ kind: 'settled', state: 'HANDOFF' });
    expect(refusing.published).toBe(0);
    expect(forgotten).toEqual([channel.id]);
    expect(await getDelivery(store, 'msg-lookup-401', channel.id)).toMatchObject({
      state: 'HANDOFF',
      lastError: { class: 'auth' },
      reason: expect.stringMatching(/reconnect the channel/),
    });
    expect(await getChannel(store, channel.id)).toMatchObject({ needsReauth: true });
    await seedChannels(store.table, { dynamoEndpoint, channels: [channel] });
  });

  it('goes to a person after MAX_LOOKUPS_IN_DOUBT failed lookups in a row', async () => {
    await deliveryIn('VERIFY', 'msg-lookup-down');
    const failing = fakeClient(new PlatformError('retryable', 'getRecord answered 500', { code: '500' }));
    let outcome;
    for (let attempt = 0, at = now; attempt < MAX_LOOKUPS_IN_DOUBT; attempt += 1, at += 10 * 60_000)
      outcome = await processPublishJob(job('msg-lookup-down'), 1, deps(failing, at));
    expect(outcome).toMatchObject({ kind: 'settled', state: 'HANDOFF' });
    expect(failing.published).toBe(0);
    expect(await getDelivery(store, 'msg-lookup-down', channel.id)).toMatchObject({
      state: 'HANDOFF',
      lastError: { class: 'retryable' },
      reason: expect.stringMatching(/check the channel/),
    });
  });
});

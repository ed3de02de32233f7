/**
 * Messages to more channels than one DynamoDB transaction holds, against DynamoDB Local: written in
 * chunks and made visible by one last transaction, never seen half; a write that dies between
 * chunks shows nothing, is finished by a retry with the same Idempotency-Key (exactly once) or
 * removed by the reconciler; the reconciler finds open deliveries in every OPEN shard; and an
 * approval releases every delivery, finished by the reconciler when the approver stops half-way.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { approveMessage } from '../../shared/alerts/approve';
import { createMessageOnce } from '../../shared/intake/create-once';
import { getMessageForPrincipal, listMessagesForPrincipal } from '../../shared/messages/read';
import { CreateMessageSchema, type Channel, type Principal, type PublishJob } from '../../shared/model/schemas';
import type { QueuedJob } from '../../shared/queue/jobs';
import { reconcile } from '../../shared/reconcile/reconcile';
import { putChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { claimDelivery } from '../../shared/store/deliveries';
import {
  deliveryPartitionsFor,
  fnv1a32,
  keys,
  messageDeliveryPartitions,
  openDeliveryShards,
} from '../../shared/store/keys';
import { getDelivery, getMessageWithDeliveries } from '../../shared/store/messages';
import { ABANDONED_AFTER_MS } from '../../shared/store/staged-write';
import { listAwaitingApproval } from '../../shared/store/approval-index';
import { isolatedTable } from '../support/local-aws';

vi.setConfig({ testTimeout: 60_000 });

const CHANNELS = 150;
let store: Store;
const editor: Principal = { sub: 'anna', org: 'land', roles: ['editor'] };
const sender: Principal = { sub: 'erik', org: 'city', roles: ['editor', 'emergency'] };
const approver: Principal = { sub: 'frieda', org: 'city', roles: ['emergency'] };

const channel = (id: string, org: string): Channel => ({
  id,
  org,
  platform: 'mastodon',
  handle: `@${id}`,
  state: 'active',
  account: 'https://social.example',
  credentialsRef: `local:${id}`,
});

beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('big');
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName };
  for (let n = 0; n < CHANNELS; n += 1) await putChannel(store, channel(`land-${n}`, 'land'));
  for (let n = 0; n < 120; n += 1) await putChannel(store, channel(`city-${n}`, 'city'));
});

/** A send that records every job and sends none (nothing publishes here). */
function recordingSend(fail = false) {
  const jobs: QueuedJob[] = [];
  const send = async (batch: QueuedJob[]) => (jobs.push(...batch), fail ? batch : []);
  return { jobs, send };
}

/** The store, with every TransactWriteItems call after the first `allowed` failing like a crashed process. */
function crashingStore(allowed: number): Store {
  let calls = 0;
  const doc = new Proxy(store.doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown) => {
        if (command instanceof TransactWriteCommand && ++calls > allowed)
          return Promise.reject(new Error('the process died here'));
        return target.send(command as never);
      };
    },
  }) as Store['doc'];
  return { ...store, doc };
}

/** The items of one partition (PK). */
async function itemsUnder(pk: string) {
  const { Items = [] } = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return Items;
}

/** Every item of a message to CHANNELS channels: its own partition and its deliveries' partitions. */
async function partitionItems(messageId: string) {
  const pks = [keys.message(messageId).PK, ...messageDeliveryPartitions(messageId, deliveryPartitionsFor(CHANNELS))];
  return (await Promise.all(pks.map(itemsUnder))).flat();
}

const input = (text: string) => CreateMessageSchema.parse({ text });

describe('a message to 150 channels of one organisation, none named', () => {
  it('is written in chunks and visible with every delivery at once', async () => {
    const { jobs, send } = recordingSend();
    const answer = await createMessageOnce(editor, input('Landesweiter Probealarm um 11 Uhr.'), undefined, {
      store,
      send,
    });
    const { id, deliveries } = JSON.parse(answer.body) as { id: string; deliveries: unknown[] };
    expect(deliveries).toHaveLength(CHANNELS);
    const read = await getMessageForPrincipal(store, editor, id);
    expect(read.deliveries).toHaveLength(CHANNELS);
    expect(read.deliveries.every((delivery) => delivery.state === 'QUEUED')).toBe(true);
    expect(new Set(jobs.map((job) => job.job.channelId)).size).toBe(CHANNELS);
    // no staging marker is left behind
    expect((await partitionItems(id)).map((item) => item.SK)).not.toContain('STAGED');
  });

  it('keeps its deliveries in partitions of their own, by a hash of the channel, and reads them all', async () => {
    const { jobs, send } = recordingSend();
    const answer = await createMessageOnce(editor, input('Hochwasser an der Elbe: Pegel steigt.'), undefined, {
      store,
      send,
    });
    const { id } = JSON.parse(answer.body) as { id: string };
    // 150 channels: 2 partitions of about 75 deliveries; the message's own holds the message item alone
    expect(deliveryPartitionsFor(CHANNELS)).toBe(2);
    expect((await itemsUnder(keys.message(id).PK)).map((item) => item.SK)).toEqual(['MSG']);
    const [first, second] = await Promise.all(messageDeliveryPartitions(id, 2).map(itemsUnder));
    expect(first!.length + second!.length).toBe(CHANNELS);
    expect(Math.min(first!.length, second!.length)).toBeGreaterThan(CHANNELS / 4);
    for (const [n, items] of [first!, second!].entries())
      expect(items.every((item) => fnv1a32(String(item.channelId)) % 2 === n)).toBe(true);
    const read = await getMessageWithDeliveries(store, id);
    expect(read?.message.deliveryPartitions).toBe(2);
    expect(new Set(read?.deliveries.map((delivery) => delivery.channelId)).size).toBe(CHANNELS);
    // every job names the partitions, so a publisher claims without reading the message first
    expect(jobs.every((job) => job.job.type === 'publish' && job.job.deliveryPartitions === 2)).toBe(true);
    const claimed = await claimDelivery(store, jobs[0]!.job as PublishJob, { now: Date.now(), leaseMs: 60_000 });
    expect(claimed).toMatchObject({ claimed: true, delivery: { state: 'PUBLISHING', deliveryPartitions: 2 } });
    // a delivery addressed by message and channel alone (a hand-off confirmation, a reply) is found too
    expect(await getDelivery(store, id, 'land-7')).toMatchObject({ channelId: 'land-7', deliveryPartitions: 2 });
  });
});

describe('a message to 100 channels or fewer', () => {
  it('keeps the layout it always had: every delivery beside the message item, no partitions named', async () => {
    const small: Principal = { sub: 'lena', org: 'town', roles: ['editor'] };
    for (let n = 0; n < 100; n += 1) await putChannel(store, channel(`town-${n}`, 'town'));
    const { jobs, send } = recordingSend();
    const answer = await createMessageOnce(small, input('Straßensperrung am Markt.'), undefined, { store, send });
    const { id } = JSON.parse(answer.body) as { id: string };
    const items = await itemsUnder(keys.message(id).PK);
    expect(items.filter((item) => String(item.SK).startsWith('DLV#'))).toHaveLength(100);
    expect(items.some((item) => 'deliveryPartitions' in item)).toBe(false);
    expect(jobs.every((job) => !('deliveryPartitions' in job.job))).toBe(true);
  });
});

describe('a write that dies between chunks', () => {
  it('leaves nothing visible, and a retry with the same Idempotency-Key completes it exactly once', async () => {
    const clock = Date.now();
    const text = 'Stromausfall im ganzen Land: Hinweise folgen.';
    const first = recordingSend();
    // the staging marker and one chunk get written, the second chunk does not
    const crashed = createMessageOnce(editor, input(text), 'state-wide-1', {
      store: crashingStore(2),
      send: first.send,
      now: () => new Date(clock),
    });
    await expect(crashed).rejects.toThrow('the process died here');
    expect(first.jobs).toEqual([]);

    const [marker] = await openIndexItems('STAGED');
    const stagedId = String(marker?.messageId);
    expect((await partitionItems(stagedId)).length).toBeGreaterThan(1);
    // nobody sees it: not listed, not readable
    const listed = await listMessagesForPrincipal(store, editor, { limit: 100 });
    expect(listed.items.map((item) => item.id)).not.toContain(stagedId);
    await expect(getMessageForPrincipal(store, editor, stagedId)).rejects.toMatchObject({ status: 404 });
    // the reconciler, long after, sends nothing for a message nobody can see yet
    const early = recordingSend();
    await reconcile(store, { now: clock + 90_000, send: early.send });
    expect(early.jobs.filter((job) => job.job.type === 'publish' && job.job.messageId === stagedId)).toEqual([]);

    const retry = recordingSend();
    const answer = await createMessageOnce(editor, input(text), 'state-wide-1', {
      store,
      send: retry.send,
      now: () => new Date(clock + 31_000),
    });
    expect(answer).toMatchObject({ statusCode: 202, replayed: false });
    const { id } = JSON.parse(answer.body) as { id: string };
    expect(id).toBe(stagedId);
    const written = await getMessageWithDeliveries(store, id);
    expect(written?.deliveries).toHaveLength(CHANNELS);
    expect(retry.jobs).toHaveLength(CHANNELS);
    const items = await partitionItems(id);
    expect(items.filter((item) => item.SK === 'MSG')).toHaveLength(1);
    expect(items.map((item) => item.SK)).not.toContain('STAGED');

    // and once more: the answer of the request that completed, nothing written or sent again
    const again = recordingSend();
    const replay = await createMessageOnce(editor, input(text), 'state-wide-1', { store, send: again.send });
    expect(replay).toMatchObject({ statusCode: 202, body: answer.body, replayed: true });
    expect(again.jobs).toEqual([]);
  });

  it('is removed by the reconciler when nobody retries it, deliveries and all', async () => {
    const clock = Date.now();
    const crashed = createMessageOnce(editor, input('Niemand versucht es noch einmal.'), 'state-wide-2', {
      store: crashingStore(3),
      send: recordingSend().send,
      now: () => new Date(clock),
    });
    await expect(crashed).rejects.toThrow('the process died here');
    const markers = await openIndexItems('STAGED');
    expect(markers).toHaveLength(1);
    const messageId = String(markers[0]!.messageId);
    expect((await partitionItems(messageId)).length).toBeGreaterThan(1);

    const later = recordingSend();
    const report = await reconcile(store, { now: clock + ABANDONED_AFTER_MS + 1000, send: later.send });
    expect(report.abandoned).toBe(1);
    expect(await partitionItems(messageId)).toEqual([]);
    expect(later.jobs.filter((job) => job.job.type === 'publish' && job.job.messageId === messageId)).toEqual([]);
  });
});

/** Entries of one kind (SK) in every OPEN shard, with their message's id. */
async function openIndexItems(sk: string) {
  const pages = await Promise.all(
    openDeliveryShards().map((shard) =>
      store.doc.send(
        new QueryCommand({
          TableName: store.table,
          IndexName: 'OPEN',
          KeyConditionExpression: 'OPENPK = :shard',
          ExpressionAttributeValues: { ':shard': shard },
        }),
      ),
    ),
  );
  // the index holds keys only: the message is the one of the item's partition
  return pages
    .flatMap((page) => page.Items ?? [])
    .filter((item) => item.SK === sk)
    .map((item) => ({ ...item, messageId: String(item.PK).replace(/^MSG#/, '') }));
}

describe('the reconciler over the sharded OPEN index', () => {
  it('finds the open deliveries of a message in every shard and sends each again', async () => {
    const clock = Date.now();
    // every job fails to send: all 150 deliveries stay PENDING in the open index
    const created = await createMessageOnce(editor, input('Jobs, die nie ankamen.'), undefined, {
      store,
      send: recordingSend(true).send,
      now: () => new Date(clock),
    });
    const { id } = JSON.parse(created.body) as { id: string };
    const items = await partitionItems(id);
    const shards = new Set(
      items.filter((item) => String(item.OPENPK).startsWith('OPEN#')).map((item) => String(item.OPENPK)),
    );
    expect([...shards].sort()).toEqual([...openDeliveryShards()].sort());

    const later = recordingSend();
    const report = await reconcile(store, { now: clock + 61_000, send: later.send });
    const resent = later.jobs.filter((job) => job.job.type === 'publish' && job.job.messageId === id);
    expect(new Set(resent.map((job) => job.job.channelId)).size).toBe(CHANNELS);
    expect(report.requeued).toBeGreaterThanOrEqual(CHANNELS);
  });
});

describe('an emergency message to 120 channels that waits for a second person', () => {
  it('is in the approval queue, and its approval releases every delivery', async () => {
    const { send } = recordingSend();
    const created = await createMessageOnce(
      sender,
      CreateMessageSchema.parse({ text: 'Hochwasser: Evakuierung.', priority: 'emergency', severity: 'Severe' }),
      undefined,
      { store, send },
    );
    const { id } = JSON.parse(created.body) as { id: string };
    expect((await listAwaitingApproval(store, 'city', { limit: 10 })).messages.map((m) => m.id)).toContain(id);
    const approval = recordingSend();
    const approved = await approveMessage(approver, id, { store, send: approval.send });
    expect(approved.deliveries).toHaveLength(120);
    const after = await getMessageWithDeliveries(store, id);
    expect(after?.deliveries.filter((delivery) => delivery.state === 'AWAITING_APPROVAL')).toEqual([]);
    expect(approval.jobs).toHaveLength(120);
    expect((await listAwaitingApproval(store, 'city', { limit: 10 })).messages.map((m) => m.id)).not.toContain(id);
  });

  it('is finished by the reconciler when the approver stops after the decision', async () => {
    const clock = Date.now();
    const created = await createMessageOnce(
      sender,
      CreateMessageSchema.parse({ text: 'Unwetter: Warnung.', priority: 'emergency', severity: 'Severe' }),
      undefined,
      { store, send: recordingSend().send, now: () => new Date(clock) },
    );
    const { id } = JSON.parse(created.body) as { id: string };
    // the decision is written, then every single delivery update fails: the approver is gone
    const dying = new Proxy(store.doc, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: unknown) =>
          command instanceof UpdateCommand
            ? Promise.reject(new Error('the process died here'))
            : target.send(command as never);
      },
    }) as Store['doc'];
    await expect(
      approveMessage(approver, id, { store: { ...store, doc: dying }, now: () => new Date(clock + 1000) }),
    ).rejects.toThrow('the process died here');
    expect(
      (await getMessageWithDeliveries(store, id))?.deliveries.every(
        (delivery) => delivery.state === 'AWAITING_APPROVAL',
      ),
    ).toBe(true);

    const later = recordingSend();
    const report = await reconcile(store, { now: clock + 62_000, send: later.send });
    expect(report.released).toBe(120);
    const after = await getMessageWithDeliveries(store, id);
    expect(after?.message.approval?.approvedBy).toBe(approver.sub);
    expect(after?.deliveries.filter((delivery) => delivery.state === 'AWAITING_APPROVAL')).toEqual([]);
    expect(later.jobs.filter((job) => job.job.type === 'publish' && job.job.messageId === id)).toHaveLength(120);
    expect((await partitionItems(id)).map((item) => item.SK)).not.toContain('RELEASE');
  });
});

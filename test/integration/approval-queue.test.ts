/**
 * The approval queue's index against DynamoDB Local: a message that waits for a second person gets
 * its pointer in the transaction that creates it, loses it in the one that approves, rejects or
 * cancels it, and `GET /messages?state=AWAITING_APPROVAL` reads only those pointers, however many
 * other messages the organisation has.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approveMessage } from '../../shared/alerts/approve';
import { receiveAlert } from '../../shared/alerts/ingest';
import { rejectMessage } from '../../shared/alerts/reject';
import { ProblemError } from '../../shared/api/problem';
import { createMessage } from '../../shared/intake/create-message';
import { listMessagesAwaitingApproval } from '../../shared/messages/approvals';
import { getMessageForPrincipal } from '../../shared/messages/read';
import { CreateMessageSchema, type CreateMessageInput, type Principal } from '../../shared/model/schemas';
import { cancelMessage } from '../../shared/scheduling/change';
import { approvalPointerKey } from '../../shared/store/approval-index';
import type { Store } from '../../shared/store/client';
import { InvalidCursorError } from '../../shared/store/cursor';
import { schedulingKeys } from '../../shared/store/keys';
import { getMessageWithDeliveries } from '../../shared/store/messages';
import { rawItem, RecordingSchedules, startHarness, type Harness } from './scheduling-harness';
import { seedOrganisations } from '../../local/organisations';

vi.setConfig({ testTimeout: 30_000 });

let harness: Harness;
const schedules = new RecordingSchedules();
const sender: Principal = { sub: 'erik', org: 'city', roles: ['editor', 'emergency'] };
const approver: Principal = { sub: 'frieda', org: 'city', roles: ['emergency'] };
const fireSender: Principal = { sub: 'gustav', org: 'fire-brigade', roles: ['editor', 'emergency'] };
let clock = Date.parse('2027-05-04T03:00:00Z');

const deps = () => ({ store: harness.store, send: harness.send, schedules, now: () => new Date((clock += 1000)) });

const create = (principal: Principal, input: CreateMessageInput) =>
  createMessage(principal, CreateMessageSchema.parse(input), deps());
const emergency = (text: string, extra: Partial<CreateMessageInput> = {}) =>
  create(sender, { text, priority: 'emergency', severity: 'Severe', ...extra });
const queue = (principal = approver, query: Record<string, string> = {}) =>
  listMessagesAwaitingApproval(harness.store, principal, { state: 'AWAITING_APPROVAL', ...query });
const queuedIds = async (principal = approver) => (await queue(principal)).items.map((item) => item.id);

/** The approval pointers of an organisation as they are in the table. */
async function pointers(org = 'city'): Promise<string[]> {
  const page = await harness.store.doc.send(
    new QueryCommand({
      TableName: harness.store.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': schedulingKeys.orgPartition(org),
        ':prefix': schedulingKeys.orgMessagesInStatePrefix('AWAITING_APPROVAL'),
      },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map((item) => String(item.messageId));
}

async function refused(action: Promise<unknown>): Promise<ProblemError> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return error as ProblemError;
}

/** Every DynamoDB command the store sends while `action` runs, by name. */
async function commandsDuring(store: Store, action: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = store.doc.send.bind(store.doc);
  const spy = vi.spyOn(store.doc, 'send').mockImplementation(((command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    return original(command as never);
  }) as never);
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.stop());
// the strict default: every live emergency message waits for a second person
beforeEach(() => seedOrganisations(harness.store, {}));

describe('the approval queue', () => {
  it('holds a live emergency message from the transaction that creates it, and nothing else', async () => {
    const before = await pointers();
    const waiting = await emergency('Gasaustritt in der Neustadt: Fenster schließen.');
    await create(sender, { text: 'Routine: Sprechzeiten am Freitag.' });
    await seedOrganisations(harness.store, { city: { singlePersonSeverities: ['Extreme'] } });
    const alone = await emergency('Bombenfund: sofort räumen.', { severity: 'Extreme' });

    expect(await pointers()).toEqual([...before, waiting.id]);
    const stored = await getMessageWithDeliveries(harness.store, waiting.id);
    expect(await rawItem(harness.store, approvalPointerKey(stored!.message))).toMatchObject({ messageId: waiting.id });
    const listed = (await queue()).items.find((item) => item.id === waiting.id);
    expect(listed).toMatchObject({ status: 'awaiting-approval', createdBy: 'erik' });
    expect(listed!.deliveries.every((delivery) => delivery.state === 'AWAITING_APPROVAL')).toBe(true);
    expect(await queuedIds()).not.toContain(alone.id);

    // the approval takes it out in its own transaction; a second approval changes nothing
    await approveMessage(approver, waiting.id, deps());
    expect(await pointers()).not.toContain(waiting.id);
    expect(await queuedIds()).not.toContain(waiting.id);
    expect((await refused(approveMessage({ ...approver, sub: 'otto' }, waiting.id, deps()))).status).toBe(409);
    expect(await pointers()).not.toContain(waiting.id);
  });

  it('keeps the message in the queue when the sender tries to approve it, and drops it with a rejection', async () => {
    const message = await emergency('Hochwasser: Elbwiesen meiden.');
    expect((await refused(approveMessage(sender, message.id, deps()))).status).toBe(403);
    expect(await queuedIds()).toContain(message.id);

    await rejectMessage(approver, message.id, { reason: 'falscher Stadtteil' }, deps());
    expect(await pointers()).not.toContain(message.id);
    expect(await queuedIds()).not.toContain(message.id);
  });

  it('lets one of a racing approval and rejection win, and the message leaves the queue either way', async () => {
    const message = await emergency('Stromausfall in Prohlis.');
    const outcomes = await Promise.allSettled([
      approveMessage(approver, message.id, deps()),
      rejectMessage({ ...approver, sub: 'otto' }, message.id, { reason: 'doppelt' }, deps()),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(await pointers()).not.toContain(message.id);
  });

  it('drops a scheduled emergency message that is cancelled before anyone approved it, deliveries included', async () => {
    const message = await emergency('Vorwarnung: Sirenenprobe mit Warnton.', {
      scheduledAt: new Date(clock + 3_600_000).toISOString(),
    });
    expect(await queuedIds()).toContain(message.id);
    await cancelMessage(deps(), sender, message.id);
    expect(await pointers()).not.toContain(message.id);
    const stored = await getMessageWithDeliveries(harness.store, message.id);
    expect(stored!.message.state).toBe('CANCELLED');
    expect(stored!.deliveries.map((delivery) => delivery.state)).toEqual(stored!.deliveries.map(() => 'CANCELLED'));
    expect((await refused(approveMessage(approver, message.id, deps()))).status).toBe(409);
  });

  it('never shows a pointer that outlived its wait', async () => {
    const message = await emergency('Unwetter: Bäume auf Straßen.');
    await approveMessage(approver, message.id, deps());
    const stored = (await getMessageWithDeliveries(harness.store, message.id))!.message;
    // as if an older version had left it behind
    await harness.store.doc.send(
      new PutCommand({ TableName: harness.store.table, Item: { ...approvalPointerKey(stored), messageId: stored.id } }),
    );
    expect(await pointers()).toContain(message.id);
    expect(await queuedIds()).not.toContain(message.id);
  });

  it('reads the pointers, not the newest messages: one query, one batch read and one query per waiting message', async () => {
    const waiting = await emergency('Trinkwasser in Cotta abkochen.');
    for (let index = 0; index < 30; index += 1) await create(sender, { text: `Routinemeldung ${index}` });

    let listed: string[] = [];
    const commands = await commandsDuring(harness.store, async () => {
      listed = (await queue()).items.map((item) => item.id);
    });
    expect(listed).toContain(waiting.id);
    expect(commands.filter((name) => name === 'BatchGetCommand')).toHaveLength(1);
    // the pointer query, then each listed message's own partition (its deliveries): none of the 30 others
    expect(commands.filter((name) => name === 'QueryCommand')).toHaveLength(1 + listed.length);
    expect(commands).toHaveLength(2 + listed.length);
  });

  it('is oldest first, pages with a cursor, and is each organisation its own', async () => {
    const fire = await create(fireSender, { text: 'Feuer in Löbtau: Fenster schließen.', priority: 'emergency' });
    expect(await queuedIds({ ...approver, org: 'fire-brigade' })).toEqual([fire.id]);
    expect(await queuedIds()).not.toContain(fire.id);

    await emergency('Hitzewarnung: viel trinken.');
    await emergency('Glätte: Gehwege meiden.');
    const all = await queuedIds();
    expect(all.length).toBeGreaterThan(2);
    const created = await Promise.all(
      all.map(async (id) => (await getMessageWithDeliveries(harness.store, id))!.message.createdAt),
    );
    expect(created).toEqual([...created].sort());
    // one pointer at a time (a page whose pointer outlived its wait comes back empty, with the cursor)
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queue(approver, { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.items.map((item) => item.id));
      cursor = page.next;
      // a cursor of the city's queue is refused to the fire brigade
      if (cursor)
        await expect(queue({ ...approver, org: 'fire-brigade' }, { cursor })).rejects.toThrow(InvalidCursorError);
    } while (cursor);
    expect(paged).toEqual(all);
  });
});

describe('what the console reads beside the queue', () => {
  const form = (identifier: string, severity: string, status = 'Actual') => ({
    identifier,
    status,
    category: ['Fire'],
    severity,
    urgency: 'Immediate',
    certainty: 'Observed',
    texts: {
      'de-DE': { event: 'Großbrand', headline: 'Großbrand in Löbtau: Fenster schließen' },
      en: { event: 'Major fire', headline: 'Major fire in Löbtau: close windows' },
    },
  });
  const post = async (body: unknown, dryRun: boolean) =>
    JSON.parse(
      (
        await receiveAlert(
          fireSender,
          { body: JSON.stringify(body), isBase64Encoded: false, contentType: 'application/json' },
          deps(),
          { dryRun },
        )
      ).body,
    );

  it('says in the preview whether an alert will wait for a second person, by the policy that will decide it', async () => {
    await seedOrganisations(harness.store, {
      'fire-brigade': { singlePersonSeverities: ['Extreme'], languages: ['de-DE', 'en'] },
    });
    const approvals = async (severity: string, status?: string) =>
      ((await post(form('preview-1', severity, status), true)).messages as { approvalRequired: boolean }[]).map(
        (message) => message.approvalRequired,
      );
    expect(await approvals('Severe')).toEqual([true, true]);
    expect(await approvals('Extreme')).toEqual([false, false]);
    expect(await approvals('Severe', 'Exercise')).toEqual([false, false]);
  });

  it('names every language message of an alert on each of them, and the queue its server time', async () => {
    await seedOrganisations(harness.store, { 'fire-brigade': { languages: ['de-DE', 'en'] } });
    const sent = await post(form('two-languages-1', 'Severe'), false);
    const [german, english] = (sent.messages as { id: string; language: string }[]).map((message) => message.id);
    for (const id of [german, english]) {
      const view = await getMessageForPrincipal(harness.store, fireSender, id!);
      expect(view.alertMessages).toEqual({ 'de-DE': german, en: english });
    }
    const before = Date.now();
    const listed = await queue({ ...approver, org: 'fire-brigade' });
    expect(Date.parse(listed.asOf)).toBeGreaterThanOrEqual(before - 1000);
    expect(listed.items.map((item) => item.id)).toEqual(expect.arrayContaining([german, english]));
  });
});

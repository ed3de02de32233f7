/**
 * Scheduled messages and the crisis hold against DynamoDB Local and the local SQS server: what is
 * written, what is queued, what the schedule port is asked, and that every refusal changes nothing.
 */
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as dispatchFunction } from '../../functions/dispatch/handler';
import { handler as ingest } from '../../functions/ingest/handler';
import type { ApiEvent, ApiResult } from '../../shared/api/http';
import { ProblemError } from '../../shared/api/problem';
import { createMessage } from '../../shared/intake/create-message';
import type { CreatedMessage } from '../../shared/messages/summaries';
import {
  CreateMessageSchema,
  type CreateMessageInput,
  type MessageKind,
  type Principal,
} from '../../shared/model/schemas';
import { logger } from '../../shared/observability/powertools';
import { seedOrganisations } from '../../local/organisations';
import { cancelMessage, releaseHeldMessage, updateScheduledMessage } from '../../shared/scheduling/change';
import { holdFor, setOrgHold } from '../../shared/scheduling/crisis';
import { dispatchScheduledMessage, ScheduledMessageMissingError } from '../../shared/scheduling/dispatch';
import { listMessagesInState } from '../../shared/scheduling/list';
import { installSchedulePort } from '../../shared/scheduling/schedules';
import { putOrgSchedulingSettings } from '../../shared/scheduling/settings';
import { setChannelState } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { keys, schedulingKeys } from '../../shared/store/keys';
import { getMessageWithDeliveries } from '../../shared/store/messages';
import {
  drainJobs,
  rawItem,
  rawMessageItems,
  RecordingSchedules,
  startHarness,
  type Harness,
} from './scheduling-harness';

vi.setConfig({ testTimeout: 30_000 });

let harness: Harness;
let schedules: RecordingSchedules;
const NOW = new Date('2027-03-20T10:00:00Z');
const cityEditor: Principal = { sub: 'anna', org: 'city', roles: ['editor'] };
const cityAdmin: Principal = { sub: 'boss', org: 'city', roles: ['admin'] };
const fireEditor: Principal = { sub: 'frank', org: 'fire-brigade', roles: ['editor', 'emergency'] };
const fireAdmin: Principal = { sub: 'chief', org: 'fire-brigade', roles: ['admin'] };

const deps = () => ({ store: harness.store, send: harness.send, schedules, now: () => NOW });

function create(principal: Principal, input: CreateMessageInput, kind?: MessageKind): Promise<CreatedMessage> {
  return createMessage(principal, CreateMessageSchema.parse(input), deps(), kind ? { kind } : {});
}

async function refused(action: Promise<unknown> | (() => Promise<unknown>)): Promise<ProblemError> {
  const error = await (typeof action === 'function' ? action() : action).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return error as ProblemError;
}

/** Every item of the organisation's partitions and of the message partitions, to prove nothing changed. */
async function snapshot(store: Store, messageIds: string[] = []) {
  const own = async (org: string) =>
    (
      await store.doc.send(
        new QueryCommand({
          TableName: store.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': schedulingKeys.orgPartition(org) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  const messages = await Promise.all(messageIds.map((id) => rawMessageItems(store, id)));
  const listed = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.orgMessages('city') },
    }),
  );
  return JSON.stringify({
    city: await own('city'),
    fire: await own('fire-brigade'),
    messages,
    cityMessages: listed.Items ?? [],
  });
}

async function endAllHolds() {
  await setOrgHold(harness.store, cityAdmin, 'city', { active: false }, NOW);
  await setOrgHold(harness.store, fireAdmin, 'fire-brigade', { active: false }, NOW);
}

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  // These emergencies go out at once: the two-person rule has its own tests (alerts.test.ts).
  harness = await startHarness();
  await seedOrganisations(harness.store, {
    'fire-brigade': { singlePersonSeverities: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] },
  });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

beforeEach(async () => {
  schedules = new RecordingSchedules();
  await drainJobs(harness);
  await endAllHolds();
  await putOrgSchedulingSettings(harness.store, 'city', {});
  for (const channel of ['city-mastodon', 'city-telegram', 'city-bluesky', 'city-whatsapp'])
    await setChannelState(harness.store, channel, 'active');
});

describe('scheduling a message', () => {
  it('stores it SCHEDULED with waiting deliveries, queues nothing, and creates one schedule', async () => {
    const created = await create(cityEditor, {
      text: 'Museumsnacht am Samstag',
      scheduledAt: '2027-03-28T03:30',
      timeZone: 'Europe/Berlin',
    });
    expect(created).toMatchObject({
      state: 'SCHEDULED',
      scheduledAt: '2027-03-28T01:30:00.000Z',
      scheduledAtLocal: '2027-03-28T03:30:00+02:00',
    });
    expect(created.deliveries.map((delivery) => delivery.state)).toEqual([
      'SCHEDULED',
      'SCHEDULED',
      'SCHEDULED',
      'SCHEDULED',
    ]);
    expect(schedules.schedules.get(created.id)?.toISOString()).toBe('2027-03-28T01:30:00.000Z');

    const items = await rawMessageItems(harness.store, created.id);
    // Not in the reconciler's index: nothing would requeue a delivery before its time.
    expect(items.filter((item) => String(item.OPENPK).startsWith('OPEN#'))).toEqual([]);
    expect(await drainJobs(harness)).toEqual([]);
    const listed = await listMessagesInState(harness.store, cityEditor, { state: 'SCHEDULED' });
    expect(listed.items.map((message) => message.id)).toContain(created.id);
  });

  it('dispatches at its time exactly like an immediate message, and a second dispatch does nothing', async () => {
    const created = await create(cityEditor, {
      text: 'Stadtratssitzung heute',
      scheduledAt: '2027-03-21T09:00:00+01:00',
    });
    await setChannelState(harness.store, 'city-bluesky', 'frozen', 'account under review');

    const first = await dispatchScheduledMessage(created.id, {
      store: harness.store,
      send: harness.send,
      now: () => new Date('2027-03-21T08:00:00Z'),
    });
    expect(first.outcome).toBe('dispatched');
    const second = await dispatchScheduledMessage(created.id, {
      store: harness.store,
      send: harness.send,
      now: () => new Date('2027-03-21T08:00:01Z'),
    });
    expect(second.outcome).toBe('ignored');

    const jobs = await drainJobs(harness);
    expect(jobs.map((job) => job.channelId).sort()).toEqual(['city-mastodon', 'city-telegram']);
    const stored = await getMessageWithDeliveries(harness.store, created.id);
    expect(stored?.message.state).toBe('DISPATCHED');
    const byChannel = Object.fromEntries(stored?.deliveries.map((delivery) => [delivery.channelId, delivery]) ?? []);
    expect(byChannel['city-mastodon']?.state).toBe('QUEUED');
    expect(byChannel['city-bluesky']).toMatchObject({
      state: 'SKIPPED',
      reason: 'channel is frozen: account under review',
    });
    expect(byChannel['city-whatsapp']?.state).toBe('HANDOFF');
    expect(
      (await listMessagesInState(harness.store, cityEditor, { state: 'SCHEDULED' })).items.map((message) => message.id),
    ).not.toContain(created.id);
  });

  it('goes out at once when its time passed less than a minute ago, without a schedule', async () => {
    const created = await create(cityEditor, {
      text: 'Gerade eben',
      scheduledAt: '2027-03-20T09:59:30Z',
      channels: ['city-mastodon'],
    });
    expect(created.state).toBe('DISPATCHED');
    expect(schedules.calls).toEqual([]);
    expect((await drainJobs(harness)).map((job) => job.messageId)).toEqual([created.id]);
  });

  it('refuses a bad time with a 422 naming the field, and writes nothing and schedules nothing', async () => {
    const before = await snapshot(harness.store);
    for (const [input, field, words] of [
      [{ scheduledAt: '2027-03-20T08:58:00Z' }, 'scheduledAt', 'in the past'],
      [{ scheduledAt: '2028-03-20T10:00:01Z' }, 'scheduledAt', 'more than a year ahead'],
      [{ scheduledAt: '2027-04-01T10:00' }, 'scheduledAt', 'no offset and no time zone'],
      [{ scheduledAt: 'next Friday' }, 'scheduledAt', 'not an ISO 8601 date-time'],
      [
        { scheduledAt: '2027-03-28T02:30', timeZone: 'Europe/Berlin' },
        'scheduledAt',
        'does not exist in Europe/Berlin',
      ],
      [{ scheduledAt: '2027-04-01T10:00', timeZone: 'Elbflorenz/Dresden' }, 'timeZone', 'not an IANA time zone'],
      [{ timeZone: 'Europe/Berlin' }, 'timeZone', 'only goes with'],
    ] as const) {
      const problem = await refused(create(cityEditor, { text: 'Nie', ...input }));
      expect(problem.status).toBe(422);
      expect(problem.errors?.[0]?.field).toBe(field);
      expect(problem.errors?.[0]?.message).toContain(words);
    }
    expect(schedules.calls).toEqual([]);
    expect(await snapshot(harness.store)).toBe(before);
  });

  it('leaves nothing behind when the schedule cannot be created', async () => {
    const before = await snapshot(harness.store);
    schedules.failNext = 'create';
    const problem = await refused(create(cityEditor, { text: 'Ohne Zeitplan', scheduledAt: '2027-04-01T10:00Z' }));
    expect(problem.status).toBe(503);
    expect(await snapshot(harness.store)).toBe(before);
  });

  it('deletes the schedule again when the message cannot be written', async () => {
    const before = await snapshot(harness.store);
    const failingWrites: Store = {
      table: harness.store.table,
      doc: {
        send: (command: unknown) =>
          command instanceof TransactWriteCommand
            ? Promise.reject(new Error('write failed (injected)'))
            : harness.store.doc.send(command as never),
      } as unknown as Store['doc'],
    };
    await expect(
      createMessage(cityEditor, CreateMessageSchema.parse({ text: 'Halb', scheduledAt: '2027-04-01T10:00Z' }), {
        ...deps(),
        store: failingWrites,
      }),
    ).rejects.toThrow('write failed');
    const [created, deleted] = schedules.calls;
    expect(created).toMatch(/^create /);
    expect(deleted).toBe(created?.replace('create', 'delete'));
    expect(schedules.schedules.size).toBe(0);
    expect(await snapshot(harness.store)).toBe(before);
  });

  it('refuses to dispatch a message that is not there yet, so the invocation is retried', async () => {
    await expect(
      dispatchScheduledMessage('01NOTWRITTENYET0000000000', { store: harness.store, send: harness.send }),
    ).rejects.toBeInstanceOf(ScheduledMessageMissingError);
  });
});

describe('changing and cancelling a scheduled message', () => {
  it('moves the schedule and the stored time, and re-renders a new text', async () => {
    const created = await create(cityEditor, { text: 'Alt', scheduledAt: '2027-04-01T10:00Z' });
    const changed = await updateScheduledMessage(deps(), cityEditor, created.id, {
      scheduledAt: '2027-10-31T02:30+01:00',
      text: 'Neu: Laternenumzug',
    });
    expect(changed).toMatchObject({
      state: 'SCHEDULED',
      scheduledAt: '2027-10-31T01:30:00.000Z',
      scheduledAtLocal: '2027-10-31T02:30:00+01:00',
    });
    expect(schedules.schedules.get(created.id)?.toISOString()).toBe('2027-10-31T01:30:00.000Z');
    const stored = await getMessageWithDeliveries(harness.store, created.id);
    expect(stored?.message.text).toBe('Neu: Laternenumzug');
    expect(
      stored?.deliveries.every(
        (delivery) => delivery.state === 'SCHEDULED' && delivery.renderedText.includes('Laternenumzug'),
      ),
    ).toBe(true);
  });

  it('refuses changes that are not allowed, changing neither schedule nor message', async () => {
    const scheduled = await create(cityEditor, { text: 'Geplant', scheduledAt: '2027-04-01T10:00Z' });
    const sent = await create(cityEditor, { text: 'Sofort', channels: ['city-mastodon'] });
    const dispatched = await create(cityEditor, {
      text: 'Schon raus',
      scheduledAt: '2027-04-02T10:00Z',
      channels: ['city-telegram'],
    });
    await dispatchScheduledMessage(dispatched.id, { store: harness.store, send: harness.send });
    const ids = [scheduled.id, sent.id, dispatched.id];
    const calls = schedules.calls.length;
    const before = await snapshot(harness.store, ids);

    const cases: [() => Promise<unknown>, number, string][] = [
      [
        () => updateScheduledMessage(deps(), cityEditor, sent.id, { text: 'Korrektur' }),
        409,
        'went out when it was created',
      ],
      [
        () => updateScheduledMessage(deps(), cityEditor, dispatched.id, { scheduledAt: '2027-05-01T10:00Z' }),
        409,
        'DISPATCHED',
      ],
      [
        () => updateScheduledMessage(deps(), cityEditor, scheduled.id, { scheduledAt: '2027-03-01T10:00Z' }),
        422,
        'in the past',
      ],
      [
        () => updateScheduledMessage(deps(), cityEditor, scheduled.id, { scheduledAt: '2029-01-01T10:00Z' }),
        422,
        'more than a year ahead',
      ],
      [
        () => updateScheduledMessage(deps(), cityEditor, scheduled.id, { scheduledAt: '2027-05-01T10:00' }),
        422,
        'no offset',
      ],
      [() => updateScheduledMessage(deps(), cityEditor, scheduled.id, {}), 422, 'request has invalid fields'],
      [
        () => updateScheduledMessage(deps(), cityEditor, scheduled.id, { text: '   ' }),
        422,
        'request has invalid fields',
      ],
      [() => updateScheduledMessage(deps(), fireEditor, scheduled.id, { text: 'Fremd' }), 404, 'not found'],
      [
        () => updateScheduledMessage(deps(), { ...cityEditor, roles: [] }, scheduled.id, { text: 'Ohne Rolle' }),
        403,
        'editor',
      ],
      [() => cancelMessage(deps(), fireEditor, scheduled.id), 404, 'not found'],
      [() => cancelMessage(deps(), cityEditor, sent.id), 409, 'only SCHEDULED or HELD'],
      [() => cancelMessage(deps(), cityEditor, dispatched.id), 409, 'DISPATCHED'],
      [() => cancelMessage(deps(), cityAdmin, scheduled.id), 403, 'editor'],
      [() => releaseHeldMessage(deps(), cityEditor, scheduled.id), 409, 'only HELD'],
    ];
    for (const [action, status, words] of cases) {
      const problem = await refused(action);
      expect(problem.status, problem.message).toBe(status);
      expect(problem.message).toContain(words);
    }
    expect(schedules.calls.length).toBe(calls);
    expect(await snapshot(harness.store, ids)).toBe(before);
    expect(await drainJobs(harness)).toHaveLength(2);
  });

  it('sends a message at once when its new time has just passed, and deletes its schedule', async () => {
    const created = await create(cityEditor, {
      text: 'Doch jetzt',
      scheduledAt: '2027-04-01T10:00Z',
      channels: ['city-mastodon'],
    });
    const changed = await updateScheduledMessage(deps(), cityEditor, created.id, {
      scheduledAt: '2027-03-20T09:59:45Z',
    });
    expect(changed.state).toBe('DISPATCHED');
    expect(schedules.schedules.has(created.id)).toBe(false);
    expect((await drainJobs(harness)).map((job) => job.messageId)).toEqual([created.id]);
  });

  it('lets only the emergency role change or cancel a scheduled emergency message', async () => {
    const emergencyEditor: Principal = { sub: 'erik', org: 'city', roles: ['editor', 'emergency'] };
    const created = await create(emergencyEditor, {
      text: 'Sirenentest Samstag',
      priority: 'emergency',
      scheduledAt: '2027-04-03T11:00+02:00',
      channels: ['city-mastodon'],
    });
    expect((await refused(updateScheduledMessage(deps(), cityEditor, created.id, { text: 'geändert' }))).status).toBe(
      403,
    );
    expect((await refused(cancelMessage(deps(), cityEditor, created.id))).status).toBe(403);
    expect(
      (await updateScheduledMessage(deps(), emergencyEditor, created.id, { text: 'Sirenentest Samstag 11 Uhr' })).state,
    ).toBe('SCHEDULED');
    expect((await cancelMessage(deps(), emergencyEditor, created.id)).state).toBe('CANCELLED');
  });

  it('cancels: schedule deleted, message and waiting deliveries CANCELLED, a late dispatch does nothing', async () => {
    await setChannelState(harness.store, 'city-bluesky', 'frozen');
    const created = await create(cityEditor, {
      text: 'Abgesagt',
      scheduledAt: '2027-04-01T10:00Z',
      channels: ['city-mastodon', 'city-telegram', 'city-bluesky', 'city-whatsapp'],
    });
    const cancelled = await cancelMessage(deps(), cityEditor, created.id);
    expect(cancelled.state).toBe('CANCELLED');
    expect(schedules.schedules.has(created.id)).toBe(false);
    const stored = await getMessageWithDeliveries(harness.store, created.id);
    expect(stored?.message).toMatchObject({ state: 'CANCELLED', stateReason: 'cancelled by anna' });
    expect(
      Object.fromEntries(stored?.deliveries.map((delivery) => [delivery.channelId, delivery.state]) ?? []),
    ).toEqual({
      'city-mastodon': 'CANCELLED',
      'city-telegram': 'CANCELLED',
      'city-bluesky': 'SKIPPED',
      'city-whatsapp': 'CANCELLED',
    });
    expect((await dispatchScheduledMessage(created.id, { store: harness.store, send: harness.send })).outcome).toBe(
      'ignored',
    );
    expect(await drainJobs(harness)).toEqual([]);
  });
});

describe('crisis hold', () => {
  it('holds routine messages while an emergency runs, publishes them only after release, and the all-clear ends it', async () => {
    const routineScheduled = await create(fireEditor, {
      text: 'Tag der offenen Tür',
      scheduledAt: '2027-03-20T12:00Z',
    });
    const emergency = await create(fireEditor, {
      text: 'Bombenfund: Evakuierung Innere Neustadt',
      priority: 'emergency',
    });
    expect(emergency.state).toBeUndefined();
    expect((await drainJobs(harness)).map((job) => job.messageId)).toEqual([emergency.id, emergency.id]);
    expect(await holdFor(harness.store, 'fire-brigade')).toMatchObject({ held: true });

    // A new immediate routine post and the scheduled one at its time are both held.
    const routineNow = await create(fireEditor, { text: 'Übung am Montag' });
    expect(routineNow.state).toBe('HELD');
    expect(routineNow.stateReason).toContain(emergency.id);
    const dispatched = await dispatchScheduledMessage(routineScheduled.id, {
      store: harness.store,
      send: harness.send,
    });
    expect(dispatched.outcome).toBe('held');
    // Emergency messages are never held; the city is not held by the fire brigade's crisis.
    const update = await create(fireEditor, {
      text: 'Update: Sperrkreis erweitert',
      priority: 'emergency',
      replyTo: emergency.id,
    });
    expect(update.state).toBeUndefined();
    const cityPost = await create(cityEditor, { text: 'Stadtbibliothek geöffnet', channels: ['city-mastodon'] });
    expect(cityPost.state).toBeUndefined();
    const jobs = await drainJobs(harness);
    expect(jobs.map((job) => job.messageId).sort()).toEqual([update.id, update.id, cityPost.id].sort());

    const held = await listMessagesInState(harness.store, fireEditor, { state: 'HELD' });
    expect(held.items.map((message) => message.id).sort()).toEqual([routineScheduled.id, routineNow.id].sort());
    expect((await listMessagesInState(harness.store, cityEditor, { state: 'HELD' })).items).toEqual([]);

    const released = await releaseHeldMessage(deps(), fireEditor, routineNow.id);
    expect(released.state).toBe('DISPATCHED');
    expect((await drainJobs(harness)).map((job) => job.messageId)).toEqual([routineNow.id, routineNow.id]);
    expect(
      (await listMessagesInState(harness.store, fireEditor, { state: 'HELD' })).items.map((message) => message.id),
    ).toEqual([routineScheduled.id]);

    // The all-clear replies to the update; the crisis is named by the first message of the thread.
    const allClear = await create(
      fireEditor,
      { text: 'Entwarnung: Sperrkreis aufgehoben', replyTo: update.id },
      'all-clear',
    );
    expect(allClear.state).toBeUndefined();
    expect(await holdFor(harness.store, 'fire-brigade')).toEqual({ held: false });
    const afterwards = await create(fireEditor, { text: 'Wieder Alltag' });
    expect(afterwards.state).toBeUndefined();
    // The message held during the crisis still waits for a person.
    expect((await getMessageWithDeliveries(harness.store, routineScheduled.id))?.message.state).toBe('HELD');
    const cancelled = await cancelMessage(deps(), fireEditor, routineScheduled.id);
    expect(cancelled.state).toBe('CANCELLED');
    expect((await drainJobs(harness)).map((job) => job.messageId).sort()).toEqual(
      [allClear.id, allClear.id, afterwards.id, afterwards.id].sort(),
    );
  });

  it('holds the city with the fire brigade when the city follows its hold', async () => {
    await putOrgSchedulingSettings(harness.store, 'city', { holdsWith: ['fire-brigade'] });
    await setOrgHold(harness.store, fireAdmin, 'fire-brigade', { active: true, reason: 'Großbrand Hafen' }, NOW);
    const cityPost = await create(cityEditor, { text: 'Wochenmarkt', channels: ['city-mastodon'] });
    expect(cityPost).toMatchObject({
      state: 'HELD',
      stateReason: 'crisis hold of fire-brigade switched on by chief: Großbrand Hafen',
    });
    await setOrgHold(harness.store, fireAdmin, 'fire-brigade', { active: false }, NOW);
    expect(
      (await create(cityEditor, { text: 'Wochenmarkt, jetzt', channels: ['city-mastodon'] })).state,
    ).toBeUndefined();
  });

  it('is switched by an admin of the organisation only', async () => {
    const before = await rawItem(harness.store, schedulingKeys.orgHold('city'));
    expect((await refused(setOrgHold(harness.store, cityEditor, 'city', { active: true }))).status).toBe(403);
    expect((await refused(setOrgHold(harness.store, fireAdmin, 'city', { active: true }))).status).toBe(403);
    expect((await refused(setOrgHold(harness.store, cityAdmin, 'city', { active: 'yes' }))).status).toBe(422);
    expect(await rawItem(harness.store, schedulingKeys.orgHold('city'))).toEqual(before);
    const view = await setOrgHold(harness.store, cityAdmin, 'city', { active: true, reason: 'Hochwasser' }, NOW);
    expect(view).toMatchObject({ org: 'city', active: true, manual: { by: 'boss', reason: 'Hochwasser' } });
    expect((await create(cityEditor, { text: 'Konzert im Park', channels: ['city-mastodon'] })).state).toBe('HELD');
  });

  it('an admin ends a crisis whose all-clear never came', async () => {
    await create(fireEditor, { text: 'Großbrand', priority: 'emergency', channels: ['fire-mastodon'] });
    expect((await holdFor(harness.store, 'fire-brigade')).held).toBe(true);
    const view = await setOrgHold(harness.store, fireAdmin, 'fire-brigade', { active: false }, NOW);
    expect(view).toMatchObject({ active: false, emergencies: [] });
    expect((await create(fireEditor, { text: 'Routine', channels: ['fire-mastodon'] })).state).toBeUndefined();
  });
});

describe('through the function entry points', () => {
  const context = {
    functionName: 'ingest',
    awsRequestId: 'test',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;

  function request(
    method: string,
    path: string,
    routePath: string,
    principal: Principal,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<ApiResult> {
    const event = {
      routeKey: `${method} ${routePath}`,
      rawPath: path,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
      pathParameters: Object.fromEntries(
        routePath
          .split('/')
          .flatMap((part, index) => (part.startsWith('{') ? [[part.slice(1, -1), path.split('/')[index]]] : [])),
      ),
      queryStringParameters: query,
      requestContext: {
        authorizer: {
          jwt: { claims: { sub: principal.sub, org: principal.org, roles: `[${principal.roles.join(' ')}]` } },
        },
      },
    } as unknown as ApiEvent;
    return ingest(event, context) as Promise<ApiResult>;
  }

  beforeAll(() => {
    Object.assign(process.env, harness.env);
    installSchedulePort(new RecordingSchedules());
  });

  it('answers refusals as problem+json 4xx with the field named', async () => {
    const created = await request('POST', '/messages', '/messages', cityEditor, {
      text: 'x',
      scheduledAt: '2020-01-01T10:00:00Z',
    });
    expect(created.statusCode).toBe(422);
    expect(created.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(created.body)).errors[0].field).toBe('scheduledAt');

    const foreign = await create(fireEditor, {
      text: 'Fremd',
      scheduledAt: '2027-04-01T10:00Z',
      channels: ['fire-mastodon'],
    });
    const cancel = await request('DELETE', `/messages/${foreign.id}`, '/messages/{id}', cityEditor);
    expect(cancel.statusCode).toBe(404);
    expect(cancel.headers?.['content-type']).toBe('application/problem+json');
    expect((await getMessageWithDeliveries(harness.store, foreign.id))?.message.state).toBe('SCHEDULED');

    const badState = await request('GET', '/messages', '/messages', cityEditor, undefined, { state: 'PUBLISHED' });
    expect(badState.statusCode).toBe(422);
    const hold = await request('PUT', '/organisations/fire-brigade/hold', '/organisations/{org}/hold', cityAdmin, {
      active: true,
    });
    expect(hold.statusCode).toBe(403);
  });

  it('dispatches from the schedule event, once, and drops a malformed event', async () => {
    const created = await create(cityEditor, {
      text: 'Aus dem Zeitplan',
      scheduledAt: '2027-04-01T10:00Z',
      channels: ['city-bluesky'],
    });
    expect(await dispatchFunction({ messageId: created.id }, context)).toEqual({
      outcome: 'dispatched',
      messageId: created.id,
      state: 'DISPATCHED',
    });
    expect(await dispatchFunction({ messageId: created.id }, context)).toMatchObject({ outcome: 'ignored' });
    expect(await dispatchFunction({ message: 'nonsense' }, context)).toMatchObject({
      outcome: 'ignored',
      reason: 'invalid event',
    });
    expect((await drainJobs(harness)).map((job) => job.channelId)).toEqual(['city-bluesky']);
  });

  it('lists held messages and releases them', async () => {
    expect(
      (
        await request('PUT', '/organisations/city/hold', '/organisations/{org}/hold', cityAdmin, {
          active: true,
          reason: 'Test',
        })
      ).statusCode,
    ).toBe(200);
    const held = await create(cityEditor, { text: 'Wartet', channels: ['city-telegram'] });
    const list = await request('GET', '/messages', '/messages', cityEditor, undefined, { state: 'HELD' });
    expect(JSON.parse(String(list.body)).items.map((message: { id: string }) => message.id)).toContain(held.id);
    const released = await request('POST', `/messages/${held.id}/release`, '/messages/{id}/release', cityEditor);
    expect(released.statusCode).toBe(202);
    expect(JSON.parse(String(released.body)).state).toBe('DISPATCHED');
    expect((await drainJobs(harness)).map((job) => job.channelId)).toEqual(['city-telegram']);
  });
});

/**
 * The local scheduler under a clock the test moves: many messages over a minute go out each exactly
 * once, never early and within a second of their time, also with two scheduler loops on one table,
 * across a restart, and while messages are cancelled and moved.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler, ManualClock, startLocalScheduler, type Clock } from '../../local/scheduler';
import { createMessage } from '../../shared/intake/create-message';
import type { CreatedMessage } from '../../shared/messages/summaries';
import { CreateMessageSchema, type CreateMessageInput, type Principal } from '../../shared/model/schemas';
import { logger } from '../../shared/observability/powertools';
import { cancelMessage, updateScheduledMessage } from '../../shared/scheduling/change';
import { dispatchScheduledMessage } from '../../shared/scheduling/dispatch';
import { schedulePort } from '../../shared/scheduling/schedules';
import { formatInZone } from '../../shared/scheduling/time';
import { getMessage } from '../../shared/store/messages';
import { schedulingKeys } from '../../shared/store/keys';
import { drainJobs, startHarness, type Harness } from './scheduling-harness';

vi.setConfig({ testTimeout: 180_000 });

const editor: Principal = { sub: 'anna', org: 'city', roles: ['editor'] };
let harness: Harness;

interface Fired {
  messageId: string;
  at: number;
}

/** A scheduler whose dispatch records the clock time of every invocation. */
function schedulerWith(clock: Clock, fired: Fired[], options: { pollMs?: number; failFirst?: Set<string> } = {}) {
  return new LocalScheduler({
    store: harness.store,
    clock,
    pollMs: options.pollMs,
    retry: { attempts: 3, delayMs: 500 },
    log: () => undefined,
    dispatch: async ({ messageId }) => {
      if (options.failFirst?.delete(messageId)) throw new Error('dispatch crashed (injected)');
      fired.push({ messageId, at: clock.now() });
      await dispatchScheduledMessage(messageId, {
        store: harness.store,
        send: harness.send,
        now: () => new Date(clock.now()),
      });
    },
  });
}

function schedule(scheduler: LocalScheduler, clock: Clock, input: CreateMessageInput): Promise<CreatedMessage> {
  return createMessage(editor, CreateMessageSchema.parse(input), {
    store: harness.store,
    send: harness.send,
    schedules: scheduler,
    now: () => new Date(clock.now()),
  });
}

/** Move the clock in steps, letting every scheduler fire what is due after each step. */
async function runUntil(clock: ManualClock, until: number, schedulers: LocalScheduler[], stepMs = 200): Promise<void> {
  while (clock.now() < until) {
    clock.advance(stepMs);
    await Promise.all(schedulers.map((scheduler) => scheduler.tick()));
  }
}

async function localSchedulesLeft(): Promise<number> {
  const page = await harness.store.doc.send(
    new QueryCommand({
      TableName: harness.store.table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': schedulingKeys.localSchedulesDue() },
    }),
  );
  return page.Count ?? 0;
}

function expectOnTime(fired: Fired[], created: CreatedMessage[]) {
  const due = new Map(created.map((message) => [message.id, Date.parse(String(message.scheduledAt))]));
  for (const { messageId, at } of fired) {
    const scheduledAt = due.get(messageId) as number;
    expect(at, `${messageId} early`).toBeGreaterThanOrEqual(scheduledAt);
    expect(at - scheduledAt, `${messageId} late`).toBeLessThan(1000);
  }
}

const counts = (values: string[]) =>
  values.reduce((map, value) => map.set(value, (map.get(value) ?? 0) + 1), new Map<string, number>());

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

beforeEach(async () => {
  await drainJobs(harness);
});

describe('local scheduler with a controllable clock', () => {
  it('sends 200 messages scheduled over the next minute each exactly once, none early, each within 1 s', async () => {
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const clock = new ManualClock(start);
    const fired: Fired[] = [];
    // Two loops on one table: the claim lets only one of them fire each schedule.
    const schedulers = [schedulerWith(clock, fired), schedulerWith(clock, fired)];
    const created: CreatedMessage[] = [];
    for (let index = 0; index < 200; index += 1) {
      const at = new Date(start + 1000 + Math.floor((index * 59_000) / 199) + (index % 7) * 111);
      // The same instant written three ways: UTC with milliseconds, Berlin offset, New York wall time.
      const when =
        index % 3 === 0
          ? { scheduledAt: at.toISOString() }
          : index % 3 === 1
            ? { scheduledAt: formatInZone(new Date(Math.ceil(at.getTime() / 1000) * 1000), 'Europe/Berlin') }
            : {
                scheduledAt: formatInZone(new Date(Math.ceil(at.getTime() / 1000) * 1000), 'America/New_York').slice(
                  0,
                  19,
                ),
                timeZone: 'America/New_York',
              };
      const channels = index % 20 === 0 ? ['city-mastodon', 'city-telegram'] : ['city-mastodon'];
      created.push(
        await schedule(schedulers[index % 2] as LocalScheduler, clock, { text: `Termin ${index}`, channels, ...when }),
      );
    }
    expect(created.every((message) => message.state === 'SCHEDULED')).toBe(true);
    expect(new Set(created.map((message) => message.scheduledAt)).size).toBeGreaterThan(50);
    expect(await drainJobs(harness)).toEqual([]);

    await runUntil(clock, start + 62_000, schedulers);

    expect([...counts(fired.map((entry) => entry.messageId)).values()].every((count) => count === 1)).toBe(true);
    expect(fired).toHaveLength(200);
    expectOnTime(fired, created);
    const jobs = await drainJobs(harness);
    expect(jobs).toHaveLength(210);
    expect(
      [...counts(jobs.map((job) => `${job.messageId}/${job.channelId}`)).values()].every((count) => count === 1),
    ).toBe(true);
    expect(await localSchedulesLeft()).toBe(0);
    for (const message of created.slice(0, 20))
      expect((await getMessage(harness.store, message.id))?.state).toBe('DISPATCHED');
  });

  it('cancels and reschedules under the same clock: cancelled never go out, moved ones go out at their new time only', async () => {
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const clock = new ManualClock(start);
    const fired: Fired[] = [];
    const scheduler = schedulerWith(clock, fired);
    const created: CreatedMessage[] = [];
    for (let index = 0; index < 20; index += 1) {
      created.push(
        await schedule(scheduler, clock, {
          text: `Plan ${index}`,
          channels: ['city-telegram'],
          scheduledAt: new Date(start + 10_000 + index * 1000).toISOString(),
        }),
      );
    }
    const deps = { store: harness.store, send: harness.send, schedules: scheduler, now: () => new Date(clock.now()) };
    const cancelled = created.slice(0, 5);
    const later = created.slice(5, 10);
    const earlier = created.slice(10, 15);
    for (const message of cancelled) await cancelMessage(deps, editor, message.id);
    const moved: CreatedMessage[] = [];
    for (const [offset, message] of later.entries())
      moved.push(
        await updateScheduledMessage(deps, editor, message.id, {
          scheduledAt: new Date(start + 40_000 + offset * 1000).toISOString(),
        }),
      );
    for (const [offset, message] of earlier.entries())
      moved.push(
        await updateScheduledMessage(deps, editor, message.id, {
          scheduledAt: new Date(start + 2000 + offset * 500).toISOString(),
        }),
      );

    await runUntil(clock, start + 45_000, [scheduler]);

    const expected = [...moved, ...created.slice(15)];
    expect(fired.map((entry) => entry.messageId).sort()).toEqual(expected.map((message) => message.id).sort());
    expectOnTime(fired, expected);
    const jobs = await drainJobs(harness);
    expect(jobs.map((job) => job.messageId).sort()).toEqual(expected.map((message) => message.id).sort());
    for (const message of cancelled) expect((await getMessage(harness.store, message.id))?.state).toBe('CANCELLED');
    expect(await localSchedulesLeft()).toBe(0);
  });

  it('keeps schedules across a restart and retries a dispatch that failed', async () => {
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const clock = new ManualClock(start);
    const fired: Fired[] = [];
    const before = schedulerWith(clock, fired);
    const created: CreatedMessage[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push(
        await schedule(before, clock, {
          text: `Neustart ${index}`,
          channels: ['city-mastodon'],
          scheduledAt: new Date(start + 3000 + index * 1000).toISOString(),
        }),
      );
    }
    await runUntil(clock, start + 3000, [before]);
    await before.stop();
    expect(fired.map((entry) => entry.messageId)).toEqual([created[0]?.id]);

    // A new process: nothing in memory, the schedules come from the table.
    const flaky = new Set([String(created[2]?.id)]);
    const after = schedulerWith(clock, fired, { failFirst: flaky });
    await runUntil(clock, start + 10_000, [after]);
    expect(fired.map((entry) => entry.messageId).sort()).toEqual(created.map((message) => message.id).sort());
    const retried = fired.find((entry) => entry.messageId === created[2]?.id);
    expect(retried?.at).toBeGreaterThanOrEqual(start + 5000 + 500);
    expect((await drainJobs(harness)).map((job) => job.messageId).sort()).toEqual(
      created.map((message) => message.id).sort(),
    );
    expect(await localSchedulesLeft()).toBe(0);
  });

  it('runs on its own with the system clock as the process schedule port', async () => {
    const fired: Fired[] = [];
    const scheduler = startLocalScheduler({
      store: harness.store,
      pollMs: 100,
      log: () => undefined,
      dispatch: async ({ messageId }) => {
        fired.push({ messageId, at: Date.now() });
        await dispatchScheduledMessage(messageId, { store: harness.store, send: harness.send });
      },
    });
    try {
      expect(schedulePort()).toBe(scheduler);
      // No schedule port passed: the message gets its schedule from the installed local scheduler.
      const input = CreateMessageSchema.parse({
        text: 'Echtzeit',
        channels: ['city-mastodon'],
        scheduledAt: new Date(Date.now() + 2000).toISOString(),
      });
      const created = await createMessage(editor, input, { store: harness.store, send: harness.send });
      await vi.waitFor(() => expect(fired).toHaveLength(1), { timeout: 6000, interval: 50 });
      expectOnTime(fired, [created]);
      expect((await drainJobs(harness)).map((job) => job.messageId)).toEqual([created.id]);
    } finally {
      await scheduler.stop();
    }
  });
});

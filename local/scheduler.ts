/**
 * The local stand-in for EventBridge Scheduler's one-time schedules: an in-process SchedulePort.
 * Schedules are items in the local table (`LOCALSCHEDULE#<name>`, indexed by due time in GSI1), so
 * they survive a restart of the stack; a loop fires each due one by claiming it with a conditional
 * update (two loops, or a loop and a restart, never fire the same schedule twice), invokes the
 * dispatch function, and deletes it afterwards (ActionAfterCompletion: DELETE). A failed invocation
 * is retried a few times and then dropped with an error, like a retry policy ending in a DLQ.
 * The clock is injectable so tests move time by hand.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DispatchEvent, MessageSchedule, SchedulePort } from '../shared/scheduling/schedules';
import { installSchedulePort, ScheduleNotFoundError } from '../shared/scheduling/schedules';
import { isConditionFailure, queryAll, type Store } from '../shared/store/client';
import { schedulingKeys } from '../shared/store/keys';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | Date) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export interface LocalSchedulerOptions {
  store: Store;
  /** what a schedule invokes: the dispatch function's handler in the local stack */
  dispatch: (event: DispatchEvent) => Promise<unknown>;
  clock?: Clock;
  /** real time between two looks at the table (default 200 ms) */
  pollMs?: number;
  /** clock time a claimed schedule stays claimed before another loop may fire it again (default 60 s) */
  leaseMs?: number;
  retry?: { attempts: number; delayMs: number };
  /** schedules fired at the same time */
  concurrency?: number;
  log?: (line: string, error?: unknown) => void;
}

interface DueSchedule {
  name: string;
  dueKey: string;
  attempts: number;
}

export class LocalScheduler implements SchedulePort {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: Required<Omit<LocalSchedulerOptions, 'store' | 'clock'>>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(options: LocalSchedulerOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.options = {
      dispatch: options.dispatch,
      pollMs: options.pollMs ?? 200,
      leaseMs: options.leaseMs ?? 60_000,
      retry: options.retry ?? { attempts: 3, delayMs: 1000 },
      concurrency: options.concurrency ?? 8,
      log: options.log ?? ((line, error) => (error ? console.error(line, error) : console.log(line))),
    };
  }

  async create(schedule: MessageSchedule): Promise<void> {
    const due = schedule.at.getTime();
    await this.store.doc.send(
      new PutCommand({
        TableName: this.store.table,
        Item: {
          ...schedulingKeys.localSchedule(schedule.messageId),
          ...this.dueIndex(due, schedule.messageId),
          name: schedule.messageId,
          dueAt: schedule.at.toISOString(),
          attempts: 0,
        },
        // EventBridge Scheduler refuses a second schedule of the same name (ConflictException).
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async update(schedule: MessageSchedule): Promise<void> {
    const due = schedule.at.getTime();
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.table,
          Key: schedulingKeys.localSchedule(schedule.messageId),
          UpdateExpression: 'SET GSI1SK = :due, dueAt = :dueAt, attempts = :zero',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: {
            ':due': this.dueIndex(due, schedule.messageId).GSI1SK,
            ':dueAt': schedule.at.toISOString(),
            ':zero': 0,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ScheduleNotFoundError(schedule.messageId);
      throw error;
    }
  }

  async delete(messageId: string): Promise<void> {
    await this.store.doc.send(
      new DeleteCommand({ TableName: this.store.table, Key: schedulingKeys.localSchedule(messageId) }),
    );
  }

  /** Fire every schedule due by the clock's now; resolves with the number fired successfully. */
  async tick(): Promise<number> {
    const now = this.clock.now();
    const due = await this.dueSchedules(now);
    let fired = 0;
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const schedule = due[next++] as DueSchedule;
        if (await this.fire(schedule, now)) fired += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return fired;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.tick().catch((error: unknown) => this.options.log('local scheduler: tick failed', error));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private dueIndex(dueMs: number, name: string) {
    return { GSI1PK: schedulingKeys.localSchedulesDue(), GSI1SK: schedulingKeys.localSchedulesDueSort(dueMs, name) };
  }

  private async dueSchedules(now: number): Promise<DueSchedule[]> {
    const items = await queryAll(this.store.doc, {
      TableName: this.store.table,
      IndexName: 'GSI1',
      // Sort keys start with the ISO due time: everything before now + 1 ms is due.
      KeyConditionExpression: 'GSI1PK = :schedules AND GSI1SK < :upper',
      ExpressionAttributeValues: {
        ':schedules': schedulingKeys.localSchedulesDue(),
        ':upper': new Date(now + 1).toISOString(),
      },
    });
    return items.map((item) => ({
      name: String(item.name),
      dueKey: String(item.GSI1SK),
      attempts: Number(item.attempts ?? 0),
    }));
  }

  /** Claim, invoke, delete; false when another loop had it or the invocation failed. */
  private async fire(schedule: DueSchedule, now: number): Promise<boolean> {
    const claimKey = this.dueIndex(now + this.options.leaseMs, schedule.name).GSI1SK;
    if (!(await this.moveDue(schedule.name, schedule.dueKey, claimKey, schedule.attempts))) return false;
    try {
      await this.options.dispatch({ messageId: schedule.name });
    } catch (error) {
      const attempts = schedule.attempts + 1;
      if (attempts >= this.options.retry.attempts) {
        this.options.log(
          `local scheduler: schedule ${schedule.name} failed ${attempts} times, dropped (dead-lettered)`,
          error,
        );
        await this.deleteIfUnchanged(schedule.name, claimKey);
      } else {
        this.options.log(`local scheduler: schedule ${schedule.name} failed, retrying`, error);
        await this.moveDue(
          schedule.name,
          claimKey,
          this.dueIndex(now + this.options.retry.delayMs, schedule.name).GSI1SK,
          attempts,
        );
      }
      return false;
    }
    await this.deleteIfUnchanged(schedule.name, claimKey);
    return true;
  }

  private async moveDue(name: string, from: string, to: string, attempts: number): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.table,
          Key: schedulingKeys.localSchedule(name),
          UpdateExpression: 'SET GSI1SK = :to, attempts = :attempts',
          ConditionExpression: 'GSI1SK = :from',
          ExpressionAttributeValues: { ':from': from, ':to': to, ':attempts': attempts },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** After firing: delete, unless the schedule was moved meanwhile (then it fires again at its new time). */
  private async deleteIfUnchanged(name: string, claimKey: string): Promise<void> {
    try {
      await this.store.doc.send(
        new DeleteCommand({
          TableName: this.store.table,
          Key: schedulingKeys.localSchedule(name),
          ConditionExpression: 'GSI1SK = :claimed',
          ExpressionAttributeValues: { ':claimed': claimKey },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/**
 * For the local stack: a scheduler that is the process's schedule port (so the HTTP handlers'
 * scheduled messages land in it) and is already running. Stop it with `stop()` on shutdown.
 */
export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const scheduler = new LocalScheduler(options);
  installSchedulePort(scheduler);
  scheduler.start();
  return scheduler;
}

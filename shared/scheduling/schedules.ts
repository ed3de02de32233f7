/**
 * The one-time schedule behind every scheduled message, behind a small port: EventBridge Scheduler
 * in AWS, the in-process scheduler of local/scheduler.ts in the local stack. A schedule is named
 * after its message and invokes the dispatch function with `{ "messageId": … }`.
 */
import type * as SchedulerSdk from './scheduler-sdk';
import type { CreateScheduleInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import * as z from 'zod';
import { atExpression } from './time';

export interface MessageSchedule {
  messageId: string;
  at: Date;
}

export interface SchedulePort {
  create(schedule: MessageSchedule): Promise<void>;
  /** moves an existing schedule; throws ScheduleNotFoundError when it has fired or was deleted */
  update(schedule: MessageSchedule): Promise<void>;
  /** removes the schedule; a schedule that is already gone is not an error */
  delete(messageId: string): Promise<void>;
}

export class ScheduleNotFoundError extends Error {
  constructor(messageId: string) {
    super(`no schedule for message ${messageId}`);
    this.name = 'ScheduleNotFoundError';
  }
}

/** What the dispatch function receives. */
export const DispatchEventSchema = z.object({ messageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type DispatchEvent = z.infer<typeof DispatchEventSchema>;

export const SCHEDULE_ENV = {
  group: 'HEROLD_SCHEDULE_GROUP',
  dispatchArn: 'HEROLD_DISPATCH_ARN',
  roleArn: 'HEROLD_SCHEDULER_ROLE_ARN',
  deadLetterArn: 'HEROLD_SCHEDULE_DLQ_ARN',
} as const;

const ScheduleConfigSchema = z.object({
  group: z.string().min(1),
  dispatchArn: z.string().startsWith('arn:'),
  roleArn: z.string().startsWith('arn:'),
  deadLetterArn: z.string().startsWith('arn:'),
});
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

export function scheduleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleConfig {
  const config = Object.fromEntries(Object.entries(SCHEDULE_ENV).map(([name, variable]) => [name, env[variable]]));
  const parsed = ScheduleConfigSchema.safeParse(config);
  if (!parsed.success) throw new Error(`scheduled messages need ${Object.values(SCHEDULE_ENV).join(', ')} to be set`);
  return parsed.data;
}

/**
 * The dispatch is idempotent, so the scheduler may retry freely; an event it still cannot deliver
 * after an hour goes to the dead-letter queue, where an alarm picks it up.
 */
export const SCHEDULE_RETRY_POLICY = { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 } as const;

/** The full CreateSchedule/UpdateSchedule request (UpdateSchedule replaces every field). */
export function scheduleRequest(config: ScheduleConfig, schedule: MessageSchedule): CreateScheduleInput {
  return {
    Name: schedule.messageId,
    GroupName: config.group,
    Description: `Herold: dispatch scheduled message ${schedule.messageId}`,
    ScheduleExpression: atExpression(schedule.at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: config.dispatchArn,
      RoleArn: config.roleArn,
      Input: JSON.stringify({ messageId: schedule.messageId } satisfies DispatchEvent),
      DeadLetterConfig: { Arn: config.deadLetterArn },
      RetryPolicy: { ...SCHEDULE_RETRY_POLICY },
    },
  };
}

/**
 * The Scheduler client is loaded on the first schedule change, not when the module loads: the
 * functions that import this module (ingest, dispatch, the NINA poller) mostly never change a
 * schedule, and each of them would otherwise pay for the client at every cold start.
 */
export function eventBridgeSchedules(config: ScheduleConfig, client?: SchedulerClient): SchedulePort {
  let loaded: Promise<{ sdk: typeof SchedulerSdk; client: SchedulerClient }> | undefined;
  const scheduler = () =>
    (loaded ??= import('./scheduler-sdk').then((sdk) => ({
      sdk,
      client: client ?? new sdk.SchedulerClient({}),
    })));
  return {
    async create(schedule) {
      const { sdk, client } = await scheduler();
      await client.send(new sdk.CreateScheduleCommand(scheduleRequest(config, schedule)));
    },
    async update(schedule) {
      const { sdk, client } = await scheduler();
      try {
        await client.send(new sdk.UpdateScheduleCommand(scheduleRequest(config, schedule)));
      } catch (error) {
        if (error instanceof sdk.ResourceNotFoundException) throw new ScheduleNotFoundError(schedule.messageId);
        throw error;
      }
    },
    async delete(messageId) {
      const { sdk, client } = await scheduler();
      try {
        await client.send(new sdk.DeleteScheduleCommand({ Name: messageId, GroupName: config.group }));
      } catch (error) {
        if (!(error instanceof sdk.ResourceNotFoundException)) throw error;
      }
    },
  };
}

let current: SchedulePort | undefined;

/** The process's schedule port: EventBridge Scheduler from the environment unless one was installed. */
export function schedulePort(): SchedulePort {
  current ??= eventBridgeSchedules(scheduleConfigFromEnv());
  return current;
}

/** The local stack installs its in-process scheduler here before serving requests. */
export function installSchedulePort(port: SchedulePort): void {
  current = port;
}

/**
 * How a message enters Herold, top-down: plan its deliveries (messages/), then either leave it
 * for its time or a person (scheduling/), or write it and send its jobs now (messages/).
 * Scheduling depends on messages, never the other way round; only this module sees both.
 */
import type { CreateMessage, Principal } from '../model/schemas';
import { writeAndSend } from '../messages/enqueue';
import { planMessage, type CreateMessageOptions, type PlanDeps } from '../messages/plan-message';
import type { CreatedMessage } from '../messages/summaries';
import type { sendJobs } from '../queue/jobs';
import { holdFor, noteCrisis } from '../scheduling/crisis';
import { deferMessage } from '../scheduling/defer';
import type { SchedulePort } from '../scheduling/schedules';

export interface CreateMessageDeps extends PlanDeps {
  send?: typeof sendJobs;
  now?: () => Date;
  /** where scheduled messages get their one-time schedule (default: the process's schedule port) */
  schedules?: SchedulePort;
}

export async function createMessage(
  principal: Principal,
  input: CreateMessage,
  deps: CreateMessageDeps,
  options: CreateMessageOptions = {},
): Promise<CreatedMessage> {
  const now = (deps.now ?? (() => new Date()))();
  // The hold is read alongside the channels: one round trip less on the way to the queues.
  const hold = holdFor(deps.store, principal.org);
  hold.catch(() => undefined);

  const planned = await planMessage(principal, input, deps, now, options);

  // A scheduled message, or a routine one during a crisis hold, waits instead of going out now.
  const deferred = await deferMessage(planned, { ...deps, now: () => now, hold });
  if (deferred) return deferred;

  const created = await writeAndSend(deps.store, principal, planned, now, deps.send);
  // A dry run never starts or ends a crisis; one waiting for approval starts it when it is approved.
  const { message } = planned;
  if (!message.dryRun && !message.approval?.required) await noteCrisis(deps.store, message, now);
  return created;
}

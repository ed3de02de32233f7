/**
 * The branch of message creation for messages that do not go out at once: a scheduled message
 * waits for its one-time schedule, a routine message created during a crisis hold waits for a
 * person. Everything that can be refused (time, channels, content) is refused before anything is
 * written, so a refusal leaves neither a schedule nor a message behind.
 */
import { ProblemError } from '../api/problem';
import type { PlannedMessage } from '../messages/plan-message';
import { deliverySummaries, type CreatedMessage } from '../messages/summaries';
import type { Delivery, Message } from '../model/schemas';
import { logger } from '../observability/powertools';
import { holdFor, isRoutine, type HoldDecision } from './crisis';
import { dispatchScheduledMessage, type DispatchDeps } from './dispatch';
import { schedulePort, type SchedulePort } from './schedules';
import { getOrgSchedulingSettings } from './settings';
import { MAX_WAITING_DELIVERIES, putWaitingMessage, removeScheduledMessage, type WaitingState } from './store';
import { formatInZone, parseScheduledAt } from './time';

type DeferDeps = DispatchDeps & {
  now: () => Date;
  /** where scheduled messages get their one-time schedule (default: the process's schedule port) */
  schedules?: SchedulePort;
  /** the organisation's hold, when the caller has already started reading it */
  hold?: Promise<HoldDecision>;
};

/** The created message when it waits, or undefined when it goes out now. */
export async function deferMessage(planned: PlannedMessage, deps: DeferDeps): Promise<CreatedMessage | undefined> {
  const { message, input } = planned;
  if (input.timeZone !== undefined && input.scheduledAt === undefined) {
    throw new ProblemError(422, 'timeZone only goes with scheduledAt', {
      errors: [{ field: 'timeZone', message: 'only goes with a local scheduledAt' }],
    });
  }
  if (input.scheduledAt !== undefined) return scheduleMessage(planned, input.scheduledAt, deps);
  if (!isRoutine(message)) return undefined;
  const hold = await (deps.hold ?? holdFor(deps.store, message.org));
  if (!hold.held) return undefined;
  const held: Message & { state: 'HELD' } = {
    ...message,
    state: 'HELD',
    ...(hold.reason ? { stateReason: hold.reason } : {}),
  };
  const deliveries = waitingDeliveries(planned.deliveries, 'HELD');
  await putWaitingMessage(deps.store, held, deliveries);
  logger.info('message held', { messageId: message.id, org: message.org, reason: hold.reason });
  return {
    id: held.id,
    state: held.state,
    ...(held.stateReason ? { stateReason: held.stateReason } : {}),
    deliveries: deliverySummaries(deliveries),
  };
}

async function scheduleMessage(planned: PlannedMessage, scheduledAt: string, deps: DeferDeps): Promise<CreatedMessage> {
  const now = deps.now();
  const settings = await getOrgSchedulingSettings(deps.store, planned.message.org);
  const at = parseScheduledAt(
    { scheduledAt, timeZone: planned.input.timeZone },
    { now, orgTimeZone: settings.timeZone },
  );
  const message: Message & { state: 'SCHEDULED' } = {
    ...planned.message,
    state: 'SCHEDULED',
    scheduledAt: at.toISOString(),
    scheduledAtLocal: formatInZone(at, settings.timeZone),
    timeZone: settings.timeZone,
  };
  const deliveries = waitingDeliveries(planned.deliveries, 'SCHEDULED');

  if (at.getTime() <= now.getTime()) {
    // Due already (up to a minute late): no schedule, dispatched right here like any due message.
    await putWaitingMessage(deps.store, message, deliveries);
    const outcome = await dispatchScheduledMessage(message.id, deps);
    return {
      id: message.id,
      ...scheduleFields(message),
      ...(outcome.outcome === 'ignored' ? { deliveries: deliverySummaries(deliveries) } : outcome.view),
    };
  }

  // The schedule first: if the message write then fails we delete the schedule, and a schedule that
  // outlives a failed cleanup fires into a missing message, which the dispatch refuses loudly.
  const schedules = deps.schedules ?? schedulePort();
  try {
    await schedules.create({ messageId: message.id, at });
  } catch (error) {
    logger.error('schedule could not be created', { messageId: message.id, error: error as Error });
    throw new ProblemError(503, 'the schedule could not be created; nothing was saved, please try again');
  }
  try {
    await putWaitingMessage(deps.store, message, deliveries);
  } catch (error) {
    await undoSchedule(deps, message, deliveries);
    throw error;
  }
  logger.info('message scheduled', { messageId: message.id, org: message.org, scheduledAt: message.scheduledAt });
  return { id: message.id, ...scheduleFields(message), deliveries: deliverySummaries(deliveries) };
}

/** A write that failed may still have reached the table (a timeout): remove both halves. */
async function undoSchedule(deps: DeferDeps, message: Message, deliveries: Delivery[]): Promise<void> {
  const schedules = deps.schedules ?? schedulePort();
  await removeScheduledMessage(deps.store, message, deliveries).catch((error: unknown) => {
    logger.warn('no scheduled message to remove after a failed write', {
      messageId: message.id,
      error: error as Error,
    });
  });
  await schedules.delete(message.id).catch((error: unknown) => {
    logger.error('schedule of a message that was not saved could not be deleted; its dispatch will find no message', {
      messageId: message.id,
      error: error as Error,
    });
  });
}

const scheduleFields = (message: Message) => ({
  state: message.state,
  scheduledAt: message.scheduledAt,
  scheduledAtLocal: message.scheduledAtLocal,
});

/** Deliveries that would have been queued or handed off now wait in `state`; skipped ones stay skipped. */
export function waitingDeliveries(deliveries: Delivery[], state: WaitingState): Delivery[] {
  const waiting = deliveries.map((delivery) =>
    delivery.state === 'PENDING' || delivery.state === 'HANDOFF' ? { ...delivery, state } : delivery,
  );
  const count = waiting.filter((delivery) => delivery.state === state).length;
  if (count > MAX_WAITING_DELIVERIES) {
    throw new ProblemError(422, `a message that waits can go to at most ${MAX_WAITING_DELIVERIES} channels`, {
      errors: [{ field: 'channels', message: `${count} channels; at most ${MAX_WAITING_DELIVERIES}` }],
    });
  }
  return waiting;
}

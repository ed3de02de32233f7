/**
 * What a person may do with a message that waits: change the time or text of a SCHEDULED one,
 * cancel a SCHEDULED or HELD one, release a HELD one. Only within the caller's organisation
 * (another organisation's message answers 404, like a missing one) and with the editor role
 * (emergency messages also need the emergency role). Every refusal comes before any change.
 */
import { auditPut } from '../audit/audit';
import * as z from 'zod';
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { deliverySummaries, type CreatedMessage } from '../messages/summaries';
import { planDelivery } from '../messages/plan';
import { CreateMessageSchema, IdSchema, type Delivery, type Message, type Principal } from '../model/schemas';
import { logger } from '../observability/powertools';
import type { sendJobs } from '../queue/jobs';
import { approvalPointerDelete, awaitsApproval } from '../store/approval-index';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, type MessageWithDeliveries } from '../store/messages';
import { dispatchScheduledMessage, sendOut } from './dispatch';
import { ScheduleNotFoundError, schedulePort, type SchedulePort } from './schedules';
import { getOrgSchedulingSettings } from './settings';
import { changeMessageState, type DeliveryChange } from './store';
import { formatInZone, parseScheduledAt } from './time';

export interface ChangeDeps {
  store: Store;
  schedules?: SchedulePort;
  send?: typeof sendJobs;
  now?: () => Date;
}

export const UpdateScheduledMessageSchema = z
  .strictObject({
    scheduledAt: CreateMessageSchema.shape.scheduledAt,
    timeZone: CreateMessageSchema.shape.timeZone,
    text: CreateMessageSchema.shape.text.optional(),
  })
  .refine((body) => body.scheduledAt !== undefined || body.text !== undefined, {
    message: 'send a new scheduledAt, a new text, or both',
    path: ['(body)'],
  });

async function ownMessage(
  store: Store,
  principal: Principal,
  rawId: string | undefined,
  action: string,
): Promise<MessageWithDeliveries> {
  requireRole(principal, 'editor', action);
  const messageId = parseOrProblem(IdSchema, rawId, 'the message id is not valid');
  const found = await getMessageWithDeliveries(store, messageId);
  if (!found || found.message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  if (found.message.priority === 'emergency') requireRole(principal, 'emergency', `${action} (an emergency message)`);
  return found;
}

function conflict(message: Message, allowed: string): never {
  const now = message.state ?? 'sent (it went out when it was created)';
  throw new ProblemError(409, `message "${message.id}" is ${now}; ${allowed}`);
}

const summary = (message: Message, deliveries: Delivery[]): CreatedMessage => ({
  id: message.id,
  ...(message.state ? { state: message.state } : {}),
  ...(message.stateReason ? { stateReason: message.stateReason } : {}),
  ...(message.scheduledAt ? { scheduledAt: message.scheduledAt, scheduledAtLocal: message.scheduledAtLocal } : {}),
  deliveries: deliverySummaries(deliveries),
});

/** `PATCH /messages/{id}`: a new time and/or text for a SCHEDULED message; the schedule moves with it. */
export async function updateScheduledMessage(
  deps: ChangeDeps,
  principal: Principal,
  rawId: string | undefined,
  body: unknown,
): Promise<CreatedMessage> {
  const found = await ownMessage(deps.store, principal, rawId, 'changing a message');
  const request = parseOrProblem(UpdateScheduledMessageSchema, body);
  const { message, deliveries } = found;
  if (message.state !== 'SCHEDULED' || !message.scheduledAt)
    conflict(message, 'only SCHEDULED messages can be changed');
  if (request.timeZone !== undefined && request.scheduledAt === undefined) {
    throw new ProblemError(422, 'timeZone only goes with scheduledAt', {
      errors: [{ field: 'timeZone', message: 'only goes with a local scheduledAt' }],
    });
  }
  const now = (deps.now ?? (() => new Date()))();
  const settings = await getOrgSchedulingSettings(deps.store, message.org);
  const at =
    request.scheduledAt === undefined
      ? new Date(message.scheduledAt)
      : parseScheduledAt(
          { scheduledAt: request.scheduledAt, timeZone: request.timeZone },
          { now, orgTimeZone: settings.timeZone },
        );
  const text = request.text ?? message.text;
  const changes = request.text === undefined ? [] : await rerender(deps.store, message, deliveries, text);

  const previousAt = new Date(message.scheduledAt);
  const moves = at.getTime() !== previousAt.getTime();
  const due = at.getTime() <= now.getTime();
  const schedules = deps.schedules ?? schedulePort();
  if (moves && !due) {
    try {
      await schedules.update({ messageId: message.id, at });
    } catch (error) {
      if (error instanceof ScheduleNotFoundError)
        throw new ProblemError(409, `message "${message.id}" is no longer waiting: its schedule has already fired`);
      throw error;
    }
  }
  const changed = await changeMessageState(deps.store, {
    message,
    to: 'SCHEDULED',
    fields: { text, scheduledAt: at.toISOString(), scheduledAtLocal: formatInZone(at, settings.timeZone) },
    unchanged: ['text', 'scheduledAt'],
    deliveries: changes,
    now,
    audit: auditPut(
      deps.store,
      principal,
      {
        action: 'message.update',
        target: `message/${message.id}`,
        before: { scheduledAt: message.scheduledAt, text: message.text },
        after: { scheduledAt: at.toISOString(), text },
      },
      now,
    ),
  });
  if (!changed) {
    if (moves && !due) await schedules.update({ messageId: message.id, at: previousAt }).catch(() => undefined);
    throw new ProblemError(409, `message "${message.id}" changed meanwhile (sent, cancelled or edited); read it again`);
  }
  logger.info('scheduled message changed', {
    messageId: message.id,
    scheduledAt: at.toISOString(),
    textChanged: request.text !== undefined,
  });
  if (due) {
    const outcome = await dispatchScheduledMessage(message.id, deps);
    await schedules.delete(message.id).catch((error: unknown) =>
      logger.warn('schedule of a dispatched message not deleted; it will find nothing to do', {
        error: error as Error,
      }),
    );
    if (outcome.outcome !== 'ignored') return { id: message.id, ...outcome.view };
  }
  const updated = await getMessageWithDeliveries(deps.store, message.id);
  return summary(updated?.message ?? message, updated?.deliveries ?? deliveries);
}

/** Render the new text for every waiting delivery; refuse it when no channel can take it. */
async function rerender(
  store: Store,
  message: Message,
  deliveries: Delivery[],
  text: string,
): Promise<DeliveryChange[]> {
  const channels = new Map((await listChannels(store, message.org)).map((channel) => [channel.id, channel]));
  const changes = deliveries
    .filter((delivery) => delivery.state === 'SCHEDULED')
    .map((before) => {
      const channel = channels.get(before.channelId);
      // Per-platform overrides were written for the old text: the new text replaces them.
      const planned = channel
        ? planDelivery({ ...message, text, overrides: undefined }, channel)
        : { ...before, state: 'SKIPPED' as const, reason: 'the channel no longer exists' };
      const waits = planned.state === 'PENDING' || planned.state === 'HANDOFF';
      const after: Delivery = {
        ...before,
        state: waits ? 'SCHEDULED' : planned.state,
        renderedText: planned.renderedText,
        reason: planned.reason,
      };
      return { before, after };
    });
  if (changes.length > 0 && changes.every((change) => change.after.state === 'SKIPPED')) {
    throw new ProblemError(422, "the new text cannot be published on any of the message's channels", {
      errors: changes.map((change) => ({
        field: 'text',
        message: `${change.before.channelId}: ${change.after.reason ?? 'skipped'}`,
      })),
    });
  }
  return changes;
}

/** `DELETE /messages/{id}`: a SCHEDULED or HELD message and its waiting deliveries become CANCELLED. */
export async function cancelMessage(
  deps: ChangeDeps,
  principal: Principal,
  rawId: string | undefined,
): Promise<CreatedMessage> {
  const { message, deliveries } = await ownMessage(deps.store, principal, rawId, 'cancelling a message');
  if (message.state !== 'SCHEDULED' && message.state !== 'HELD')
    conflict(message, 'only SCHEDULED or HELD messages can be cancelled');
  const now = (deps.now ?? (() => new Date()))();
  // an emergency message still waiting for its second person is withdrawn from the approval queue too
  const changes = deliveries
    .filter((delivery) => ['SCHEDULED', 'HELD', 'AWAITING_APPROVAL'].includes(delivery.state))
    .map((before) => ({ before, after: { ...before, state: 'CANCELLED' as const } }));
  const reason = `cancelled by ${principal.sub}`;
  const changed = await changeMessageState(deps.store, {
    message,
    to: 'CANCELLED',
    fields: { stateReason: reason },
    deliveries: changes,
    now,
    audit: auditPut(
      deps.store,
      principal,
      {
        action: 'message.cancel',
        target: `message/${message.id}`,
        before: { state: message.state },
        after: { state: 'CANCELLED' },
      },
      now,
    ),
    ...(awaitsApproval(message) ? { also: [approvalPointerDelete(deps.store.table, message)] } : {}),
  });
  if (!changed)
    throw new ProblemError(409, `message "${message.id}" changed meanwhile (it may have gone out); read it again`);
  if (message.state === 'SCHEDULED') {
    // The message is CANCELLED already: a schedule that survives this fires into a no-op dispatch.
    await (deps.schedules ?? schedulePort())
      .delete(message.id)
      .catch((error: unknown) =>
        logger.warn('schedule of a cancelled message not deleted', { messageId: message.id, error: error as Error }),
      );
  }
  logger.info('message cancelled', { messageId: message.id, from: message.state, by: principal.sub });
  const cancelled = deliveries.map(
    (delivery) => changes.find((change) => change.before.channelId === delivery.channelId)?.after ?? delivery,
  );
  return summary({ ...message, state: 'CANCELLED', stateReason: reason }, cancelled);
}

/** `POST /messages/{id}/release`: a person decides a HELD message may go out now. */
export async function releaseHeldMessage(
  deps: ChangeDeps,
  principal: Principal,
  rawId: string | undefined,
): Promise<CreatedMessage> {
  const found = await ownMessage(deps.store, principal, rawId, 'releasing a held message');
  if (found.message.state !== 'HELD') conflict(found.message, 'only HELD messages can be released');
  const now = (deps.now ?? (() => new Date()))();
  const audit = auditPut(
    deps.store,
    principal,
    {
      action: 'message.release',
      target: `message/${found.message.id}`,
      before: { state: 'HELD' },
      after: { state: 'DISPATCHED' },
    },
    now,
  );
  const outcome = await sendOut(deps, found, now, audit);
  if (outcome.outcome === 'ignored')
    throw new ProblemError(409, `message "${found.message.id}" changed meanwhile; read it again`);
  logger.info('held message released', { messageId: found.message.id, by: principal.sub });
  return { id: found.message.id, ...outcome.view };
}

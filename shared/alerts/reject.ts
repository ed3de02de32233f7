/**
 * The second person says no: `POST /messages/{id}/reject` with `{ reason }`. A live emergency
 * message that waits in AWAITING_APPROVAL becomes REJECTED (the message and every waiting
 * delivery), with who refused it, when and why, and its audit record `message.reject`, in one
 * transaction conditional on "neither approved nor rejected yet": an approval and a rejection
 * racing each other cannot both win (beyond one transaction's size, the decision first and the
 * deliveries after it, see shared/store/decision.ts). Nothing of a rejected message is ever
 * published, and it does not start a crisis hold. The sender may withdraw their own message this way too: refusing to
 * publish needs no second person.
 */
import * as z from 'zod';
import type { Delivery, Principal } from '../model/schemas';
import { hasRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { deliverySummaries, type CreatedMessage } from '../messages/summaries';
import { logger } from '../observability/powertools';
import { schedulePort, type SchedulePort } from '../scheduling/schedules';
import { approvalPointerDelete } from '../store/approval-index';
import type { Store } from '../store/client';
import { UNDECIDED_MESSAGE_CONDITION, writeDecision } from '../store/decision';
import { keys, schedulingKeys } from '../store/keys';
import { getMessageWithDeliveries } from '../store/messages';

export const RejectSchema = z.strictObject({
  /** why it must not go out: shown to the sender and kept in the audit trail */
  reason: z.string().trim().min(1, 'say why the message must not go out').max(1000),
});
export type Rejection = z.infer<typeof RejectSchema>;

export interface RejectDeps {
  store: Store;
  schedules?: SchedulePort;
  now?: () => Date;
}

export async function rejectMessage(
  principal: Principal,
  messageId: string,
  input: Rejection,
  deps: RejectDeps,
): Promise<CreatedMessage & { rejectedBy: string; rejectedAt: string; reason: string }> {
  const found = await getMessageWithDeliveries(deps.store, messageId);
  // Another organisation's message answers exactly like a missing one.
  if (!found || found.message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  const { message, deliveries } = found;
  if (!hasRole(principal, 'emergency'))
    throw new ProblemError(403, 'rejecting an emergency message needs the "emergency" role');
  if (!message.approval?.required) throw new ProblemError(409, 'this message waits for no approval');
  if (message.approval.rejectedBy)
    throw new ProblemError(409, `already rejected by ${message.approval.rejectedBy} at ${message.approval.rejectedAt}`);
  if (message.approval.approvedBy)
    throw new ProblemError(
      409,
      `already approved by ${message.approval.approvedBy} at ${message.approval.approvedAt}: publish a correction instead`,
    );
  if (message.state === 'CANCELLED') throw new ProblemError(409, 'the message was cancelled');

  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const reason = `rejected by ${principal.sub}: ${input.reason}`;
  const waiting = deliveries.filter((delivery) => delivery.state === 'AWAITING_APPROVAL');
  const scheduled = message.state === 'SCHEDULED';
  try {
    await writeDecision(
      deps.store,
      message.id,
      [
        {
          Update: {
            TableName: deps.store.table,
            Key: keys.message(message.id),
            UpdateExpression:
              'SET #state = :rejected, stateReason = :reason, approval.rejectedBy = :by, approval.rejectedAt = :at, approval.rejectionReason = :why',
            ConditionExpression: UNDECIDED_MESSAGE_CONDITION,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':rejected': 'REJECTED',
              ':reason': reason,
              ':by': principal.sub,
              ':at': at,
              ':why': input.reason,
            },
          },
        },
        // a scheduled message leaves the list of waiting messages
        ...(scheduled
          ? [
              {
                Delete: {
                  TableName: deps.store.table,
                  Key: schedulingKeys.orgMessageInState(message.org, 'SCHEDULED', message.createdAt, message.id),
                },
              },
            ]
          : []),
        approvalPointerDelete(deps.store.table, message),
        auditPut(
          deps.store,
          principal,
          {
            action: 'message.reject',
            target: `message/${message.id}`,
            before: { state: message.state ?? 'AWAITING_APPROVAL' },
            after: {
              rejectedBy: principal.sub,
              sender: message.createdBy,
              reason: input.reason,
              severity: message.severity,
              channels: waiting.map((delivery) => delivery.channelId),
            },
          },
          now,
        ),
      ],
      rejectionUpdates(deps.store.table, waiting, reason, now),
      now.getTime(),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionCanceledException')
      throw new ProblemError(409, 'the message was approved or rejected by someone else meanwhile');
    throw error;
  }
  if (scheduled) {
    // The message is REJECTED already: a schedule that survives this fires into a no-op dispatch.
    await (deps.schedules ?? schedulePort())
      .delete(message.id)
      .catch((error: unknown) =>
        logger.warn('schedule of a rejected message not deleted', { messageId: message.id, error: error as Error }),
      );
  }
  logger.info('emergency message rejected', { messageId: message.id, by: principal.sub });
  const rejected = new Set(waiting.map((delivery) => delivery.channelId));
  return {
    id: message.id,
    state: 'REJECTED',
    stateReason: reason,
    deliveries: deliverySummaries(
      deliveries.map((delivery) =>
        rejected.has(delivery.channelId) ? { ...delivery, state: 'REJECTED' as const, reason } : delivery,
      ),
    ),
    rejectedBy: principal.sub,
    rejectedAt: at,
    reason: input.reason,
  };
}

/** Every delivery still waiting for approval, REJECTED with the reason: one conditional update each. */
export const rejectionUpdates = (table: string, waiting: readonly Delivery[], reason: string, now: Date) =>
  waiting.map((delivery) => ({
    TableName: table,
    Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
    UpdateExpression: 'SET #state = :rejected, reason = :reason, updatedAt = :at',
    ConditionExpression: '#state = :awaiting',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':rejected': 'REJECTED',
      ':reason': reason,
      ':at': now.toISOString(),
      ':awaiting': 'AWAITING_APPROVAL',
    },
  }));

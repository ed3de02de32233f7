/**
 * The second person: `POST /messages/{id}/approve`. A different user with the `emergency` role
 * releases a live emergency message that waits in AWAITING_APPROVAL; its deliveries go to the
 * urgent queues at once. The message, every delivery and the audit record (approver and sender)
 * change in one transaction, so an approval is never half done and never done twice; a message to
 * more channels than one transaction holds takes the approval first and its deliveries follow,
 * finished by the reconciler should the approver stop half-way (shared/store/decision.ts).
 */
import type { Delivery, Message, Principal } from '../model/schemas';
import { hasRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { queueDeliveries } from '../messages/enqueue';
import { deliverySummaries, type CreatedMessage } from '../messages/summaries';
import type { sendJobs } from '../queue/jobs';
import { noteCrisis } from '../scheduling/crisis';
import { approvalPointerDelete } from '../store/approval-index';
import { openIndexAttributes } from '../store/deliveries';
import { keys } from '../store/keys';
import { getMessageWithDeliveries, STUCK_AFTER_MS } from '../store/messages';
import type { Store } from '../store/client';
import { UNDECIDED_MESSAGE_CONDITION, writeDecision } from '../store/decision';
import { stateAfterApproval } from './gate';

export interface ApproveDeps {
  store: Store;
  send?: typeof sendJobs;
  now?: () => Date;
}

export async function approveMessage(
  principal: Principal,
  messageId: string,
  deps: ApproveDeps,
): Promise<CreatedMessage & { approvedBy: string; approvedAt: string }> {
  const found = await getMessageWithDeliveries(deps.store, messageId);
  // Another organisation's message answers exactly like a missing one.
  if (!found || found.message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  const { message, deliveries } = found;
  if (!hasRole(principal, 'emergency'))
    throw new ProblemError(403, 'approving an emergency message needs the "emergency" role');
  if (!message.approval?.required) throw new ProblemError(409, 'this message needs no approval');
  if (message.approval.approvedBy)
    throw new ProblemError(409, `already approved by ${message.approval.approvedBy} at ${message.approval.approvedAt}`);
  if (message.approval.rejectedBy)
    throw new ProblemError(409, `rejected by ${message.approval.rejectedBy} at ${message.approval.rejectedAt}`);
  if (message.state === 'CANCELLED') throw new ProblemError(409, 'the message was cancelled');
  if (message.createdBy === principal.sub) {
    throw new ProblemError(
      403,
      'the sender cannot approve their own emergency message: a second person with the "emergency" role must',
    );
  }

  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const { released, updates } = releaseUpdates(deps.store.table, message, deliveries, now);
  try {
    await writeDecision(
      deps.store,
      message.id,
      [
        {
          Update: {
            TableName: deps.store.table,
            Key: keys.message(message.id),
            UpdateExpression: 'SET approval.approvedBy = :by, approval.approvedAt = :at',
            ConditionExpression: UNDECIDED_MESSAGE_CONDITION,
            ExpressionAttributeValues: { ':by': principal.sub, ':at': at },
          },
        },
        // it leaves the approval queue with the approval, never before or after it
        approvalPointerDelete(deps.store.table, message),
        auditPut(
          deps.store,
          principal,
          {
            action: 'message.approve',
            target: `message/${message.id}`,
            after: {
              approvedBy: principal.sub,
              sender: message.createdBy,
              severity: message.severity,
              channels: released.map((delivery) => delivery.channelId),
            },
          },
          now,
        ),
      ],
      updates,
      now.getTime(),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionCanceledException')
      throw new ProblemError(409, 'the message was approved or rejected by someone else meanwhile');
    throw error;
  }

  // Unsent jobs stay PENDING in the open index: the reconciler sends them within a minute.
  const unsent = await queueDeliveries(deps.store, released, now, deps.send);
  // The emergency goes out now (a scheduled one at its time): from here the organisation's crisis hold is on.
  if (message.state !== 'SCHEDULED') await noteCrisis(deps.store, message, now);
  const byChannel = new Map(released.map((delivery) => [delivery.channelId, delivery]));
  return {
    id: message.id,
    deliveries: deliverySummaries(
      deliveries.map((delivery) => byChannel.get(delivery.channelId) ?? delivery),
      unsent,
    ),
    approvedBy: principal.sub,
    approvedAt: at,
  };
}

/** Every delivery waiting for the approval, released: its new state and the conditional update that writes it. */
export function releaseUpdates(table: string, message: Message, deliveries: readonly Delivery[], now: Date) {
  const at = now.toISOString();
  const released = deliveries
    .filter((delivery) => delivery.state === 'AWAITING_APPROVAL')
    .map(({ reason: _waitingReason, ...delivery }): Delivery => ({
      ...delivery,
      ...stateAfterApproval(delivery.platform, message.state),
    }));
  const openIndex = (channelId: string) => {
    const { OPENPK, OPENSK } = openIndexAttributes(now.getTime() + STUCK_AFTER_MS, message.id, channelId);
    return { ':openPk': OPENPK, ':openSk': OPENSK };
  };
  const updates = released.map((delivery) => ({
    TableName: table,
    Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
    UpdateExpression:
      delivery.state === 'PENDING'
        ? 'SET #state = :state, updatedAt = :at, OPENPK = :openPk, OPENSK = :openSk REMOVE reason'
        : delivery.reason
          ? 'SET #state = :state, updatedAt = :at, reason = :reason'
          : 'SET #state = :state, updatedAt = :at REMOVE reason',
    ConditionExpression: '#state = :awaiting',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':state': delivery.state,
      ':at': at,
      ':awaiting': 'AWAITING_APPROVAL',
      ...(delivery.state === 'PENDING'
        ? openIndex(delivery.channelId)
        : delivery.reason
          ? { ':reason': delivery.reason }
          : {}),
    },
  }));
  return { released, updates };
}

/**
 * The approval queue's index: one pointer item per message that waits for a second person
 * (`ORG#<org>`/`STATE#AWAITING_APPROVAL#<createdAt>#<id>`, beside the SCHEDULED and HELD pointers),
 * written in the transaction that creates the message and deleted in the one that approves,
 * rejects or cancels it. `GET /messages?state=AWAITING_APPROVAL`, which every open workspace of a
 * person with the `emergency` role polls every few seconds, reads these pointers (usually none)
 * instead of the organisation's newest messages with all their deliveries.
 *
 * A listing checks each pointer against its message (read consistently), so a pointer that outlived
 * its wait is never shown.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Delivery, Message } from '../model/schemas';
import type { Store } from './client';
import { schedulingKeys } from './keys';
import { messagesByStatePointers, type PointerPage } from './state-pointers';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const APPROVAL_POINTER_STATE = 'AWAITING_APPROVAL';

export const approvalPointerKey = (message: Pick<Message, 'org' | 'createdAt' | 'id'>) =>
  schedulingKeys.orgMessageInState(message.org, APPROVAL_POINTER_STATE, message.createdAt, message.id);

/** A new message gets a pointer when a delivery of it waits for the second person. */
export const needsApprovalPointer = (message: Message, deliveries: readonly Pick<Delivery, 'state'>[]) =>
  message.approval?.required === true && deliveries.some((delivery) => delivery.state === 'AWAITING_APPROVAL');

/** Whether a message still waits for a second person: neither approved nor rejected, nor withdrawn. */
export const awaitsApproval = (message: Message) =>
  message.approval?.required === true &&
  message.approval.approvedBy === undefined &&
  message.approval.rejectedBy === undefined &&
  message.state !== 'CANCELLED' &&
  message.state !== 'REJECTED';

export const approvalPointerPut = (table: string, message: Message): TransactItem => ({
  Put: { TableName: table, Item: { ...approvalPointerKey(message), messageId: message.id } },
});

/** Unconditional: approving, rejecting or cancelling never fails on a pointer that is already gone. */
export const approvalPointerDelete = (table: string, message: Message): TransactItem => ({
  Delete: { TableName: table, Key: approvalPointerKey(message) },
});

export type ApprovalPage = PointerPage;

/** One page of an organisation's messages that wait for approval, the longest-waiting first. */
export const listAwaitingApproval = (
  store: Store,
  org: string,
  options: { limit: number; cursor?: string },
): Promise<ApprovalPage> =>
  messagesByStatePointers(store, org, APPROVAL_POINTER_STATE, { ...options, still: awaitsApproval });

/**
 * `GET /messages?state=AWAITING_APPROVAL`: the organisation's messages that wait for a second
 * person, the longest-waiting first, each with its derived status and its deliveries in brief.
 * Read through the approval queue's pointers (store/approval-index.ts), so a workspace that polls it
 * every few seconds reads only what waits, usually nothing.
 */
import * as z from 'zod';
import { parseOrProblem } from '../api/problem';
import type { Principal } from '../model/schemas';
import { APPROVAL_POINTER_STATE, listAwaitingApproval } from '../store/approval-index';
import type { Store } from '../store/client';
import { withDeliveryStates } from './read';

const ApprovalQuerySchema = z.object({
  state: z.literal(APPROVAL_POINTER_STATE),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

export async function listMessagesAwaitingApproval(
  store: Store,
  principal: Principal,
  query: Record<string, string | undefined>,
) {
  const request = parseOrProblem(ApprovalQuerySchema, query);
  const page = await listAwaitingApproval(store, principal.org, {
    limit: request.limit,
    ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
  });
  return {
    /** the server's clock: how long each has waited is counted from it, whatever the reader's clock says */
    asOf: new Date().toISOString(),
    items: await withDeliveryStates(store, page.messages),
    ...(page.next ? { next: page.next } : {}),
  };
}

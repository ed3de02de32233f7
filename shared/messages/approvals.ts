/**
 * `GET /messages?state=AWAITING_APPROVAL`: the organisation's messages that wait for a second
 * person, the longest-waiting first, each with its derived status and its deliveries in brief.
 * Read through the approval queue's pointers (store/approval-index.ts), so a workspace that polls it
 * every few seconds reads only what waits, usually nothing.
 */
import * as z from 'zod';
import { parseOrProblem, ProblemError } from '../api/problem';
import type { Principal } from '../model/schemas';
import { APPROVAL_POINTER_STATE, listAwaitingApproval } from '../store/approval-index';
import type { Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
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
  const startKey = request.cursor === undefined ? undefined : decodeCursor(request.cursor, principal.org);
  const page = await listAwaitingApproval(store, principal.org, { limit: request.limit, startKey });
  return {
    /** the server's clock: how long each has waited is counted from it, whatever the reader's clock says */
    asOf: new Date().toISOString(),
    items: await withDeliveryStates(store, page.messages),
    ...(page.lastKey ? { next: Buffer.from(JSON.stringify(page.lastKey)).toString('base64url') } : {}),
  };
}

/** A cursor is only ever accepted for the organisation's own approval queue. */
function decodeCursor(cursor: string, org: string): Record<string, unknown> {
  const invalid = () =>
    new ProblemError(400, 'the cursor is not valid for this listing', {
      errors: [{ field: 'cursor', message: 'invalid' }],
    });
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { PK, SK } = (key ?? {}) as Record<string, unknown>;
  if (
    PK !== schedulingKeys.orgPartition(org) ||
    typeof SK !== 'string' ||
    !SK.startsWith(schedulingKeys.orgMessagesInStatePrefix(APPROVAL_POINTER_STATE))
  )
    throw invalid();
  return { PK, SK };
}

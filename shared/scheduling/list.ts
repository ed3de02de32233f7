/** `GET /messages?state=SCHEDULED|HELD`: the caller's waiting messages, oldest first. */
import * as z from 'zod';
import { parseOrProblem, ProblemError } from '../api/problem';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
import { withDeliveryStates } from '../messages/read';
import { listWaitingMessages, WAITING_STATES, type WaitingState } from './store';

const StateQuerySchema = z.object({
  state: z.enum(WAITING_STATES, { message: `state must be one of ${WAITING_STATES.join(', ')}` }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

export async function listMessagesInState(
  store: Store,
  principal: Principal,
  query: Record<string, string | undefined>,
) {
  const request = parseOrProblem(StateQuerySchema, query);
  const startKey =
    request.cursor === undefined ? undefined : decodeCursor(request.cursor, principal.org, request.state);
  const page = await listWaitingMessages(store, principal.org, request.state, { limit: request.limit, startKey });
  return {
    items: await withDeliveryStates(store, page.messages),
    ...(page.lastKey ? { next: Buffer.from(JSON.stringify(page.lastKey)).toString('base64url') } : {}),
  };
}

/** A cursor is only ever accepted for the organisation and state it was issued for. */
function decodeCursor(cursor: string, org: string, state: WaitingState): Record<string, unknown> {
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
    !SK.startsWith(schedulingKeys.orgMessagesInStatePrefix(state))
  )
    throw invalid();
  return { PK, SK };
}

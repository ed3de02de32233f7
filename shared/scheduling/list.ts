/** `GET /messages?state=SCHEDULED|HELD`: the caller's waiting messages, oldest first. */
import * as z from 'zod';
import { parseOrProblem } from '../api/problem';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { withDeliveryStates } from '../messages/read';
import { listWaitingMessages, WAITING_STATES } from './store';

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
  const page = await listWaitingMessages(store, principal.org, request.state, {
    limit: request.limit,
    ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
  });
  return {
    items: await withDeliveryStates(store, page.messages),
    ...(page.next ? { next: page.next } : {}),
  };
}

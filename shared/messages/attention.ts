/**
 * `GET /messages?state=FAILED|HANDOFF`: the organisation's messages, newest first, that have a
 * delivery waiting for a person: a decision about a failure (retry it), or a hand-off to post by
 * hand (messages waiting for approval have an index of their own: approvals.ts). Found by reading the newest messages with their
 * deliveries, at most MAX_EXAMINED per request; the cursor goes on from the last message looked at.
 */
import * as z from 'zod';
import { parseOrProblem } from '../api/problem';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { listMessages, messageCursor } from '../store/messages';
import { MESSAGE_LIST_FILTERS, withDeliveryStates } from './read';
const PERSON_STATES = ['FAILED', 'HANDOFF'] as const;

const AttentionQuerySchema = z.object({
  state: z.enum(PERSON_STATES, { message: `state must be one of ${MESSAGE_LIST_FILTERS.join(', ')}` }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

/** Messages read per request at most: a page may come back short, with a cursor to go on. */
export const MAX_EXAMINED = 200;
const CHUNK = 25;

export async function listMessagesNeedingPerson(
  store: Store,
  principal: Principal,
  query: Record<string, string | undefined>,
) {
  const request = parseOrProblem(AttentionQuerySchema, query);
  const items: Awaited<ReturnType<typeof withDeliveryStates>> = [];
  let cursor = request.cursor;
  let examined = 0;
  while (examined < MAX_EXAMINED) {
    const page = await listMessages(store, principal.org, { limit: CHUNK, cursor });
    const listed = await withDeliveryStates(store, page.messages);
    for (const message of listed) {
      examined += 1;
      if (message.deliveries.some((delivery) => delivery.state === request.state)) items.push(message);
      if (items.length === request.limit) {
        const isLast = message === listed.at(-1) && !page.next;
        return { items, ...(isLast ? {} : { next: messageCursor(message) }) };
      }
    }
    cursor = page.next;
    if (!cursor) break;
  }
  return { items, ...(cursor ? { next: cursor } : {}) };
}

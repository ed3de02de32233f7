/** HTTP API: every route of shared/api/routes.ts, each a parse → domain call → respond line. */
import { z } from 'zod';
import { createApiHandler, json, readJsonBody, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem } from '../../shared/api/problem';
import type { RouteKey } from '../../shared/api/routes';
import { CreateMessageSchema, IdSchema } from '../../shared/model/schemas';
import { createMessageOnce } from '../../shared/messages/create-once';
import { getMessageForPrincipal, listMessagesForPrincipal } from '../../shared/messages/read';
import { listChannelsForPrincipal } from '../../shared/channels/read';
import { defaultStore } from '../../shared/store/client';

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

const routes: Record<RouteKey, RouteHandler> = {
  'POST /messages': async ({ event, principal }) => {
    const input = parseOrProblem(CreateMessageSchema, readJsonBody(event));
    const response = await createMessageOnce(principal, input, event.headers['idempotency-key'], { store: defaultStore() });
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json', ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}) }, body: response.body };
  },
  'GET /messages': async ({ principal, query }) => json(200, await listMessagesForPrincipal(defaultStore(), principal, parseOrProblem(ListQuerySchema, query))),
  'GET /messages/{id}': async ({ principal, params }) =>
    json(200, await getMessageForPrincipal(defaultStore(), principal, parseOrProblem(IdSchema, params.id, 'the message id is not valid'))),
  'GET /channels': async ({ principal }) => json(200, { items: await listChannelsForPrincipal(defaultStore(), principal) }),
};

export const handler = createApiHandler(routes);

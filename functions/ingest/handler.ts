/** HTTP API: every route of shared/api/routes.ts, each a parse → domain call → respond line. */
import { z } from 'zod';
import { createApiHandler, json, readJsonBody, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem } from '../../shared/api/problem';
import type { RouteKey } from '../../shared/api/routes';
import { CreateMessageSchema, IdSchema } from '../../shared/model/schemas';
import { createMessage } from '../../shared/messages/create';
import { getMessageForPrincipal, listMessagesForPrincipal } from '../../shared/messages/read';
import { listChannelsForPrincipal } from '../../shared/channels/read';
import { defaultStore } from '../../shared/store/client';
import { cancelMessage, releaseHeldMessage, updateScheduledMessage } from '../../shared/scheduling/change';
import { setOrgHold } from '../../shared/scheduling/crisis';
import { listMessagesInState } from '../../shared/scheduling/list';

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

const routes: Record<RouteKey, RouteHandler> = {
  'POST /messages': async ({ event, principal }) => {
    const input = parseOrProblem(CreateMessageSchema, readJsonBody(event));
    return json(202, await createMessage(principal, input, { store: defaultStore() }));
  },
  'GET /messages': async ({ principal, query }) =>
    json(200, query.state !== undefined ? await listMessagesInState(defaultStore(), principal, query) : await listMessagesForPrincipal(defaultStore(), principal, parseOrProblem(ListQuerySchema, query))),
  'GET /messages/{id}': async ({ principal, params }) =>
    json(200, await getMessageForPrincipal(defaultStore(), principal, parseOrProblem(IdSchema, params.id, 'the message id is not valid'))),
  'PATCH /messages/{id}': async ({ event, principal, params }) => json(200, await updateScheduledMessage({ store: defaultStore() }, principal, params.id, readJsonBody(event))),
  'DELETE /messages/{id}': async ({ principal, params }) => json(200, await cancelMessage({ store: defaultStore() }, principal, params.id)),
  'POST /messages/{id}/release': async ({ principal, params }) => json(202, await releaseHeldMessage({ store: defaultStore() }, principal, params.id)),
  'PUT /organisations/{org}/hold': async ({ event, principal, params }) => json(200, await setOrgHold(defaultStore(), principal, params.org, readJsonBody(event))),
  'GET /channels': async ({ principal }) => json(200, { items: await listChannelsForPrincipal(defaultStore(), principal) }),
};

export const handler = createApiHandler(routes);

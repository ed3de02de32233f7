/** HTTP API: every route of shared/api/routes.ts, each a parse → domain call → respond line. */
import { createApiHandler, json, readJsonBody, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem } from '../../shared/api/problem';
import type { RouteKey } from '../../shared/api/routes';
import { CreateMessageSchema, IdSchema } from '../../shared/model/schemas';
import { createMessageOnce } from '../../shared/messages/create-once';
import { getMessageForPrincipal, ListMessagesQuerySchema, listMessagesForPrincipal } from '../../shared/messages/read';
import { openApiDocument } from '../../shared/api/openapi';
import { previewMessage } from '../../shared/messages/preview';
import { listChannelsForPrincipal } from '../../shared/channels/read';
import { defaultStore } from '../../shared/store/client';
import { ChannelPatchSchema, updateChannelState } from '../../shared/channels/update';
import { confirmHandoff, ConfirmSchema } from '../../shared/messages/confirm';
import { AuditQuerySchema, queryAudit } from '../../shared/audit/audit';
import { requireRole } from '../../shared/api/auth';

const routes: Record<Exclude<RouteKey, 'GET /openapi.json'>, RouteHandler> = {
  'POST /messages': async ({ event, principal, query }) => {
    const input = parseOrProblem(CreateMessageSchema, readJsonBody(event));
    if (query.dryRun === 'true') return json(200, await previewMessage(principal, input, { store: defaultStore() }));
    const response = await createMessageOnce(principal, input, event.headers['idempotency-key'], { store: defaultStore() });
    return { statusCode: response.statusCode, headers: { 'content-type': 'application/json', ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}) }, body: response.body };
  },
  'POST /previews': async ({ event, principal }) => json(200, await previewMessage(principal, parseOrProblem(CreateMessageSchema, readJsonBody(event)), { store: defaultStore() })),
  'GET /messages': async ({ principal, query }) => json(200, await listMessagesForPrincipal(defaultStore(), principal, parseOrProblem(ListMessagesQuerySchema, query))),
  'GET /messages/{id}': async ({ principal, params }) =>
    json(200, await getMessageForPrincipal(defaultStore(), principal, parseOrProblem(IdSchema, params.id, 'the message id is not valid'))),
  'GET /channels': async ({ principal }) => json(200, { items: await listChannelsForPrincipal(defaultStore(), principal) }),
  'PATCH /channels/{id}': async ({ event, principal, params }) =>
    json(200, await updateChannelState(defaultStore(), principal, parseOrProblem(IdSchema, params.id, 'the channel id is not valid'), parseOrProblem(ChannelPatchSchema, readJsonBody(event)))),
  'POST /messages/{id}/deliveries/{channel}/confirm': async ({ event, principal, params }) =>
    json(
      200,
      await confirmHandoff(
        defaultStore(),
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
        parseOrProblem(IdSchema, params.channel, 'the channel id is not valid'),
        parseOrProblem(ConfirmSchema, event.body ? readJsonBody(event) : {}),
      ),
    ),
  'GET /audit': async ({ principal, query }) => {
    requireRole(principal, 'admin', 'reading the audit trail');
    const range = parseOrProblem(AuditQuerySchema, query);
    return json(200, { items: await queryAudit(defaultStore(), principal.org, range.from, range.to) });
  },
};

export const handler = createApiHandler(routes, {
  'GET /openapi.json': async ({ event }) => json(200, openApiDocument(`https://${event.requestContext.domainName}`)),
});

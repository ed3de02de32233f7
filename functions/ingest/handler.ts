/** HTTP API: every route of shared/api/routes.ts, each a parse → domain call → respond line. */
import { createApiHandler, json, readJsonBody, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem, ProblemError } from '../../shared/api/problem';
import { followerReportResponse } from '../../shared/followers/load-report';
import { manualFigureResponse } from '../../shared/followers/manual';
import { configuredTimeZone } from '../../shared/followers/settings';
import type { RouteKeyOf } from '../../shared/api/routes';
import { CreateMessageSchema, IdSchema, type Principal } from '../../shared/model/schemas';
import { createMessageOnce } from '../../shared/intake/create-once';
import { getMessageForPrincipal, ListMessagesQuerySchema, listMessagesForPrincipal } from '../../shared/messages/read';
import { openApiDocument } from '../../shared/api/openapi';
import { previewMessage } from '../../shared/messages/preview';
import { channelForPrincipal, listChannelsForPrincipal } from '../../shared/channels/read';
import { defaultStore } from '../../shared/store/client';
import { CreateChannelSchema, createChannel } from '../../shared/channels/create';
import { getOrgSettingsForPrincipal, OrgSettingsSchema, putOrgSettings } from '../../shared/directory/settings';
import { requestDirectoryBuild } from '../../shared/directory/request';
import { confirmHandoff, ConfirmSchema } from '../../shared/messages/confirm';
import { AuditQuerySchema, queryAudit } from '../../shared/audit/audit';
import { requireRole } from '../../shared/api/auth';
import { cancelMessage, releaseHeldMessage, updateScheduledMessage } from '../../shared/scheduling/change';
import { setOrgHold } from '../../shared/scheduling/crisis';
import { listMessagesInState } from '../../shared/scheduling/list';
import { listMessagesNeedingPerson } from '../../shared/messages/attention';
import { listMessagesAwaitingApproval } from '../../shared/messages/approvals';
import { retryDelivery } from '../../shared/deliveries/retry';
import { describeCaller } from '../../shared/organisations/me';
import {
  getOrganisationForPrincipal,
  listOrganisationsForPrincipal,
  organisationEtag,
  putOrganisationForPrincipal,
} from '../../shared/organisations/admin';
import { receiveAlert } from '../../shared/alerts/ingest';
import { approveMessage } from '../../shared/alerts/approve';
import { CorrectionSchema, correctMessage } from '../../shared/alerts/correct';
import { RejectSchema, rejectMessage } from '../../shared/alerts/reject';
import { FollowUpQuerySchema, followUpForm } from '../../shared/alerts/follow-up';
import {
  createAlertTemplate,
  deleteAlertTemplate,
  listAlertTemplates,
  updateAlertTemplate,
} from '../../shared/alerts/templates';
import { listVanishedWarnings } from '../../shared/alerts/vanished';
import { releaseAllHeld } from '../../shared/scheduling/release-all';

const routes: Record<Exclude<RouteKeyOf<'ingest'>, 'GET /openapi.json'>, RouteHandler> = {
  'POST /messages': async ({ event, principal, query }) => {
    const input = parseOrProblem(CreateMessageSchema, readJsonBody(event));
    if (query.dryRun === 'true') return json(200, await previewMessage(principal, input, { store: defaultStore() }));
    const response = await createMessageOnce(principal, input, event.headers['idempotency-key'], {
      store: defaultStore(),
    });
    return {
      statusCode: response.statusCode,
      headers: { 'content-type': 'application/json', ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}) },
      body: response.body,
    };
  },
  'POST /previews': async ({ event, principal }) =>
    json(
      200,
      await previewMessage(principal, parseOrProblem(CreateMessageSchema, readJsonBody(event)), {
        store: defaultStore(),
      }),
    ),
  'GET /messages': async ({ principal, query }) =>
    json(
      200,
      query.state === undefined
        ? await listMessagesForPrincipal(defaultStore(), principal, parseOrProblem(ListMessagesQuerySchema, query))
        : query.state === 'SCHEDULED' || query.state === 'HELD'
          ? await listMessagesInState(defaultStore(), principal, query)
          : query.state === 'AWAITING_APPROVAL'
            ? await listMessagesAwaitingApproval(defaultStore(), principal, query)
            : await listMessagesNeedingPerson(defaultStore(), principal, query),
    ),
  'GET /messages/{id}': async ({ principal, params }) =>
    json(
      200,
      await getMessageForPrincipal(
        defaultStore(),
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
      ),
    ),
  'PATCH /messages/{id}': async ({ event, principal, params }) =>
    json(200, await updateScheduledMessage({ store: defaultStore() }, principal, params.id, readJsonBody(event))),
  'DELETE /messages/{id}': async ({ principal, params }) =>
    json(200, await cancelMessage({ store: defaultStore() }, principal, params.id)),
  'POST /messages/{id}/release': async ({ principal, params }) =>
    json(202, await releaseHeldMessage({ store: defaultStore() }, principal, params.id)),
  'PUT /organisations/{org}/hold': async ({ event, principal, params }) => {
    const hold = await setOrgHold(defaultStore(), principal, params.org, readJsonBody(event));
    // the directory shows the current emergency: ending a crisis by hand changes it
    await requestDirectoryBuild(principal.org);
    return json(200, hold);
  },
  'GET /channels': async ({ principal }) =>
    json(200, { items: await listChannelsForPrincipal(defaultStore(), principal) }),
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
  'POST /messages/{id}/deliveries/{channel}/retry': async ({ principal, params }) =>
    json(
      202,
      await retryDelivery(
        { store: defaultStore() },
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
        parseOrProblem(IdSchema, params.channel, 'the channel id is not valid'),
      ),
    ),
  'GET /me': async ({ principal }) => json(200, await describeCaller(defaultStore(), principal)),
  'GET /reports/followers': async ({ event, principal, query }) =>
    followerReport(principal, query, event.headers.accept),
  'GET /reports/followers.html': async ({ event, principal, query }) =>
    followerReport(principal, query, event.headers.accept, 'html'),
  'PUT /channels/{id}/followers/{date}': async ({ event, principal, params }) => {
    requireRole(principal, 'admin', 'entering follower figures');
    const { doc, table } = defaultStore();
    const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    return manualFigureResponse({
      doc,
      table,
      org: principal.org,
      by: principal,
      channelId: params.id ?? '',
      date: params.date,
      body,
      timeZone: configuredTimeZone(),
    });
  },
  'POST /alerts': async ({ event, principal, query }) => {
    const response = await receiveAlert(
      principal,
      { body: event.body, isBase64Encoded: event.isBase64Encoded, contentType: event.headers['content-type'] },
      { store: defaultStore() },
      { dryRun: query.dryRun === 'true' },
    );
    return {
      statusCode: response.statusCode,
      headers: { 'content-type': 'application/json', ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}) },
      body: response.body,
    };
  },
  'POST /messages/{id}/approve': async ({ principal, params }) =>
    json(
      200,
      await approveMessage(principal, parseOrProblem(IdSchema, params.id, 'the message id is not valid'), {
        store: defaultStore(),
      }),
    ),
  'POST /messages/{id}/correct': async ({ event, principal, params }) =>
    json(
      202,
      await correctMessage(
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
        parseOrProblem(CorrectionSchema, event.body ? readJsonBody(event) : {}),
        { store: defaultStore() },
      ),
    ),
  // the emergency console
  'POST /messages/{id}/reject': async ({ event, principal, params }) =>
    json(
      200,
      await rejectMessage(
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
        parseOrProblem(RejectSchema, readJsonBody(event)),
        { store: defaultStore() },
      ),
    ),
  'GET /messages/{id}/alert-form': async ({ principal, params, query }) =>
    json(
      200,
      await followUpForm(
        defaultStore(),
        principal,
        parseOrProblem(IdSchema, params.id, 'the message id is not valid'),
        parseOrProblem(FollowUpQuerySchema, query).kind,
      ),
    ),
  'GET /alert-templates': async ({ principal }) => json(200, await listAlertTemplates(defaultStore(), principal)),
  'POST /alert-templates': async ({ event, principal }) =>
    json(201, await createAlertTemplate(defaultStore(), principal, readJsonBody(event))),
  'PUT /alert-templates/{id}': async ({ event, principal, params }) =>
    json(200, await updateAlertTemplate(defaultStore(), principal, params.id, readJsonBody(event))),
  'DELETE /alert-templates/{id}': async ({ principal, params }) =>
    json(200, await deleteAlertTemplate(defaultStore(), principal, params.id)),
  'GET /alerts/vanished': async ({ principal }) =>
    json(200, { items: await listVanishedWarnings(defaultStore(), principal.org) }),
  'POST /organisations/{org}/held-messages/release': async ({ principal, params }) =>
    json(200, await releaseAllHeld({ store: defaultStore() }, principal, params.org)),

  // channels and the organisation's public face (the connect function serves connecting and retiring)
  'POST /channels': async ({ event, principal }) =>
    json(201, await createChannel(defaultStore(), principal, parseOrProblem(CreateChannelSchema, readJsonBody(event)))),
  'GET /channels/{id}': async ({ principal, params }) =>
    json(
      200,
      await channelForPrincipal(
        defaultStore(),
        principal,
        parseOrProblem(IdSchema, params.id, 'the channel id is not valid'),
      ),
    ),
  'GET /organisations': async ({ principal }) =>
    json(200, await listOrganisationsForPrincipal(defaultStore(), principal)),
  'GET /organisations/{org}': async ({ principal, params }) => {
    const organisation = await getOrganisationForPrincipal(defaultStore(), principal, params.org);
    return json(200, organisation, { etag: organisationEtag(organisation) });
  },
  'PUT /organisations/{org}': async ({ event, principal, params }) => {
    const organisation = await putOrganisationForPrincipal(
      defaultStore(),
      principal,
      params.org,
      readJsonBody(event),
      event.headers['if-match'],
    );
    return json(200, organisation, { etag: organisationEtag(organisation) });
  },
  'GET /organisations/{org}/settings': async ({ principal, params }) =>
    json(200, await getOrgSettingsForPrincipal(defaultStore(), principal, params.org)),
  'PUT /organisations/{org}/settings': async ({ event, principal, params }) =>
    json(
      200,
      await putOrgSettings(
        defaultStore(),
        principal,
        params.org,
        parseOrProblem(OrgSettingsSchema, readJsonBody(event)),
      ),
    ),
  'GET /audit': async ({ principal, query }) => {
    requireRole(principal, 'admin', 'reading the audit trail');
    const range = parseOrProblem(AuditQuerySchema, query);
    return json(200, { items: await queryAudit(defaultStore(), principal.org, range.from, range.to, range.person) });
  },
};

/** Reports are per organisation: the caller's own, whatever `org` says. */
async function followerReport(
  principal: Principal,
  query: Record<string, string | undefined>,
  accept: string | undefined,
  format?: 'html',
) {
  if (query.org !== undefined && query.org !== principal.org)
    throw new ProblemError(403, `reports are per organisation; this token reads "${principal.org}"`);
  const { doc, table } = defaultStore();
  return followerReportResponse({
    doc,
    table,
    params: { ...query, org: principal.org },
    accept,
    ...(format ? { format } : {}),
  });
}

export const handler = createApiHandler(routes, {
  'GET /openapi.json': async ({ event }) => json(200, openApiDocument(`https://${event.requestContext.domainName}`)),
});

/**
 * The connect function: connecting channels' accounts and retiring them, the only function that
 * may write or delete channel secrets. `GET /oauth/callback/{platform}` is public (the platforms
 * redirect people to it); every other route needs an admin's token.
 */
import { createApiHandler, json, readJsonBody, type ApiEvent, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem, problemResponse } from '../../shared/api/problem';
import type { RouteKeyOf } from '../../shared/api/routes';
import { ChannelPatchSchema, updateChannelState } from '../../shared/channels/update';
import { CALLBACK_PAGE_HEADERS } from '../../shared/connect/callback-page';
import { finishCallback, retireCredentials, startConnect } from '../../shared/connect/service';
import { IdSchema } from '../../shared/model/schemas';
import { defaultStore } from '../../shared/store/client';

/** Where the request came in: the origin the platforms send people back to, unless configured. */
const requestOrigin = (event: ApiEvent) =>
  `${event.headers['x-forwarded-proto'] ?? 'https'}://${event.headers.host ?? event.requestContext.domainName}`;

const routes: Record<Exclude<RouteKeyOf<'connect'>, 'GET /oauth/callback/{platform}'>, RouteHandler> = {
  'POST /channels/{id}/connect': async ({ event, principal, params }) =>
    json(
      200,
      await startConnect(
        { store: defaultStore() },
        principal,
        parseOrProblem(IdSchema, params.id, 'the channel id is not valid'),
        event.body ? readJsonBody(event) : {},
        requestOrigin(event),
      ),
    ),
  'PATCH /channels/{id}': async ({ event, principal, params }) => {
    const { before, channel } = await updateChannelState(
      defaultStore(),
      principal,
      parseOrProblem(IdSchema, params.id, 'the channel id is not valid'),
      parseOrProblem(ChannelPatchSchema, readJsonBody(event)),
    );
    if (channel.state !== 'retired') return json(200, channel);
    return json(200, { ...channel, credentials: await retireCredentials({ store: defaultStore() }, before) });
  },
};

export const handler = createApiHandler(routes, {
  // a person's browser gets a page; any other client the same outcome as JSON (an error as problem+json)
  'GET /oauth/callback/{platform}': async ({ event, params, query }) => {
    const answer = await finishCallback({ store: defaultStore() }, params.platform, query);
    if (/text\/html/i.test(event.headers.accept ?? ''))
      return { statusCode: answer.statusCode, headers: CALLBACK_PAGE_HEADERS, body: answer.html };
    if (answer.outcome.kind === 'refused') return problemResponse(answer.statusCode, answer.outcome.reason);
    return json(answer.statusCode, answer.outcome, { 'cache-control': 'no-store' });
  },
});

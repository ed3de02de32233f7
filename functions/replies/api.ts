/**
 * The replies API: the inbox, answers, hiding and showing, and the organisation's rules for replies.
 * A function of its own: it may send answers and moderation requests to the platforms' queues.
 */
import { createApiHandler, json, readJsonBody, type RouteHandler } from '../../shared/api/http';
import { parseOrProblem } from '../../shared/api/problem';
import type { RouteKeyOf } from '../../shared/api/routes';
import { sendJobs } from '../../shared/queue/jobs';
import { answerReply, listRepliesForPrincipal, moderateReply } from '../../shared/replies/api';
import {
  AnswerReplySchema,
  HideReplySchema,
  ListRepliesQuerySchema,
  UnhideReplySchema,
} from '../../shared/replies/inputs';
import { getReplySettingsForPrincipal, putReplySettings, ReplySettingsSchema } from '../../shared/replies/settings';
import { defaultStore } from '../../shared/store/client';

const send = (jobs: Parameters<typeof sendJobs>[0]) => sendJobs(jobs);

const routes: Record<RouteKeyOf<'replies'>, RouteHandler> = {
  'GET /replies': async ({ principal, query }) =>
    json(200, await listRepliesForPrincipal(defaultStore(), principal, parseOrProblem(ListRepliesQuerySchema, query)), {
      'cache-control': 'no-store',
    }),
  'POST /replies/{id}/answer': async ({ event, principal, params }) =>
    json(
      202,
      await answerReply(principal, params.id ?? '', parseOrProblem(AnswerReplySchema, readJsonBody(event)), {
        store: defaultStore(),
        send: sendJobs,
      }),
    ),
  'POST /replies/{id}/hide': async ({ event, principal, params }) =>
    json(
      202,
      await moderateReply(
        defaultStore(),
        principal,
        params.id ?? '',
        'hide',
        parseOrProblem(HideReplySchema, readJsonBody(event)),
        send,
      ),
    ),
  'POST /replies/{id}/unhide': async ({ event, principal, params }) =>
    json(
      202,
      await moderateReply(
        defaultStore(),
        principal,
        params.id ?? '',
        'unhide',
        parseOrProblem(UnhideReplySchema, event.body ? readJsonBody(event) : {}),
        send,
      ),
    ),
  'GET /organisations/{org}/reply-settings': async ({ principal, params }) =>
    json(200, await getReplySettingsForPrincipal(defaultStore(), principal, params.org)),
  'PUT /organisations/{org}/reply-settings': async ({ event, principal, params }) =>
    json(
      200,
      await putReplySettings(
        defaultStore(),
        principal,
        params.org,
        parseOrProblem(ReplySettingsSchema, readJsonBody(event)),
      ),
    ),
};

export const handler = createApiHandler(routes);

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas the handlers
 * validate with (zod's JSON Schema output is the 2020-12 dialect OpenAPI 3.1 uses), and from the
 * route table, so it cannot drift from what the API accepts.
 */
import * as z from 'zod';
import { ROUTES, type RouteKey } from './routes';
import { CreateMessageSchema, IdSchema } from '../model/schemas';
import { ChannelPatchSchema } from '../channels/update';
import { ConfirmSchema } from '../messages/confirm';
import { AuditQuerySchema } from '../audit/audit';
import { ListMessagesQuerySchema } from '../messages/read';
import { UpdateScheduledMessageSchema } from '../scheduling/change';
import { HoldRequestSchema } from '../scheduling/crisis';

const ReportQueryDocSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  org: z.string().optional(),
  format: z.enum(['json', 'csv', 'md', 'svg', 'html']).optional(),
});
const ManualFigureBodySchema = z.object({ count: z.number().int().nonnegative() });
import { CorrectionSchema } from '../alerts/correct';
import { AlertFormSchema } from '../alerts/form';
import { FollowUpQuerySchema } from '../alerts/follow-up';
import { RejectSchema } from '../alerts/reject';
import { AlertTemplateBodySchema } from '../alerts/templates';
import { CreateChannelSchema } from '../channels/create';
import { ConnectBodyDocSchema } from '../connect/inputs';
import { OrgSettingsSchema } from '../directory/settings';
import { OrganisationBodySchema } from '../organisations/organisations';
import { AnswerReplySchema, HideReplySchema, ListRepliesQuerySchema, UnhideReplySchema } from '../replies/inputs';
import { ReplySettingsSchema } from '../replies/settings';

export interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  /** a body that is not JSON (a CAP XML document): its media types */
  rawBody?: { contentTypes: readonly string[]; description: string };
  query?: z.ZodType;
  /** the success status and what it returns */
  success: [number, string];
  headers?: { name: string; description: string }[];
}

export const ROUTE_DOCS: Record<RouteKey, RouteDoc> = {
  'POST /messages': {
    summary: "Publish one message to the organisation's channels (with ?dryRun=true: a preview, nothing written)",
    body: CreateMessageSchema,
    success: [202, 'Accepted: the message and one delivery per channel with its state'],
    headers: [{ name: 'Idempotency-Key', description: 'the same key and body return the original response for 24 h' }],
  },
  'GET /messages': {
    summary:
      "List the organisation's messages, newest first, each with its status, outcome and deliveries' states; state= filters: SCHEDULED, HELD, AWAITING_APPROVAL (waiting messages, oldest first), FAILED, HANDOFF (messages with such a delivery)",
    query: ListMessagesQuerySchema,
    success: [200, 'A page of messages'],
  },
  'GET /messages/{id}': {
    summary: "A message with every delivery's state, remote URL and error",
    success: [200, 'The message'],
  },
  'PATCH /messages/{id}': {
    summary: 'Change the time or text of a scheduled message (only while SCHEDULED)',
    body: UpdateScheduledMessageSchema,
    success: [200, 'The rescheduled message'],
  },
  'DELETE /messages/{id}': {
    summary: 'Cancel a scheduled or held message: its schedule is deleted, it and its deliveries become CANCELLED',
    success: [200, 'The cancelled message'],
  },
  'POST /messages/{id}/release': {
    summary: 'Release a message held during a crisis: its deliveries are queued now',
    success: [202, 'The released message'],
  },
  'PUT /organisations/{org}/hold': {
    summary: "Switch the organisation's crisis hold on or off by hand (admin)",
    body: HoldRequestSchema,
    success: [200, 'The hold as it is now'],
  },
  'GET /channels': { summary: "The organisation's channels", success: [200, 'The channels'] },
  'PATCH /channels/{id}': {
    summary:
      'Set a channel active, frozen or retired (admin); retiring revokes its token where the platform offers that and deletes its secret',
    body: ChannelPatchSchema,
    success: [200, 'The changed channel'],
  },
  'POST /messages/{id}/deliveries/{channel}/confirm': {
    summary: 'Confirm that a person posted a hand-off delivery',
    body: ConfirmSchema,
    success: [200, 'The delivery, now PUBLISHED'],
  },
  'POST /messages/{id}/deliveries/{channel}/retry': {
    summary:
      'Try one FAILED delivery again from scratch (editor; emergency role for an emergency message, which goes to the urgent lane). 409 with the reason for any other state, a frozen or retired channel, or one that needs to be connected again; held during a crisis hold like any routine post',
    success: [202, 'The delivery, now QUEUED (or PENDING, or HELD during a crisis hold)'],
  },
  'GET /me': {
    summary:
      "The caller (subject, organisation, roles), the platforms this deployment publishes to (herold:platforms), and the organisation's time zone and crisis hold",
    success: [200, 'The caller'],
  },
  'GET /audit': {
    summary: 'The audit trail (admin)',
    query: AuditQuerySchema,
    success: [200, 'Audit entries, newest first'],
  },
  'POST /previews': {
    summary:
      "Each channel's rendered text, its length by that platform's count, and why it would be skipped; writes nothing",
    body: CreateMessageSchema,
    success: [200, 'The preview per channel'],
  },
  'GET /reports/followers': {
    summary:
      'Followers per channel between two dates, with change and series: JSON, CSV, Markdown or SVG (Accept or format=)',
    query: ReportQueryDocSchema,
    success: [200, 'The report'],
  },
  'GET /reports/followers.html': {
    summary: 'The follower report as a web page: table and chart',
    query: ReportQueryDocSchema,
    success: [200, 'HTML page'],
  },
  'PUT /channels/{id}/followers/{date}': {
    summary: 'Enter a follower figure by hand (admin), e.g. for WhatsApp Channels',
    body: ManualFigureBodySchema,
    success: [200, 'The stored figure'],
  },
  'POST /alerts': {
    summary:
      'An alert in, as a CAP 1.2 document or as the alert form (JSON, with ?dryRun=true a preview): one message per language; an Update or Cancel threaded under the alert it references (an Update of an unknown alert is published on its own, a Cancel of one acknowledged); Exercise/Test/System/Draft recorded as a dry run (emergency role)',
    body: AlertFormSchema,
    rawBody: {
      contentTypes: ['application/cap+xml', 'application/xml'],
      description: 'a CAP 1.2 <alert> document, at most 512 KB, without DTD or entities',
    },
    success: [202, 'Accepted: the alert and the messages it became, each with its deliveries'],
  },
  'POST /messages/{id}/approve': {
    summary: 'Second-person approval of a live emergency message (emergency role, not the sender)',
    success: [200, 'The deliveries, now on their urgent queues'],
  },
  'POST /messages/{id}/correct': {
    summary: 'Publish a correction of an alert in its thread, by default with the German correction template',
    body: CorrectionSchema,
    success: [202, 'The correction message and its deliveries'],
  },
  'POST /messages/{id}/reject': {
    summary:
      'Refuse a live emergency message waiting for approval, with a reason: it becomes REJECTED and nothing is published (emergency role)',
    body: RejectSchema,
    success: [200, 'The rejected message and its deliveries'],
  },
  'GET /messages/{id}/alert-form': {
    summary: 'The alert form prefilled from a running alert: its update or its all-clear, threaded under it',
    query: FollowUpQuerySchema,
    success: [200, 'The prefilled form (with a fresh identifier) and the alert it answers'],
  },
  'GET /alert-templates': {
    summary: "The organisation's alert templates (defaults written on first use), with the fields each still lacks",
    success: [200, 'The templates and the languages the organisation publishes'],
  },
  'POST /alert-templates': {
    summary: 'Create an alert template (admin)',
    body: AlertTemplateBodySchema,
    success: [201, 'The template'],
  },
  'PUT /alert-templates/{id}': {
    summary: 'Replace an alert template (admin)',
    body: AlertTemplateBodySchema,
    success: [200, 'The template'],
  },
  'DELETE /alert-templates/{id}': { summary: 'Delete an alert template (admin)', success: [200, 'Deleted'] },
  'GET /alerts/vanished': {
    summary:
      'NINA warnings that left the feed without a Cancel, newest first, each with the path of its prefilled all-clear',
    success: [200, 'The vanished warnings'],
  },
  'POST /organisations/{org}/held-messages/release': {
    summary: 'Release every message the crisis hold keeps back, in one request; each release is audited',
    success: [200, 'The released messages, and those that changed meanwhile'],
  },
  'GET /openapi.json': { summary: 'This description', success: [200, 'OpenAPI 3.1 document'] },
  'POST /channels': {
    summary:
      'Add a channel (admin): frozen and not connected until its account is connected. 422 for a platform this deployment does not publish to (herold:platforms)',
    body: CreateChannelSchema,
    success: [201, 'The channel'],
  },
  'GET /channels/{id}': {
    summary: 'One channel with its connection, token expiry, last refresh and last publish',
    success: [200, 'The channel'],
  },
  'POST /channels/{id}/connect': {
    summary:
      "Connect the channel's account (admin): OAuth platforms answer the authorisation URL to send the person to; Bluesky (app password), Telegram (bot token) and WhatsApp (invite link) are checked and connected at once",
    body: ConnectBodyDocSchema,
    success: [200, '{ kind: "oauth", authorizationUrl, expiresAt } or { kind: "direct", channel }'],
  },
  'GET /oauth/callback/{platform}': {
    summary:
      'Where the platform sends the person back (no token: the single-use state of the connection, 10 minutes); answers an HTML page',
    success: [200, 'HTML page: connected, or failed with the reason'],
  },
  'GET /organisations': {
    summary: 'The organisations the caller administers (admin): their own, with its emergency policy and version',
    success: [200, '{ items: [organisation] }'],
  },
  'GET /organisations/{org}': {
    summary: "The caller's organisation: name, emergency policy, created and updated, version (also the ETag)",
    success: [200, 'The organisation'],
  },
  'PUT /organisations/{org}': {
    summary:
      "Replace the caller's own organisation and its emergency policy (admin); audited. Effective at once on the instance that answered, within a minute on every other",
    body: OrganisationBodySchema,
    success: [200, 'The organisation with its new version (also the ETag)'],
    headers: [
      {
        name: 'If-Match',
        description: 'the ETag as read ("3"): 412 when the organisation changed since, 428 when left out',
      },
    ],
  },
  'GET /organisations/{org}/settings': {
    summary: "The organisation's display name, the sites that may embed its directory, and the directory's addresses",
    success: [200, 'The settings'],
  },
  'PUT /organisations/{org}/settings': {
    summary: "Change the organisation's display name and the sites that may embed its directory (admin)",
    body: OrgSettingsSchema,
    success: [200, 'The settings'],
  },
  'GET /replies': {
    summary:
      "Citizens' public replies to the organisation's posts, newest first, with each platform's and channel's inbox state; filters: platform, message, unanswered",
    query: ListRepliesQuerySchema,
    success: [200, 'A page of replies, the netiquette and the retention period'],
  },
  'POST /replies/{id}/answer': {
    summary: 'Answer a reply (editor): published threaded under it on its platform, as a message of kind answer',
    body: AnswerReplySchema,
    success: [202, 'Accepted: the reply and the answer message with its delivery'],
  },
  'POST /replies/{id}/hide': {
    summary:
      "Hide a reply on its platform (editor), naming the rule of the organisation's netiquette it breaks; audited",
    body: HideReplySchema,
    success: [202, 'Accepted: the platform function hides it'],
  },
  'POST /replies/{id}/unhide': {
    summary: 'Show a hidden reply again (editor); audited',
    body: UnhideReplySchema,
    success: [202, 'Accepted: the platform function shows it again'],
  },
  'GET /organisations/{org}/reply-settings': {
    summary: "How long replies are kept (days) and the organisation's netiquette",
    success: [200, 'The reply settings'],
  },
  'PUT /organisations/{org}/reply-settings': {
    summary: 'Change the retention period of replies and the netiquette (admin); audited',
    body: ReplySettingsSchema,
    success: [200, 'The reply settings'],
  },
  'GET /webhooks/meta': {
    summary: "Meta's subscription check (hub.mode, hub.verify_token, hub.challenge): answers the challenge",
    success: [200, 'The challenge, as text'],
  },
  'POST /webhooks/meta': {
    summary: 'Page feed and Instagram comments webhooks, signed with X-Hub-Signature-256 (no token)',
    success: [200, 'Received'],
  },
  'GET /webhooks/threads': {
    summary: "Threads' subscription check: answers the challenge",
    success: [200, 'The challenge, as text'],
  },
  'POST /webhooks/threads': {
    summary: 'Threads replies webhook, signed with X-Hub-Signature-256 (no token)',
    success: [200, 'Received'],
  },
  'POST /webhooks/telegram/{channel}': {
    summary: "A Telegram channel bot's updates, with X-Telegram-Bot-Api-Secret-Token (no token)",
    success: [200, 'Received'],
  },
};

const PROBLEM = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const doc = ROUTE_DOCS[`${route.method} ${route.path}` as RouteKey];
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: jsonSchema(IdSchema),
    }));
    const queryParams = doc.query ? queryParameters(doc.query) : [];
    const headerParams = (doc.headers ?? []).map((header) => ({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: { type: 'string' },
    }));
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: doc.summary,
      ...('public' in route && route.public ? { security: [] } : {}),
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(doc.body || doc.rawBody
        ? {
            requestBody: {
              required: true,
              ...(doc.rawBody ? { description: doc.rawBody.description } : {}),
              content: {
                ...(doc.body ? { 'application/json': { schema: jsonSchema(doc.body) } } : {}),
                ...Object.fromEntries(
                  (doc.rawBody?.contentTypes ?? []).map((type) => [type, { schema: { type: 'string' } }]),
                ),
              },
            },
          }
        : {}),
      responses: {
        [String(doc.success[0])]: { description: doc.success[1], content: { 'application/json': {} } },
        '400': PROBLEM,
        '401': PROBLEM,
        '403': PROBLEM,
        '404': PROBLEM,
        '409': PROBLEM,
        '422': PROBLEM,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herold API',
      version: '1.0.0',
      description: 'One message in, every channel out, every delivery accounted for; emergencies first.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

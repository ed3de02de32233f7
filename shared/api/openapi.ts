/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas the handlers
 * validate with (zod's JSON Schema output is the 2020-12 dialect OpenAPI 3.1 uses), and from the
 * route table, so it cannot drift from what the API accepts.
 */
import { z } from 'zod';
import { ROUTES, type RouteKey } from './routes';
import { CreateMessageSchema, IdSchema } from '../model/schemas';
import { ChannelPatchSchema } from '../channels/update';
import { ConfirmSchema } from '../messages/confirm';
import { AuditQuerySchema } from '../audit/audit';
import { ListMessagesQuerySchema } from '../messages/read';

export interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** the success status and what it returns */
  success: [number, string];
  headers?: { name: string; description: string }[];
}

export const ROUTE_DOCS: Record<RouteKey, RouteDoc> = {
  'POST /messages': {
    summary: 'Publish one message to the organisation\'s channels (with ?dryRun=true: a preview, nothing written)',
    body: CreateMessageSchema,
    success: [202, 'Accepted: the message and one delivery per channel with its state'],
    headers: [{ name: 'Idempotency-Key', description: 'the same key and body return the original response for 24 h' }],
  },
  'GET /messages': { summary: 'List the organisation\'s messages, newest first', query: ListMessagesQuerySchema, success: [200, 'A page of messages'] },
  'GET /messages/{id}': { summary: 'A message with every delivery\'s state, remote URL and error', success: [200, 'The message'] },
  'GET /channels': { summary: 'The organisation\'s channels', success: [200, 'The channels'] },
  'PATCH /channels/{id}': { summary: 'Set a channel active, frozen or retired (admin)', body: ChannelPatchSchema, success: [200, 'The changed channel'] },
  'POST /messages/{id}/deliveries/{channel}/confirm': { summary: 'Confirm that a person posted a hand-off delivery', body: ConfirmSchema, success: [200, 'The delivery, now PUBLISHED'] },
  'GET /audit': { summary: 'The audit trail (admin)', query: AuditQuerySchema, success: [200, 'Audit entries, newest first'] },
  'POST /previews': { summary: 'Each channel\'s rendered text, its length by that platform\'s count, and why it would be skipped; writes nothing', body: CreateMessageSchema, success: [200, 'The preview per channel'] },
  'GET /openapi.json': { summary: 'This description', success: [200, 'OpenAPI 3.1 document'] },
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
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: jsonSchema(IdSchema) }));
    const queryParams = doc.query ? queryParameters(doc.query) : [];
    const headerParams = (doc.headers ?? []).map((header) => ({ name: header.name, in: 'header', required: false, description: header.description, schema: { type: 'string' } }));
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: doc.summary,
      ...('public' in route && route.public ? { security: [] } : {}),
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } } : {}),
      responses: {
        [String(doc.success[0])]: { description: doc.success[1], content: { 'application/json': {} } },
        '400': PROBLEM,
        '401': PROBLEM,
        '403': PROBLEM,
        '404': PROBLEM,
        '422': PROBLEM,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Herold API', version: '1.0.0', description: 'One message in, every channel out, every delivery accounted for; emergencies first.' },
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
            errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: property }));
}

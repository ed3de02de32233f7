/**
 * The local stand-in for API Gateway's HTTP API: matches requests against shared/api/routes.ts,
 * verifies the Bearer token with the local development key (as the JWT authorizer does in AWS),
 * turns the request into a payload-format-2.0 event and the handler's result back into a response.
 * `POST /_local/schedules/<name>/run` runs a local schedule at once (no token: local only).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { errors as joseErrors, type JWTPayload } from 'jose';
import { ROUTES, routeFunction, routeKey, type RouteSpec } from '../shared/api/routes';
import { LOCAL_ACCOUNT_ID } from './aws';
import { verifyToken } from './dev-key';
import { invoke } from './invocations';
import { lambdaContext } from './lambda-context';

/** API Gateway's payload limit for HTTP APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const API_ID = 'local';

export type HttpHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<unknown>;

export interface LocalSchedules {
  has(name: string): boolean;
  runNow(name: string): Promise<void>;
}

export interface HttpServerOptions {
  /** serves every route, unless `handlers` is given */
  handler: HttpHandler;
  /** the handler of each function a route names (shared/api/routes.ts `function`), as API Gateway integrates each route with its own function */
  handlers?: Record<string, HttpHandler>;
  /** 0 = a free port (default 3000) */
  port?: number;
  host?: string;
  routes?: readonly RouteSpec[];
  schedules?: LocalSchedules;
  functionName?: string;
  timeoutSeconds?: number;
  log?: (line: string, error?: unknown) => void;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const log = options.log ?? ((line, error) => (error ? console.error(line, error) : console.log(line)));
  const routes = options.routes ?? ROUTES;
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const started = Date.now();
    response.once('finish', () =>
      log(`${request.method} ${request.url} ${response.statusCode} ${Date.now() - started} ms`),
    );
    serve(request, response).catch((error: unknown) => {
      log(`${request.method} ${request.url} failed`, error);
      if (!response.headersSent)
        sendProblem(response, 500, 'Internal Server Error', 'the request could not be handled');
      else response.destroy();
    });
  });
  // Requests Node refuses before routing (headers over its limit, malformed HTTP) still get a problem.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: 'about:blank',
      title: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
      status,
      detail: tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const [rawPath = '/', rawQueryString = ''] = splitOnce(request.url ?? '/', '?');

    const schedule = /^\/_local\/schedules\/([^/]+)\/run$/.exec(rawPath);
    if (schedule) return runSchedule(method, safeDecode(schedule[1] ?? ''), response);

    const match = matchRoute(routes, method, rawPath);
    if (match.kind === 'not-found')
      return sendProblem(response, 404, 'Not Found', `no route for ${safeDecode(rawPath)}`);
    if (match.kind === 'method-not-allowed') {
      return sendProblem(response, 405, 'Method Not Allowed', `${method} is not allowed on ${safeDecode(rawPath)}`, {
        allow: match.allow.join(', '),
      });
    }
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return sendTooLarge(request, response);

    let claims: Record<string, string> | undefined;
    if (!match.route.public) {
      const verified = await authenticate(request.headers.authorization);
      if ('problem' in verified) {
        return sendProblem(response, 401, 'Unauthorized', verified.problem, {
          'www-authenticate': `Bearer error="invalid_token", error_description="${verified.problem}"`,
        });
      }
      claims = toGatewayClaims(verified.payload);
    }

    const body = await readBody(request, MAX_BODY_BYTES);
    if (body === undefined) return sendTooLarge(request, response);

    const event = toApiGatewayEvent({
      method,
      rawPath,
      rawQueryString,
      headers: request.headersDistinct,
      httpVersion: request.httpVersion,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      localPort: request.socket.localPort ?? 0,
      body,
      route: match.route,
      pathParameters: match.pathParameters,
      claims,
    });
    const fn = routeFunction(match.route);
    const handler = options.handlers ? options.handlers[fn] : options.handler;
    if (!handler) return sendProblem(response, 502, 'Bad Gateway', `no function "${fn}" serves ${event.routeKey}`);
    let result: unknown;
    try {
      const functionName = options.handlers ? `herold-${fn}` : (options.functionName ?? 'herold-ingest');
      result = await invoke({ functionName, trigger: 'api' }, () =>
        handler(event, lambdaContext(functionName, (options.timeoutSeconds ?? 10) * 1000)),
      );
    } catch (error) {
      log(`${event.routeKey}: the function threw`, error);
      return sendProblem(response, 500, 'Internal Server Error', 'the function failed; see the server log');
    }
    const reply = toHttpResponse(result);
    if (!reply)
      return sendProblem(response, 500, 'Internal Server Error', 'the function returned a malformed response');
    response.writeHead(reply.statusCode, reply.headers).end(reply.body);
  };

  const runSchedule = async (method: string, name: string, response: ServerResponse): Promise<void> => {
    if (!options.schedules?.has(name)) return sendProblem(response, 404, 'Not Found', `no local schedule "${name}"`);
    if (method !== 'POST')
      return sendProblem(response, 405, 'Method Not Allowed', 'schedules are run with POST', { allow: 'POST' });
    const started = Date.now();
    try {
      await options.schedules.runNow(name);
    } catch (error) {
      log(`schedule ${name} failed`, error);
      return sendProblem(response, 500, 'Schedule Failed', `schedule "${name}" failed: ${(error as Error).message}`);
    }
    sendJson(response, 200, {
      schedule: name,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type RouteMatch =
  | { kind: 'match'; route: RouteSpec; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * Matches a raw (still percent-encoded) path: `{name}` takes one non-empty segment, `{name+}` the
 * rest of the path. Where several routes match, the one with more literal segments wins, as API
 * Gateway picks the most specific route.
 */
export function matchRoute(routes: readonly RouteSpec[], method: string, rawPath: string): RouteMatch {
  const segments = rawPath.split('/').slice(1);
  const candidates: { route: RouteSpec; pathParameters: Record<string, string>; literals: number }[] = [];
  for (const route of routes) {
    const matched = matchPath(route.path.split('/').slice(1), segments);
    if (matched) candidates.push({ route, ...matched });
  }
  if (candidates.length === 0) return { kind: 'not-found' };
  const forMethod = candidates
    .filter(({ route }) => route.method === method)
    .sort((a, b) => b.literals - a.literals)[0];
  if (!forMethod)
    return { kind: 'method-not-allowed', allow: [...new Set(candidates.map(({ route }) => route.method))] };
  return { kind: 'match', route: forMethod.route, pathParameters: forMethod.pathParameters };
}

function matchPath(
  pattern: string[],
  segments: string[],
): { pathParameters: Record<string, string>; literals: number } | undefined {
  const pathParameters: Record<string, string> = {};
  let literals = 0;
  for (const [index, part] of pattern.entries()) {
    const parameter = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    if (parameter?.[2]) {
      const rest = segments.slice(index);
      if (rest.length === 0 || rest.join('') === '') return undefined;
      pathParameters[parameter[1] ?? ''] = safeDecode(rest.join('/'));
      return { pathParameters, literals };
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    if (parameter) {
      if (segment === '') return undefined;
      pathParameters[parameter[1] ?? ''] = safeDecode(segment);
    } else if (part === segment) {
      literals++;
    } else {
      return undefined;
    }
  }
  return pattern.length === segments.length ? { pathParameters, literals } : undefined;
}

/**
 * Claims as API Gateway's JWT authorizer hands them to Lambda: every value a string, arrays as
 * `[a b]` and objects as `map[k:v]` (so `roles: ["editor","emergency"]` arrives as "[editor emergency]").
 */
export function toGatewayClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, claimString(value)]));
}

function claimString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(claimString).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([key, inner]) => `${key}:${claimString(inner)}`).join(' ')}]`;
  }
  return String(value);
}

async function authenticate(authorization: string | undefined): Promise<{ payload: JWTPayload } | { problem: string }> {
  // API Gateway takes the token with or without the Bearer prefix.
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return { problem: 'an Authorization: Bearer token is required' };
  try {
    return { payload: await verifyToken(token) };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { problem: 'the token has expired' };
    if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported)
      return { problem: 'the token is not signed with ES256' };
    if (error instanceof joseErrors.JWTClaimValidationFailed)
      return { problem: `the token's "${error.claim}" claim is not valid` };
    return { problem: 'the token is not valid' };
  }
}

export interface GatewayRequest {
  method: string;
  /** path as sent, still percent-encoded */
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string[] | undefined>;
  httpVersion: string;
  sourceIp: string;
  localPort: number;
  body: Buffer;
  route: RouteSpec;
  pathParameters: Record<string, string>;
  /** verified claims; undefined on public routes */
  claims: Record<string, string> | undefined;
  now?: Date;
}

/** The payload-format-2.0 event API Gateway builds for this request. */
export function toApiGatewayEvent(request: GatewayRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const now = request.now ?? new Date();
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headers)) {
    if (!values) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie')
      cookies = values.flatMap((value) => value.split(';').map((cookie) => cookie.trim())).filter(Boolean);
    else headers[lower] = values.join(',');
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(request.localPort);
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const query = new URLSearchParams(request.rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const name of new Set(query.keys())) queryStringParameters[name] = query.getAll(name).join(',');

  const domainName = (headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
  const path = safeDecode(request.rawPath);
  const key = routeKey(request.route);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: key,
    rawPath: path,
    rawQueryString: request.rawQueryString,
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64'),
      routeKey: key,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (query.size > 0) event.queryStringParameters = queryStringParameters;
  if (Object.keys(request.pathParameters).length > 0) event.pathParameters = request.pathParameters;
  if (request.body.length > 0) {
    const textual = isTextContentType(headers['content-type']);
    event.body = request.body.toString(textual ? 'utf8' : 'base64');
    event.isBase64Encoded = !textual;
  }
  if (!request.claims) return event as APIGatewayProxyEventV2WithJWTAuthorizer;
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { jwt: { claims: request.claims, scopes: null } } },
  };
}

const TEXT_CONTENT_TYPE =
  /^\s*(text\/[\w.+-]+|application\/([\w.-]+\+)?(json|xml)|application\/(x-www-form-urlencoded|javascript|ecmascript|yaml|x-yaml|graphql))\s*(;|$)/i;

/** Bodies of these types reach the function as text; all others base64-encoded. */
export const isTextContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType);

export interface HttpReply {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * A function result as API Gateway turns it into a response: an object with a statusCode is taken
 * field by field; anything else is a 200 application/json whose body is the result (a string as is,
 * other values as JSON). Undefined when the statusCode is not a valid HTTP status.
 */
export function toHttpResponse(result: unknown): HttpReply | undefined {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const structured = result as {
    statusCode: unknown;
    headers?: Record<string, string | number | boolean>;
    multiValueHeaders?: Record<string, (string | number | boolean)[]>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const { statusCode } = structured;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(structured.multiValueHeaders ?? {})) {
    const lower = name.toLowerCase();
    const existing = headers[lower];
    headers[lower] = [...(existing === undefined ? [] : [existing].flat()), ...values.map(String)];
  }
  if (structured.cookies?.length) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [...(existing === undefined ? [] : [existing].flat()), ...structured.cookies];
  }
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode, headers, body };
}

/** Reads the body, or undefined once it passes the limit (the rest is drained, not kept). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.once('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.once('error', reject);
  });
}

function sendTooLarge(request: IncomingMessage, response: ServerResponse): void {
  sendProblem(response, 413, 'Content Too Large', `the body is over API Gateway's limit of ${MAX_BODY_BYTES} bytes`, {
    connection: 'close',
  });
  request.resume();
}

function sendProblem(
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  response.writeHead(status, { ...headers, 'content-type': 'application/problem+json' }).end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function splitOnce(value: string, separator: string): [string, string] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, ''] : [value.slice(0, index), value.slice(index + 1)];
}

/** API Gateway hands the function decoded paths; a malformed escape is left as sent. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time format. */
function gatewayTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

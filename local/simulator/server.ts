/**
 * The platform simulator: one HTTP server that plays every implemented platform.
 *
 * Each platform lives under its own path prefix, so platforms that share a production host
 * (Facebook and Instagram on graph.facebook.com) never collide: the base URL of platform `p` is
 * `<url>/<p>` (see `simBaseUrl`/`simBaseUrlEnv`), and its module sees the path without the prefix,
 * exactly as the real host would. Control endpoints live under `/_sim`:
 *   GET /_sim/health · GET /_sim/posts?platform= · DELETE /_sim/posts (reset everything)
 *   POST /_sim/faults (a SimFault or a list) · GET /_sim/faults · DELETE /_sim/faults
 *   POST /_sim/replies (citizens' replies, see replies.ts) · DELETE /_sim/replies/<platform>/<id>
 *   GET /_sim/media/<name>.(jpg|png|mp4) (small public media for tests and the local stack)
 *   POST /_sim/oauth/consent (a person's decision on a sign-in page) · POST /_sim/oauth/expire-codes
 * Each platform's sign-in host is served under `/auth/<p>` (see ./signin.ts).
 * The NINA warning feed is served under `/nina` (see ./nina.ts) and driven through
 *   POST /_sim/nina/warnings (a NinaSimWarning) · POST /_sim/nina/warnings/<id>/update (changes)
 *   POST /_sim/nina/warnings/<id>/cancel · DELETE /_sim/nina/warnings/<id>
 */
import { controlReplies } from './replies';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PLATFORM_IDS, isPlatformId, type PlatformId } from '../../shared/platforms/registry';
import { SIM_PLATFORMS } from './platforms/index';
import { MemorySimState, seededRandom } from './state';
import { SAMPLE_MEDIA } from './media';
import { createNinaSim, type NinaSim } from './nina';
import type { OddAnswer, SimFault, SimFile, SimPlatform, SimRequest, SimResponse } from './types';
import { handleApiHost, handleAuthHost, handleOAuthControl } from './signin';

export interface SimulatorOptions {
  port: number;
  host?: string;
  /** the modules to serve (default: every module in SIM_PLATFORMS) */
  platforms?: SimPlatform[];
  /** seed for follower counts and fault rates */
  seed?: number;
  /** every platform answer takes this long (ms, drawn evenly from the range): a real API's latency */
  responseDelayMs?: { min: number; max: number };
  /** false: the platforms' publishing limits are not simulated (default true) */
  enforceQuotas?: boolean;
  /** multiplies every platform's publishing limit (default 1) */
  quotaScale?: number;
}

export interface RunningSimulator {
  url: string;
  state: MemorySimState;
  /** the NINA feed: publish, update and cancel warnings */
  nina: NinaSim;
  stop(): Promise<void>;
}

/** The base URL a client of `platform` uses to reach this simulator. */
export const simBaseUrl = (simulatorUrl: string, platform: PlatformId): string =>
  `${simulatorUrl.replace(/\/+$/, '')}/${platform}`;

/** HEROLD_<PLATFORM>_BASE_URL for every platform, pointing at the simulator. */
export const simBaseUrlEnv = (simulatorUrl: string): Record<string, string> =>
  Object.fromEntries(PLATFORM_IDS.map((id) => [`HEROLD_${id.toUpperCase()}_BASE_URL`, simBaseUrl(simulatorUrl, id)]));

interface ActiveFault extends SimFault {
  remaining: number;
}

const MAX_BODY_BYTES = 50 * 1024 * 1024;

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const modules = new Map((options.platforms ?? SIM_PLATFORMS).map((module) => [module.id, module]));
  const state = new MemorySimState({
    seed: options.seed,
    enforceQuotas: options.enforceQuotas,
    quotaScale: options.quotaScale,
  });
  const random = seededRandom(state.seed);
  let faults: ActiveFault[] = [];
  const nina = createNinaSim();
  const delay = options.responseDelayMs;
  const pause = async () => {
    if (delay)
      await new Promise((resolve) => setTimeout(resolve, delay.min + random() * Math.max(0, delay.max - delay.min)));
  };

  const takeFault = (platform: PlatformId, request: SimRequest): ActiveFault | undefined => {
    const { method, path } = request;
    const matches = (text: string) =>
      [path, request.query.toString(), request.headers.authorization ?? '', request.rawBody.toString('utf8')].some(
        (part) => part.includes(text),
      );
    // Each matching fault rolls its own rate; the first that hits applies.
    const fault = faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.platform ?? platform) === platform &&
        !candidate.exceptPaths?.includes(path) &&
        (candidate.matching === undefined || matches(candidate.matching)) &&
        (candidate.readsOnly ? method === 'GET' : candidate.writesOnly === false || method !== 'GET') &&
        random() < (candidate.rate ?? 1),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    faults = faults.filter((candidate) => candidate.remaining > 0);
    return fault;
  };

  const control = async (request: SimRequest): Promise<SimResponse> => {
    const route = `${request.method} ${request.path}`;
    if (route === 'GET /_sim/health') return { status: 200, body: { ok: true, platforms: [...modules.keys()] } };
    if (route === 'GET /_sim/posts') {
      const platform = request.query.get('platform') ?? undefined;
      if (platform === undefined) return { status: 200, body: state.posts() };
      if (!isPlatformId(platform)) return { status: 400, body: { error: `unknown platform ${platform}` } };
      return { status: 200, body: state.posts(platform) };
    }
    if (route === 'DELETE /_sim/posts') {
      state.reset();
      return { status: 204 };
    }
    if (route === 'GET /_sim/faults') return { status: 200, body: faults };
    if (route === 'DELETE /_sim/faults') {
      faults = [];
      return { status: 204 };
    }
    if (route === 'POST /_sim/faults') {
      const list = Array.isArray(request.body) ? request.body : [request.body];
      const invalid = list.find((fault) => !isFault(fault));
      if (invalid !== undefined)
        return { status: 400, body: { error: 'a fault is an object; platform must be a known platform id' } };
      faults.push(
        ...(list as SimFault[]).map((fault) => ({ ...fault, remaining: fault.count ?? Number.POSITIVE_INFINITY })),
      );
      return { status: 201, body: faults };
    }
    const repliesControl = await controlReplies(request, state, modules);
    if (repliesControl) return repliesControl;
    const oauthControl = handleOAuthControl(request, state);
    if (oauthControl) return oauthControl;
    const ninaControl = controlNina(nina, request);
    if (ninaControl) return ninaControl;
    const media =
      request.method === 'GET' && /^\/_sim\/media\/[\w.-]+$/.test(request.path)
        ? SAMPLE_MEDIA[request.path.slice('/_sim/media/'.length)]
        : undefined;
    if (media) return { status: 200, headers: { 'content-type': media.mime }, body: media.bytes };
    return { status: 404, body: { error: `no simulator route ${route}` } };
  };

  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const request = await readRequest(incoming);
    if (request.path.startsWith('/_sim/')) return send(outgoing, await control(request));
    const ninaResponse = nina.handle(request);
    if (ninaResponse) {
      // the feed answers with a real service's latency too
      await pause();
      return send(outgoing, ninaResponse);
    }

    const [, prefix = '', ...rest] = request.path.split('/');
    // a platform's sign-in host: /auth/<platform>/…
    const [signInPlatform = '', ...signInRest] = rest;
    if (prefix === 'auth' && isPlatformId(signInPlatform))
      return send(outgoing, handleAuthHost(signInPlatform, { ...request, path: `/${signInRest.join('/')}` }, state));
    const module = isPlatformId(prefix) ? modules.get(prefix) : undefined;
    if (!module) return send(outgoing, { status: 404, body: { error: `no simulated platform at /${prefix}` } });
    const platformRequest: SimRequest = { ...request, path: `/${rest.join('/')}` };
    const errorResponse = (status: number, message: string, retryAfter?: number): SimResponse =>
      module.errorResponse?.(status, message, retryAfter) ?? { status, body: { error: message } };

    await pause();
    const fault = takeFault(module.id, platformRequest);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    // A proxy's page in place of the platform's answer: the platform never saw the request.
    if (fault?.oddAnswer === 'html-page') return send(outgoing, MAINTENANCE_PAGE);
    if (fault?.status && !fault.dropAfterRecord) {
      const response =
        fault.body === undefined
          ? errorResponse(fault.status, 'simulated fault', fault.retryAfter)
          : { status: fault.status, body: fault.body };
      if (fault.retryAfter !== undefined)
        response.headers = { ...response.headers, 'retry-after': String(fault.retryAfter) };
      return send(outgoing, { ...response, status: fault.status });
    }

    let response: SimResponse;
    try {
      response =
        handleApiHost(module.id, platformRequest, state) ??
        (await module.handle(platformRequest, state)) ??
        errorResponse(404, `Unknown path ${request.method} ${platformRequest.path}`);
    } catch (error) {
      response = errorResponse(
        500,
        `simulator module failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // The platform kept what it was sent; the answer is lost on the way back.
    if (fault?.dropAfterRecord) {
      outgoing.socket?.destroy();
      return;
    }
    send(outgoing, fault?.oddAnswer ? oddAnswer(response, fault.oddAnswer) : response);
  };

  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent)
        send(outgoing, { status: 500, body: { error: error instanceof Error ? error.message : String(error) } });
    });
  });
  // Idle connections stay open as long as a platform's load balancer keeps them (about a minute):
  // Node's fetch closes a connection at once when the server announces less than its own 2 s margin,
  // and then every request would pay for a new connection. stop() closes them all anyway.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.baseUrl = url;
  return {
    url,
    state,
    nina,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** What a load balancer or captive portal sends in place of an API's answer. */
const MAINTENANCE_PAGE: SimResponse = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<!DOCTYPE html><html><head><title>Wartungsarbeiten</title></head><body><h1>We&#39;ll be back soon</h1><p>The service is undergoing maintenance.</p></body></html>',
};

/** Headers that carry the id of what a request created (LinkedIn's post URN, a resumable upload's URL). */
const ID_HEADERS = ['x-restli-id', 'location'];
/** Fields that name what an answer is about; wrong-shape drops them wherever they are. */
const ID_FIELDS = new Set(['id', 'uri', 'cid', 'message_id', 'media_id', 'post_id']);

/** The platform's answer as an odd answer of the given kind; error answers go out unchanged. */
export function oddAnswer(response: SimResponse, kind: Exclude<OddAnswer, 'html-page'>): SimResponse {
  if (response.status < 200 || response.status >= 300) return response;
  if (kind === 'empty-204') return { status: 204 };
  const headers = { ...response.headers };
  if (kind === 'wrong-shape') {
    for (const name of ID_HEADERS) delete headers[name];
    return { status: response.status, headers, body: reshape(response.body) };
  }
  // nothing to cut: an answer without a body (LinkedIn's 201 carries its id in a header)
  if (response.body === undefined || Buffer.isBuffer(response.body)) return response;
  const json = JSON.stringify(response.body);
  return {
    status: response.status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    // cut off halfway: a string body is sent as it is, so the client gets the half with a matching length
    body: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
  };
}

/** Every list an object, every id field gone: a changed API version, a list that became a page object. */
function reshape(value: unknown): unknown {
  if (Array.isArray(value)) return { items: value.map(reshape) };
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !ID_FIELDS.has(key))
      .map(([key, item]) => [key, reshape(item)]),
  );
}

/** The NINA feed's control routes; undefined when the request is not one of them. */
function controlNina(nina: NinaSim, request: SimRequest): SimResponse | undefined {
  const match = /^\/_sim\/nina\/warnings(?:\/([^/]+)(?:\/(update|cancel))?)?$/.exec(request.path);
  if (!match) return undefined;
  const [, id, action] = match;
  const body = (request.body ?? {}) as Record<string, unknown>;
  try {
    if (request.method === 'POST' && !id && typeof body.headline === 'string' && typeof body.description === 'string') {
      return { status: 201, body: nina.publish(body as unknown as Parameters<NinaSim['publish']>[0]) };
    }
    if (request.method === 'POST' && id && action === 'update')
      return { status: 200, body: nina.update(decodeURIComponent(id), body) };
    if (request.method === 'POST' && id && action === 'cancel')
      return { status: 200, body: nina.cancel(decodeURIComponent(id)) };
    if (request.method === 'DELETE' && id && !action) {
      nina.remove(decodeURIComponent(id));
      return { status: 204 };
    }
  } catch (error) {
    return { status: 404, body: { error: error instanceof Error ? error.message : String(error) } };
  }
  return { status: 400, body: { error: 'a warning needs at least a headline and a description' } };
}

function isFault(value: unknown): value is SimFault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const platform = (value as { platform?: unknown }).platform;
  return platform === undefined || (typeof platform === 'string' && isPlatformId(platform));
}

async function readRequest(incoming: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large for the simulator');
    chunks.push(chunk);
  }
  const rawBody = Buffer.concat(chunks);
  const url = new URL(incoming.url ?? '/', 'http://simulator');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: parseBody(rawBody, headers['content-type'] ?? ''),
    rawBody,
  };
}

/** JSON, url-encoded forms and multipart forms; anything else stays in rawBody only. */
export function parseBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return undefined;
  if (contentType.includes('json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (contentType.includes('application/x-www-form-urlencoded'))
    return formFields(new URLSearchParams(raw.toString('utf8')));
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) return parseMultipart(raw, boundary);
  return undefined;
}

/** A plain object; a repeated field (or one named `x[]`) becomes a list. */
export function formFields(params: URLSearchParams): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of params) addField(fields, name, value);
  return fields;
}

function addField(fields: Record<string, unknown>, name: string, value: unknown): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = name.endsWith('[]') ? [value] : value;
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

function parseMultipart(raw: Buffer, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (raw.subarray(partStart, partStart + 2).toString() === '--') break;
    const end = raw.indexOf(delimiter, partStart);
    if (end === -1) break;
    const part = raw.subarray(partStart + 2, end - 2); // skip the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
      if (name !== undefined) {
        const file: SimFile = { filename: filename ?? '', contentType, size: data.length, data };
        addField(fields, name, filename === undefined ? data.toString('utf8') : file);
      }
    }
    start = end;
  }
  return fields;
}

function send(outgoing: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(response.body)) payload = response.body;
  else if (typeof response.body === 'string') {
    payload = response.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  outgoing.writeHead(response.status, headers);
  outgoing.end(payload);
}

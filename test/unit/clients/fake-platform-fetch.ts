/** A scripted `fetch` for client tests: answers by method and path, and records every request. */
import { readFileSync } from 'node:fs';
import type { Channel } from '../../../shared/model/schemas';
import type { Credentials, PublishContext } from '../../../shared/platforms/client';

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** the body parsed as JSON, when it was JSON */
  json?: unknown;
  bytes?: Uint8Array;
}

export interface Route {
  method: string;
  path: string | RegExp;
  respond: (call: RecordedCall, count: number) => Response | Promise<Response>;
}

export function fakeFetch(routes: Route[]): {
  fetch: typeof fetch;
  calls: RecordedCall[];
  count: (method: string, path: string) => number;
} {
  const calls: RecordedCall[] = [];
  const hits = new Map<Route, number>();
  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([key, value]) => [key.toLowerCase(), value]),
    );
    const call: RecordedCall = { method: init.method ?? 'GET', url, headers };
    if (typeof init.body === 'string') call.json = JSON.parse(init.body);
    else if (init.body instanceof Uint8Array) call.bytes = init.body;
    calls.push(call);
    const route = routes.find(
      (candidate) =>
        candidate.method === call.method &&
        (typeof candidate.path === 'string' ? candidate.path === url.pathname : candidate.path.test(url.pathname)),
    );
    if (!route) throw new Error(`no route for ${call.method} ${url.pathname}`);
    const count = (hits.get(route) ?? 0) + 1;
    hits.set(route, count);
    return route.respond(call, count);
  };
  const count = (method: string, path: string) =>
    calls.filter((call) => call.method === method && call.url.pathname === path).length;
  return { fetch: fetchFn as typeof fetch, calls, count };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const bytes = (size: number, type: string): Response =>
  new Response(new Uint8Array(size).fill(7), { status: 200, headers: { 'content-type': type } });

/** A JSON fixture from test/fixtures/platforms/<platform>/<name>.json. */
export function fixture<T = unknown>(platform: string, name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/platforms/${platform}/${name}.json`, import.meta.url), 'utf8'),
  ) as T;
}

export interface TestContext extends PublishContext {
  checkpoints: Record<string, string>[];
}

export function testContext(
  platform: Channel['platform'],
  account: string,
  credentials: Credentials,
  fetchFn: typeof fetch,
  baseUrl = `https://${platform}.example`,
): TestContext {
  const checkpoints: Record<string, string>[] = [];
  return {
    channel: {
      id: `${platform}-city`,
      org: 'city',
      platform,
      handle: account,
      state: 'active',
      account,
      credentialsRef: `local:${platform}-city`,
    },
    credentials,
    baseUrl,
    fetch: fetchFn,
    checkpoints,
    async saveCheckpoint(checkpoint) {
      checkpoints.push(checkpoint);
    },
    clearToPublish: async () => undefined,
  };
}

/** The real fetch, counting requests by method and path (for contract tests against the simulator). */
export function countingFetch(before?: (method: string, url: URL) => Promise<void>): {
  fetch: typeof fetch;
  count: (method: string, pathSuffix: string) => number;
} {
  const seen: { method: string; path: string }[] = [];
  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    seen.push({ method, path: url.pathname });
    await before?.(method, url);
    return fetch(input, init);
  };
  return {
    fetch: fetchFn as typeof fetch,
    count: (method, pathSuffix) =>
      seen.filter((call) => call.method === method && call.path.endsWith(pathSuffix)).length,
  };
}

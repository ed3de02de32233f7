/** What the client contract tests share: a channel context, and a fetch that replays documented exchanges. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { PlatformError, type PublishContext, type PublishRequest } from '../../../shared/platforms/client';
import type { PlatformId } from '../../../shared/platforms/registry';
import { parseBody } from '../../../local/simulator/server';

export interface TestContext extends PublishContext {
  checkpoints: Record<string, string>[];
}

export function channelContext(
  platform: PlatformId,
  account: string,
  credentials: Record<string, string>,
  baseUrl: string,
): TestContext {
  const checkpoints: Record<string, string>[] = [];
  return {
    channel: {
      id: `${platform}-test`,
      org: 'city',
      platform,
      handle: `dresden-${platform}`,
      state: 'active',
      account,
      credentialsRef: 'local:test',
    },
    credentials,
    baseUrl,
    checkpoints,
    timeoutMs: 2000,
    saveCheckpoint: async (checkpoint) => {
      checkpoints.push(checkpoint);
    },
    clearToPublish: async () => undefined,
  };
}

let sequence = 0;
export function publishRequest(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `hrl-${sequence.toString(36)}`;
  return {
    idempotencyKey: `msg-${sequence}:channel-1`,
    marker,
    text: `Sperrung der Carolabrücke bis auf Weiteres. ${marker}`,
    media: [],
    checkpoint: {},
    ...overrides,
  };
}

export interface DocumentedExchange {
  name: string;
  request: { method: string; path: string; params?: Record<string, unknown>; headers?: Record<string, string> };
  response: { status: number; headers?: Record<string, string>; body: unknown };
}

export interface DocumentedFixture {
  source: string;
  exchanges: DocumentedExchange[];
}

export function loadFixture(platform: string, name: string): DocumentedFixture {
  const file = path.join(import.meta.dirname, '../../fixtures/platforms', platform, `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as DocumentedFixture;
}

export interface SeenRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  headers: Headers;
}

/** Request parameters as the platform reads them: query, form, JSON or multipart fields. */
async function requestParams(url: URL, init: RequestInit | undefined): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const body = init?.body;
  if (body instanceof URLSearchParams) Object.assign(params, Object.fromEntries(body));
  else if (body instanceof FormData)
    for (const [name, value] of body) params[name] = typeof value === 'string' ? value : `<file ${value.type}>`;
  else if (typeof body === 'string') Object.assign(params, JSON.parse(body) as Record<string, unknown>);
  else if (body instanceof Uint8Array) {
    const fields = parseBody(Buffer.from(body), new Headers(init?.headers).get('content-type') ?? '') as
      Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(fields ?? {}))
      params[name] = typeof value === 'string' ? value : `<file ${(value as { contentType: string }).contentType}>`;
  }
  return params;
}

/**
 * A fetch that answers with the documented responses, in order, and checks that each request
 * carries the method, path and parameters the documentation shows.
 */
export function documentedFetch(
  fixture: DocumentedFixture,
  baseUrl: string,
): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const pending = [...fixture.exchanges];
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const request: SeenRequest = {
      method: init?.method ?? 'GET',
      path: decodeURIComponent(url.pathname.slice(new URL(baseUrl).pathname.replace(/\/$/, '').length)),
      params: await requestParams(url, init),
      headers: new Headers(init?.headers),
    };
    seen.push(request);
    const exchange = pending.shift();
    if (!exchange) throw new Error(`unexpected request ${request.method} ${request.path}`);
    expect(`${request.method} ${request.path}`, exchange.name).toBe(
      `${exchange.request.method} ${exchange.request.path}`,
    );
    if (exchange.request.params) expect(request.params, exchange.name).toMatchObject(exchange.request.params);
    for (const [name, value] of Object.entries(exchange.request.headers ?? {}))
      expect(request.headers.get(name), exchange.name).toBe(value);
    return new Response(JSON.stringify(exchange.response.body), {
      status: exchange.response.status,
      headers: { 'content-type': 'application/json', ...exchange.response.headers },
    });
  };
  return { fetch: fakeFetch as typeof fetch, seen };
}

/** The PlatformError a call fails with (the test fails if it succeeds or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

/** One documented exchange on its own, for error answers. */
export function singleExchange(fixture: DocumentedFixture, name: string): DocumentedFixture {
  const exchange = fixture.exchanges.find((candidate) => candidate.name === name);
  if (!exchange) throw new Error(`no exchange "${name}" in fixture`);
  return { source: fixture.source, exchanges: [exchange] };
}

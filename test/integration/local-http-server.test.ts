import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signToken } from '../../local/dev-key';
import { MAX_BODY_BYTES, startHttpServer, type RunningHttpServer } from '../../local/http-server';
import { ScheduleLoop } from '../../local/schedules';

let server: RunningHttpServer;
let keyDir: string;
const calls: { event: APIGatewayProxyEventV2WithJWTAuthorizer; context: Context }[] = [];
let reply: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => unknown = () => ({ statusCode: 204 });
let reconcilerRuns = 0;

beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'herold-key-'));
  process.env.HEROLD_DEV_KEY_FILE = path.join(keyDir, 'dev-key.json');
  const schedules = new ScheduleLoop([
    { name: 'reconciler', intervalMs: 60_000, run: async () => void reconcilerRuns++ },
  ]);
  server = await startHttpServer({
    port: 0,
    schedules,
    log: () => undefined,
    handler: async (event, context) => {
      calls.push({ event, context });
      return reply(event);
    },
  });
});
afterAll(async () => {
  await server.stop();
  delete process.env.HEROLD_DEV_KEY_FILE;
  await rm(keyDir, { recursive: true, force: true });
});
beforeEach(() => {
  calls.length = 0;
  reply = () => ({ statusCode: 204 });
});

const editorToken = () => signToken({ sub: 'u-1', org: 'city', roles: ['editor', 'emergency'] });

describe('local HTTP API', () => {
  it('hands a verified request to the function as API Gateway would', async () => {
    reply = (event) => ({
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      cookies: ['seen=1'],
      body: JSON.stringify({ got: event.body }),
    });
    const response = await fetch(`${server.url}/messages?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await editorToken()}`, 'content-type': 'application/json', cookie: 'a=1' },
      body: '{"text":"Hallo Dresden"}',
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('set-cookie')).toBe('seen=1');
    expect(await response.json()).toEqual({ got: '{"text":"Hallo Dresden"}' });
    expect(calls).toHaveLength(1);
    const [{ event, context }] = calls as [(typeof calls)[number]];
    expect(event).toMatchObject({
      routeKey: 'POST /messages',
      rawPath: '/messages',
      rawQueryString: 'dryRun=true',
      queryStringParameters: { dryRun: 'true' },
      cookies: ['a=1'],
      requestContext: { http: { method: 'POST', path: '/messages', sourceIp: '127.0.0.1' } },
    });
    expect(event.requestContext.authorizer.jwt.claims).toMatchObject({
      sub: 'u-1',
      org: 'city',
      roles: '[editor emergency]',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
    });
    expect(context.functionName).toBe('herold-ingest');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('fills path parameters', async () => {
    await fetch(`${server.url}/messages/m-123`, { headers: { authorization: `Bearer ${await editorToken()}` } });
    expect(calls[0]?.event).toMatchObject({ routeKey: 'GET /messages/{id}', pathParameters: { id: 'm-123' } });
  });

  it.each([
    ['no token', async () => undefined, 'an Authorization: Bearer token is required'],
    [
      'an expired token',
      async () =>
        signToken({ sub: 'u-1', org: 'city', roles: ['editor'], ttlSeconds: 1 }).then(
          async (token) => (await sleep(2100), token),
        ),
      'the token has expired',
    ],
    [
      'an unsigned token (alg none)',
      async () =>
        new UnsecuredJWT({ org: 'city', roles: ['admin'] })
          .setSubject('u-1')
          .setIssuer(LOCAL_ISSUER)
          .setAudience(LOCAL_AUDIENCE)
          .setExpirationTime('1h')
          .encode(),
      'the token is not signed with ES256',
    ],
    ['garbage', async () => 'not-a-jwt', 'the token is not valid'],
  ])('answers 401 problem+json to %s without calling the function', async (_label, token, detail) => {
    const value = await token();
    const response = await fetch(`${server.url}/messages`, {
      method: 'POST',
      headers: value ? { authorization: `Bearer ${value}` } : {},
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized', detail });
    expect(calls).toHaveLength(0);
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method, as problem+json', async () => {
    const missing = await fetch(`${server.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await fetch(`${server.url}/messages`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
    expect(await wrongMethod.json()).toMatchObject({ status: 405 });
    expect(calls).toHaveLength(0);
  });

  it('rejects a body over 10 MB with 413, declared or streamed', async () => {
    const token = await editorToken();
    const declared = await fetch(`${server.url}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 'a'),
    });
    expect(declared.status).toBe(413);
    expect(await chunkedUpload(`${server.url}/messages`, token, MAX_BODY_BYTES + 1)).toBe(413);
    expect(await chunkedUpload(`${server.url}/messages`, token, 1024)).toBe(204);
    expect(calls).toHaveLength(1);
  });

  it('passes a binary body base64-encoded', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    await fetch(`${server.url}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await editorToken()}`, 'content-type': 'image/png' },
      body: bytes,
    });
    expect(calls[0]?.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(calls[0]?.event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('answers a plain result as JSON 200 and a thrown error as 500', async () => {
    reply = () => ({ ok: true });
    const plain = await fetch(`${server.url}/channels`, {
      headers: { authorization: `Bearer ${await editorToken()}` },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ ok: true });
    reply = () => {
      throw new Error('boom');
    };
    const failed = await fetch(`${server.url}/channels`, {
      headers: { authorization: `Bearer ${await editorToken()}` },
    });
    expect(failed.status).toBe(500);
    expect(await failed.json()).not.toHaveProperty('stack');
  });

  it('runs a local schedule on POST /_local/schedules/<name>/run', async () => {
    const response = await fetch(`${server.url}/_local/schedules/reconciler/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ schedule: 'reconciler' });
    expect(reconcilerRuns).toBe(1);
    expect((await fetch(`${server.url}/_local/schedules/nothing/run`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/_local/schedules/reconciler/run`)).status).toBe(405);
    expect(reconcilerRuns).toBe(1);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a body without Content-Length, so only the streamed size can give it away. */
function chunkedUpload(url: string, token: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    const chunk = Buffer.alloc(64 * 1024, 'b');
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!request.write(part)) return void request.once('drain', write);
      }
      request.end();
    };
    write();
  });
}

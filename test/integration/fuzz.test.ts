/**
 * Fuzzing every route of the local API (bounded in count and time): arbitrary and mutated bodies,
 * headers and tokens. No answer may be a 5xx, every error is problem+json, a refused request
 * writes nothing, and the server keeps serving.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { ROUTES } from '../../shared/api/routes';
import { startIsolatedStack } from '../support/isolated-stack';

const RUNS = Number(process.env.HEROLD_FUZZ_RUNS ?? 5000);
const TIME_LIMIT_MS = Number(process.env.HEROLD_FUZZ_SECONDS ?? 150) * 1000;

let stack: LocalStack;
let validTokens: string[] = [];

beforeAll(async () => {
  stack = await startIsolatedStack('fuzz');
  // Only the API may write while fuzzing: let the start-up follower collection finish, then stop the
  // publishers and the clocked jobs (the reconciler and the NINA poller write on their minute), so
  // every change to the table is caused by the request that was just sent.
  for (let previous = -1, stable = 0; stable < 3;) {
    const count = await itemCount();
    stable = count === previous ? stable + 1 : 0;
    previous = count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await Promise.all([...stack.eventSources.map((source) => source.stop()), stack.schedules.stop()]);
  validTokens = await Promise.all([
    signToken({ sub: 'f-editor', org: 'city', roles: ['editor'] }),
    signToken({ sub: 'f-admin', org: 'fire-brigade', roles: ['editor', 'emergency', 'admin'] }),
    signToken({ sub: 'f-none', org: 'city', roles: [] }),
    signToken({ sub: 'f-ghost', org: 'no-such-org', roles: ['admin'] }),
  ]);
}, 120_000);
afterAll(async () => stack?.stop());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const tokenArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...[0, 1, 2, 3].map((index) => () => validTokens[index]!)).map((get) => get()),
  fc.string({ maxLength: 200 }),
  // unsigned: alg "none"
  fc
    .record({ org: fc.constantFrom('city', 'fire-brigade'), roles: fc.constant(['admin', 'emergency']) })
    .map(
      (claims) =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: 'x', iss: 'herold-local', aud: 'herold', exp: 4102444800 })}.`,
    ),
  // a valid token with its payload swapped for another organisation
  fc.constant(null).map(() => {
    const [header, , signature] = validTokens[0]!.split('.');
    return `${header}.${b64({ sub: 'mallory', org: 'fire-brigade', roles: ['admin'], iss: 'herold-local', aud: 'herold', exp: 4102444800 })}.${signature}`;
  }),
  // signed with another key
  fc.constant(null).map(() => 'pending-hs256'),
  // an over-long header
  fc.integer({ min: 9000, max: 20000 }).map((length) => 'A'.repeat(length)),
);

const validBody = {
  text: 'Hallo Dresden',
  link: 'https://www.dresden.de/',
  channels: ['city-threads'],
  media: [],
  priority: 'normal',
};
const mutatedBody = fc
  .record({
    key: fc.constantFrom(
      'text',
      'link',
      'channels',
      'media',
      'priority',
      'overrides',
      'replyTo',
      'org',
      'createdBy',
      '__proto__',
      'constructor',
    ),
    value: fc.jsonValue(),
  })
  .map(({ key, value }) => JSON.stringify({ ...validBody, [key]: value }));
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.json(),
  fc.string({ maxLength: 400 }),
  mutatedBody,
  fc.constant(JSON.stringify(validBody)),
);

const segmentArb = fc.oneof(
  fc.constantFrom(
    'city-threads',
    'fire-brigade-threads',
    '..',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x'.repeat(300),
    '01M89WDHJ032VQVSZ6ZAS87NFD',
  ),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);
const requestArb = fc.record({
  route: fc.constantFrom(...ROUTES),
  otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), { nil: undefined }),
  segments: fc.array(segmentArb, { minLength: 2, maxLength: 2 }),
  query: fc.option(
    fc.dictionary(
      fc.constantFrom('limit', 'cursor', 'from', 'to', 'dryRun', 'state', 'format'),
      fc.string({ maxLength: 30 }),
    ),
    { nil: undefined },
  ),
  token: tokenArb,
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/cap+xml',
    'multipart/form-data',
    undefined,
  ),
  idempotencyKey: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
  body: bodyArb,
});

async function itemCount(): Promise<number> {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

it(`survives ${RUNS} arbitrary requests without a 5xx or a write from a refused request`, async () => {
  const otherKeyToken = await new SignJWT({ org: 'city', roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('x')
    .setIssuer('herold-local')
    .setAudience('herold')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('another-key-another-key-another-key'));
  const deadline = Date.now() + TIME_LIMIT_MS;
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(requestArb, async (request) => {
      if (Date.now() > deadline) return;
      let segmentIndex = 0;
      const path = request.route.path.replace(/\{\w+\}/g, () => request.segments[segmentIndex++] ?? 'x');
      const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
      const headers: Record<string, string> = {};
      const token = request.token === 'pending-hs256' ? otherKeyToken : request.token;
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (request.contentType) headers['content-type'] = request.contentType;
      if (request.idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(request.idempotencyKey))
        headers['idempotency-key'] = request.idempotencyKey;
      const method = request.otherMethod ?? request.route.method;
      const before = await itemCount();
      const response = await fetch(`${stack.apiUrl}${path}${query}`, {
        method,
        headers,
        body: method === 'GET' || method === 'DELETE' ? undefined : request.body,
      });
      const text = await response.text();
      sent += 1;
      expect(response.status, `${method} ${path}${query} → ${response.status}: ${text.slice(0, 300)}`).toBeLessThan(
        500,
      );
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await itemCount(), `${method} ${path} was refused with ${response.status} but wrote an item`).toBe(
          before,
        );
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.HEROLD_FUZZ_SEED ?? 20240202), endOnFailure: true },
  );
  expect(sent).toBeGreaterThan(Math.min(RUNS, 500));
  // still serving
  const health = await fetch(`${stack.apiUrl}/messages`, { headers: { authorization: `Bearer ${validTokens[0]}` } });
  expect(health.status).toBe(200);
}, 400_000);

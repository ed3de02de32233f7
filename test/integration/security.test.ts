/**
 * Organisation isolation, enforced in the domain layer and proven through the API, and the OpenAPI
 * description checked against what the handlers really do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { ROUTES } from '../../shared/api/routes';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const token: Record<string, string> = {};
let fireMessage: string;
let fireScheduled: string;

beforeAll(async () => {
  stack = await startIsolatedStack('security');
  token.city = await signToken({ sub: 'stadt-admin', org: 'city', roles: ['editor', 'emergency', 'admin'] });
  token.fire = await signToken({ sub: 'fw-editor', org: 'fire-brigade', roles: ['editor', 'admin'] });
  fireMessage = (
    await call('POST', '/messages', { text: 'Einsatz beendet', channels: ['fire-brigade-threads'] }, token.fire)
  ).json.id as string;
  const at = new Date(Date.now() + 3 * 60 * 60_000).toISOString();
  fireScheduled = (
    await call(
      'POST',
      '/messages',
      { text: 'Tag der offenen Tür', channels: ['fire-brigade-threads'], scheduledAt: at },
      token.fire,
    )
  ).json.id as string;
}, 120_000);
afterAll(async () => stack?.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
  bearer: string | null = token.city!,
): Promise<{ status: number; type: string | null; json: Record<string, unknown> }> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

describe("a city administrator cannot touch the fire brigade's channels or messages", () => {
  it.each([
    ['read its message', 'GET', (): string => `/messages/${fireMessage}`, undefined, 404],
    [
      'post to its channel',
      'POST',
      (): string => '/messages',
      { text: 'Hallo', channels: ['fire-brigade-threads'] },
      422,
    ],
    [
      'confirm its delivery',
      'POST',
      (): string => `/messages/${fireMessage}/deliveries/fire-brigade-threads/confirm`,
      {},
      404,
    ],
    ['change its channel', 'PATCH', (): string => '/channels/fire-brigade-threads', { state: 'frozen' }, 404],
    ['approve its message', 'POST', (): string => `/messages/${fireMessage}/approve`, undefined, 404],
    ['correct its message', 'POST', (): string => `/messages/${fireMessage}/correct`, {}, 404],
    ['reschedule its message', 'PATCH', (): string => `/messages/${fireScheduled}`, { text: 'Gekapert' }, 404],
    ['cancel its message', 'DELETE', (): string => `/messages/${fireScheduled}`, undefined, 404],
    ['switch its crisis hold', 'PUT', (): string => '/organisations/fire-brigade/hold', { active: true }, 403],
    [
      'read its follower report',
      'GET',
      (): string => '/reports/followers?from=2026-01-01&to=2026-01-31&org=fire-brigade',
      undefined,
      403,
    ],
    [
      'enter its follower figures',
      'PUT',
      (): string => '/channels/fire-brigade-threads/followers/2026-01-01',
      { count: 1 },
      404,
    ],
  ] as const)('cannot %s', async (_what, method, path, body, status) => {
    const answer = await call(method, path(), body);
    expect(answer.status).toBe(status);
    expect(answer.type).toBe('application/problem+json');
  });

  it('leaves the fire brigade unchanged', async () => {
    const scheduled = await call('GET', `/messages/${fireScheduled}`, undefined, token.fire);
    expect(scheduled.json).toMatchObject({ state: 'SCHEDULED', text: 'Tag der offenen Tür' });
    const channels = (await call('GET', '/channels', undefined, token.fire)).json.items as {
      id: string;
      state: string;
    }[];
    expect(channels.find((channel) => channel.id === 'fire-brigade-threads')?.state).toBe('active');
  });
});

describe('no role is gained through a crafted body', () => {
  it.each([
    ['an organisation', { text: 'Hallo', org: 'fire-brigade' }, 'org'],
    ['a sender', { text: 'Hallo', createdBy: 'someone-else' }, 'createdBy'],
    ['roles', { text: 'Hallo', roles: ['admin'] }, 'roles'],
    ['a message kind', { text: 'Entwarnung', kind: 'all-clear' }, 'kind'],
  ])('refuses %s in a message body', async (_what, body, field) => {
    const fireEditor = await signToken({ sub: 'fw', org: 'fire-brigade', roles: ['editor'] });
    const answer = await call('POST', '/messages', { ...body, channels: ['fire-brigade-threads'] }, fireEditor);
    expect(answer.status).toBe(422);
    expect((answer.json.errors as { field: string }[]).map((error) => error.field)).toContain(field);
  });

  it('refuses emergency priority to an editor and channel changes to a non-admin', async () => {
    const editor = await signToken({ sub: 'fw', org: 'fire-brigade', roles: ['editor'] });
    expect(
      (
        await call(
          'POST',
          '/messages',
          { text: 'Evakuierung', priority: 'emergency', channels: ['fire-brigade-threads'] },
          editor,
        )
      ).status,
    ).toBe(403);
    expect((await call('PATCH', '/channels/fire-brigade-threads', { state: 'retired' }, editor)).status).toBe(403);
    expect(
      (await call('PATCH', '/channels/fire-brigade-threads', { state: 'frozen', org: 'city' }, token.fire)).status,
    ).toBe(422);
  });
});

describe('the OpenAPI description', () => {
  it('is served without a token and describes every route the API has', async () => {
    const answer = await call('GET', '/openapi.json', undefined, null);
    expect(answer.status).toBe(200);
    expect(answer.json.openapi).toBe('3.1.0');
    const paths = answer.json.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('matches the handlers: every documented route is served, and the documented body of POST /messages is the one accepted', async () => {
    const paths = (await call('GET', '/openapi.json', undefined, null)).json.paths as Record<
      string,
      Record<
        string,
        {
          requestBody?: {
            content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }>;
          };
        }
      >
    >;
    for (const [path, methods] of Object.entries(paths)) {
      for (const method of Object.keys(methods)) {
        const concrete = path.replace(/\{(\w+)\}/g, (_match, name: string) =>
          name === 'org' ? 'city' : name === 'date' ? '2026-01-01' : 'doc-check',
        );
        const answer = await call(
          method.toUpperCase(),
          concrete,
          method === 'get' || method === 'delete' ? undefined : {},
        );
        // any answer but the router's "no route" or "not allowed" (a handler's own 404, "no such reply", is fine): the handler ran
        expect(
          [404, 405].includes(answer.status) && /^no route|is not allowed on/i.test(String(answer.json.detail)),
          `${method} ${path} → ${answer.status} ${String(answer.json.detail)}`,
        ).toBe(false);
        expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
    const schema = paths['/messages']!.post!.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(['text']);
    const minimal = Object.fromEntries((schema.required ?? []).map((field) => [field, 'Hallo Dresden']));
    expect((await call('POST', '/messages', { ...minimal, channels: ['city-threads'] })).status).toBe(202);
    const undocumented = await call('POST', '/messages', { ...minimal, notInTheSchema: true });
    expect(undocumented.status).toBe(422);
  });
});

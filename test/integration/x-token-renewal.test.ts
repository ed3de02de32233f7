/** X's access tokens live two hours: a publish that finds one expired renews it, stores it, and posts once. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import { SEED_CREDENTIALS_FILE } from '../../local/seed';
import { startLocalStack, type LocalStack } from '../../local/start';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

let stack: LocalStack;
let credentialsFile: string;
let admin: string;

beforeAll(async () => {
  const seed = JSON.parse(await readFile(SEED_CREDENTIALS_FILE, 'utf8')) as Record<string, Record<string, string>>;
  seed['local:city-x'] = {
    accessToken: 'expired-two-hours-ago',
    refreshToken: 'sim-x-refresh-city',
    clientId: 'herold-dresden',
  };
  credentialsFile = path.join(await mkdtemp(path.join(tmpdir(), 'herold-x-')), 'credentials.json');
  await writeFile(credentialsFile, JSON.stringify(seed));
  const name = uniqueName('x-renewal');
  stack = await startLocalStack({
    ...localAwsEndpoints(),
    tableName: name,
    queuePrefix: name,
    port: 0,
    simulatorPort: 0,
    credentialsFile,
    log: () => undefined,
  });
  admin = await signToken({ sub: 'presse', org: 'city', roles: ['editor', 'admin'] });
}, 120_000);
afterAll(async () => stack?.stop());

const call = async (method: string, route: string, body?: unknown) => {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as { id: string; deliveries: { state: string; lastError?: unknown }[] };
};

it('renews the expired token, stores the rotated pair, and publishes exactly once', async () => {
  await call('PATCH', '/channels/city-x', { state: 'active' });
  const { id } = await call('POST', '/messages', { text: 'Elbpegel Dresden: 4,12 m', channels: ['city-x'] });
  let state = '';
  for (let attempt = 0; attempt < 100 && state !== 'PUBLISHED' && state !== 'FAILED'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = (await call('GET', `/messages/${id}`)).deliveries[0]?.state ?? '';
  }
  expect(state).toBe('PUBLISHED');
  const stored = (JSON.parse(await readFile(credentialsFile, 'utf8')) as Record<string, Record<string, string>>)[
    'local:city-x'
  ]!;
  expect(stored.accessToken).toMatch(/^sim-x-access-/);
  expect(stored.refreshToken).not.toBe('sim-x-refresh-city');
  const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts?platform=x`)).json()) as { text: string }[];
  expect(posts.filter((post) => post.text === 'Elbpegel Dresden: 4,12 m')).toHaveLength(1);
});

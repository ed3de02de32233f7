/**
 * X's access tokens live two hours: a publish that finds one expired renews it, stores it, and posts
 * once. The same with the credentials in the local file and in the credentials table (`herold:secrets:
 * "table"`), where the renewal must land in the channel's item, not in the file.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { SEED_CREDENTIALS_FILE } from '../../local/seed';
import type { LocalStack } from '../../local/start';
import { ENV } from '../../shared/config';
import { startIsolatedStack } from '../support/isolated-stack';

type Stored = Record<string, Record<string, string>>;

describe.each(['file', 'table'] as const)('with the credentials in the %s', (channelCredentials) => {
  let stack: LocalStack;
  let credentialsFile: string;
  let admin: string;
  const text = `Elbpegel Dresden: 4,12 m (${channelCredentials})`;

  beforeAll(async () => {
    const seed = JSON.parse(await readFile(SEED_CREDENTIALS_FILE, 'utf8')) as Stored;
    seed['local:city-x'] = {
      accessToken: 'expired-two-hours-ago',
      refreshToken: 'sim-x-refresh-city',
      clientId: 'herold-dresden',
    };
    credentialsFile = path.join(await mkdtemp(path.join(tmpdir(), 'herold-x-')), 'credentials.json');
    await writeFile(credentialsFile, JSON.stringify(seed));
    stack = await startIsolatedStack('x-renewal', { credentialsFile, channelCredentials });
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

  /** what the channel's credentials are now, where this stack keeps them */
  const storedCredentials = async (): Promise<Record<string, string>> => {
    const file = JSON.parse(await readFile(credentialsFile, 'utf8')) as Stored;
    if (channelCredentials === 'file') return file['local:city-x']!;
    // the file is only where the table was filled from: it keeps the expired token
    expect(file['local:city-x']?.accessToken).toBe('expired-two-hours-ago');
    const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
    const { Item } = await doc.send(
      new GetCommand({ TableName: stack.env[ENV.credentialsTable], Key: { ref: 'x/city-x' } }),
    );
    doc.destroy();
    return (Item?.credentials ?? {}) as Record<string, string>;
  };

  it('renews the expired token, stores the rotated pair, and publishes exactly once', async () => {
    expect(stack.channels.find((channel) => channel.id === 'city-x')?.credentialsRef).toBe(
      channelCredentials === 'file' ? 'local:city-x' : 'table:x/city-x',
    );
    await call('PATCH', '/channels/city-x', { state: 'active' });
    const { id } = await call('POST', '/messages', { text, channels: ['city-x'] });
    let state = '';
    for (let attempt = 0; attempt < 100 && state !== 'PUBLISHED' && state !== 'FAILED'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = (await call('GET', `/messages/${id}`)).deliveries[0]?.state ?? '';
    }
    expect(state).toBe('PUBLISHED');
    const stored = await storedCredentials();
    expect(stored.accessToken).toMatch(/^sim-x-access-/);
    expect(stored.refreshToken).not.toBe('sim-x-refresh-city');
    const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts?platform=x`)).json()) as { text: string }[];
    expect(posts.filter((post) => post.text === text)).toHaveLength(1);
  });
});

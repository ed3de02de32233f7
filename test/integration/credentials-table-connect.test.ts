/**
 * A channel's whole life with `herold:secrets: "table"`: created with a `table:` reference, connected
 * (the connect function writes its item), published through (the publisher reads it), retired (the
 * item is deleted). Nothing of it lands in the local credentials file.
 */
import { readFile } from 'node:fs/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { SIM_BLUESKY_APP_PASSWORD } from '../../local/simulator/state';
import type { LocalStack } from '../../local/start';
import { ENV } from '../../shared/config';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
let admin: string;

beforeAll(async () => {
  stack = await startIsolatedStack('credentials-table', {
    reconcileIntervalMs: 3_600_000,
    channelCredentials: 'table',
  });
  admin = await signToken({ sub: 'sub-bernd', org: 'city', roles: ['editor', 'admin'] });
}, 60_000);
afterAll(async () => stack?.stop());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function storedItem(key: string) {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  try {
    return (await doc.send(new GetCommand({ TableName: stack.env[ENV.credentialsTable], Key: { ref: key } }))).Item;
  } finally {
    doc.destroy();
  }
}

it('connects, publishes and retires a channel with its credentials as an item of the credentials table', async () => {
  const created = await api('POST', '/channels', {
    platform: 'bluesky',
    handle: 'herold.bsky.social',
    displayName: 'Herold Bluesky',
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = created.json.id as string;
  expect(await storedItem(`bluesky/${id}`)).toBeUndefined();

  const connected = await api('POST', `/channels/${id}/connect`, { appPassword: SIM_BLUESKY_APP_PASSWORD });
  expect(connected.status, JSON.stringify(connected.json)).toBe(200);
  expect((await storedItem(`bluesky/${id}`))?.credentials).toMatchObject({ identifier: 'herold.bsky.social' });
  // the local file keeps only what it was seeded with
  const file = JSON.parse(await readFile(stack.env[ENV.credentialsFile]!, 'utf8')) as Record<string, unknown>;
  expect(Object.keys(file).filter((ref) => ref.includes(id))).toEqual([]);

  const sent = await api('POST', '/messages', { text: 'Herold spricht jetzt auch hier.', channels: [id] });
  expect(sent.status, JSON.stringify(sent.json)).toBe(202);
  let state = '';
  for (let attempt = 0; attempt < 150 && state !== 'PUBLISHED' && state !== 'FAILED'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = (await api('GET', `/messages/${sent.json.id}`)).json.deliveries[0]?.state ?? '';
  }
  expect(state).toBe('PUBLISHED');

  const retired = await api('PATCH', `/channels/${id}`, { state: 'retired' });
  expect(retired.json.credentials).toMatchObject({ secretDeleted: true });
  expect(await storedItem(`bluesky/${id}`)).toBeUndefined();
});

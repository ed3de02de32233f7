/**
 * A callback whose secret cannot be stored (Secrets Manager unavailable): the person is told the
 * connection failed, the channel stays as it was (frozen, not connected, no account), and a new
 * attempt connects it. Against DynamoDB Local and the simulator's sign-in pages, with the secret
 * store replaced by one that does not answer.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { localConnectEnv } from '../../local/connect-env';
import { SEED_CREDENTIALS_FILE } from '../../local/seed';
import { simBaseUrlEnv, startSimulator, type RunningSimulator } from '../../local/simulator/server';
import { createChannel } from '../../shared/channels/create';
import { finishCallback, startConnect, type ConnectDeps } from '../../shared/connect/service';
import { localFileStore, type SecretStore } from '../../shared/connect/secret-store';
import { ENV } from '../../shared/config';
import type { Principal } from '../../shared/model/schemas';
import { getChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { isolatedTable } from '../support/local-aws';

let sim: RunningSimulator;
let store: Store;
let folder: string;
let env: NodeJS.ProcessEnv;
const admin: Principal = { sub: 'sub-bernd', org: 'city', roles: ['admin'], name: 'Bernd Becker' };

beforeAll(async () => {
  const table = await isolatedTable('connect-faults');
  store = { doc: localDynamoDocumentClient(table.dynamoEndpoint), table: table.tableName };
  sim = await startSimulator({ port: 0 });
  folder = await mkdtemp(path.join(tmpdir(), 'herold-connect-faults-'));
  const credentialsFile = path.join(folder, 'credentials.json');
  await writeFile(credentialsFile, await import('node:fs/promises').then((fs) => fs.readFile(SEED_CREDENTIALS_FILE)));
  env = { ...simBaseUrlEnv(sim.url), ...localConnectEnv(sim.url, {}), [ENV.credentialsFile]: credentialsFile };
});
afterAll(async () => {
  await sim?.stop();
  await rm(folder, { recursive: true, force: true });
});

/** The platform's side: the person approves; the platform redirects with code and state. */
async function approve(authorizationUrl: string): Promise<Record<string, string>> {
  const html = await (await fetch(authorizationUrl)).text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(`${sim.url}/_sim/oauth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, decision: 'approve' }),
    redirect: 'manual',
  });
  return Object.fromEntries(new URL(answer.headers.get('location') ?? '').searchParams);
}

const unavailable: SecretStore = {
  read: async () => undefined,
  write: async () => {
    throw Object.assign(new Error('Secrets Manager is not answering'), { name: 'InternalServiceError' });
  },
  remove: async () => undefined,
};

it('fails visibly and leaves no half-connected channel when the secret cannot be stored; a retry connects', async () => {
  const created = await createChannel(store, admin, { platform: 'x', handle: '@herold_test', displayName: 'X' });
  const failing: ConnectDeps = { store, env, secrets: () => unavailable };
  const started = await startConnect(failing, admin, created.id, {}, 'http://127.0.0.1:3000');
  if (started.kind !== 'oauth') throw new Error('X connects by sign-in');
  const answer = await finishCallback(failing, 'x', await approve(started.authorizationUrl));
  expect(answer.outcome).toMatchObject({ kind: 'failed' });
  expect(answer.html).toContain('Verbindung fehlgeschlagen');
  expect(answer.html).toContain('could not be stored');
  const after = await getChannel(store, created.id);
  expect(after).toMatchObject({
    state: 'frozen',
    account: '@herold_test',
    connection: { status: 'not-connected', lastFailure: { reason: expect.stringMatching(/could not be stored/) } },
  });
  // the tokens that were issued but not kept were taken back at the platform
  expect(after?.tokenRefreshedAt).toBeUndefined();

  const working: ConnectDeps = { store, env, secrets: () => localFileStore(env[ENV.credentialsFile]!) };
  const again = await startConnect(working, admin, created.id, {}, 'http://127.0.0.1:3000');
  if (again.kind !== 'oauth') throw new Error('X connects by sign-in');
  const retried = await finishCallback(working, 'x', await approve(again.authorizationUrl));
  expect(retried.outcome).toMatchObject({ kind: 'connected' });
  expect(await getChannel(store, created.id)).toMatchObject({ state: 'active', connection: { status: 'connected' } });
});

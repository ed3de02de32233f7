/**
 * Two publishers (two Lambda invocations: each its own dependencies, one table, one secret) hold the
 * same expired X token at once. X spends a refresh token on use, so only one of them may refresh:
 * the lease in DynamoDB Local lets one renew against the simulator's token endpoint while the other
 * waits for the stored result, and both publish.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { seedChannels } from '../../local/seed';
import { startTestSimulator, type TestSimulator } from '../../local/simulator/test-harness';
import { ENV } from '../../shared/config';
import type { Channel } from '../../shared/model/schemas';
import { xClient } from '../../shared/platforms/clients/x';
import { loadCredentials } from '../../shared/publishing/credentials';
import { processPublishJob, type PublishDeps } from '../../shared/publishing/publish';
import { getChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { channelRenewal } from '../../shared/tokens/refresh-lease';
import { renewOnce } from '../../shared/tokens/refresh-on-use';
import { isolatedTable } from '../support/local-aws';
import { publishDeps, putOneDelivery } from '../support/publishing';

const channel: Channel = {
  id: 'x-renewal',
  org: 'city',
  platform: 'x',
  handle: '@dresden',
  state: 'active',
  account: '@dresden',
  credentialsRef: 'local:x-renewal',
};
const FIRST_REFRESH_TOKEN = 'sim-x-refresh-first';

let store: Store;
let sim: TestSimulator;
let credentialsFile: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  const { dynamoEndpoint, tableName } = await isolatedTable('token-refresh');
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName };
  await seedChannels(tableName, { dynamoEndpoint, channels: [channel] });
  credentialsFile = path.join(await mkdtemp(path.join(tmpdir(), 'herold-refresh-')), 'credentials.json');
  await writeFile(
    credentialsFile,
    JSON.stringify({
      [channel.credentialsRef]: {
        accessToken: 'expired-an-hour-ago',
        refreshToken: FIRST_REFRESH_TOKEN,
        clientId: 'herold-dresden',
        expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
      },
    }),
  );
  vi.stubEnv(ENV.credentialsFile, credentialsFile);
  vi.stubEnv('HEROLD_X_BASE_URL', sim.baseUrl('x'));
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  store?.doc.destroy();
  await sim?.stop();
});

it('two publishers with the same expired token rotate it once and both publish', async () => {
  const tokenCalls: string[] = [];
  /** the platform as both publishers reach it, with the token endpoint's calls counted */
  const expiredTokenUses: string[] = [];
  const countingFetch: typeof fetch = async (input, init) => {
    if (new Headers(init?.headers).get('authorization') === 'Bearer expired-an-hour-ago')
      expiredTokenUses.push(String(input));
    if (String(input).endsWith('/2/oauth2/token'))
      tokenCalls.push(new URLSearchParams(String(init?.body)).get('refresh_token') ?? '');
    return fetch(input, init);
  };
  const publisher = (): PublishDeps => ({
    ...publishDeps(store, 'x', xClient, Date.now()),
    now: Date.now,
    requestTimeoutMs: 5_000,
    fetch: countingFetch,
    credentials: (target) => loadCredentials(target.credentialsRef),
    renewCredentials: (target, used, refresh) =>
      renewOnce(target.id, used, refresh, channelRenewal(store, target, { requestTimeoutMs: 5_000 })),
  });
  const texts = ['Hochwasserwarnung Elbe: Pegel 6,20 m', 'Sperrung Terrassenufer ab 18 Uhr'];
  await Promise.all(
    texts.map((text, index) =>
      putOneDelivery(store, {
        messageId: `renewal-${index}`,
        channel,
        text,
        state: 'QUEUED',
        createdAt: new Date(),
      }),
    ),
  );

  const outcomes = await Promise.all(
    texts.map((_text, index) =>
      processPublishJob({ type: 'publish', messageId: `renewal-${index}`, channelId: channel.id }, 1, publisher()),
    ),
  );

  expect(outcomes.map((outcome) => outcome.kind === 'settled' && outcome.state)).toEqual(['PUBLISHED', 'PUBLISHED']);
  expect(tokenCalls).toEqual([FIRST_REFRESH_TOKEN]);
  // renewed before use: the expired token never went to X
  expect(expiredTokenUses).toEqual([]);
  expect(
    sim.state
      .posts('x')
      .map((post) => post.text)
      .sort(),
  ).toEqual([...texts].sort());
  const stored = (JSON.parse(await readFile(credentialsFile, 'utf8')) as Record<string, Record<string, string>>)[
    channel.credentialsRef
  ]!;
  expect(stored.refreshToken).toMatch(/^sim-x-refresh-/);
  expect(stored.refreshToken).not.toBe(FIRST_REFRESH_TOKEN);
  expect(Date.parse(stored.expiresAt!)).toBeGreaterThan(Date.now() + 3_600_000);
  // the Channels page sees the renewal; the channel needs nobody
  const item = await getChannel(store, channel.id);
  expect(item?.tokenRefreshedAt).toBeDefined();
  expect(item?.tokenExpiresAt).toBe(stored.expiresAt);
  expect(item?.needsReauth).toBeUndefined();
});

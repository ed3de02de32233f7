/**
 * Connecting accounts end to end against the simulator's sign-in pages and token endpoints: every
 * platform's own way (OAuth code flows with state and PKCE, Mastodon's per-instance registration,
 * Bluesky's app password, Telegram's bot token, WhatsApp's invite link), then a message published
 * through each freshly connected channel. The bad cases: a refused consent, a wrong, replayed or
 * expired state, an expired code, Bluesky's main password, a Telegram bot without posting rights,
 * another organisation's channel; and no token in any answer or log line.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { startLocalStack, type LocalStack } from '../../local/start';
import { SIM_SIGNIN } from '../../local/simulator/signin';
import {
  SIM_BLUESKY_APP_PASSWORD,
  SIM_BLUESKY_MAIN_PASSWORD,
  SIM_MASTODON_MAX_CHARACTERS,
  SIM_TOKENS,
} from '../../local/simulator/state';
import {
  SIM_TELEGRAM_MEMBER_BOT,
  SIM_TELEGRAM_MISSING_CHANNEL,
  SIM_TELEGRAM_NO_POSTING_CHANNEL,
} from '../../local/simulator/platforms/telegram';
import { ENV } from '../../shared/config';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

// the handlers log as in AWS, at every level: each line is searched for tokens (set before the logger is made)
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

let stack: LocalStack;
const tokens: Record<string, string> = {};
/** every answer body the API gave, and every line the handlers logged */
const answers: string[] = [];
const logLines: string[] = [];
const restoreStdout: (() => void)[] = [];

beforeAll(async () => {
  const name = uniqueName('connect');
  stack = await startLocalStack({
    ...localAwsEndpoints(),
    tableName: name,
    queuePrefix: name,
    port: 0,
    simulatorPort: 0,
    reconcileIntervalMs: 3_600_000,
    log: () => undefined,
  });
  tokens.admin = await signToken({ sub: 'sub-bernd', org: 'city', roles: ['editor', 'admin'], name: 'Bernd Becker' });
  tokens.fireAdmin = await signToken({ sub: 'sub-frieda', org: 'fire-brigade', roles: ['editor', 'admin'] });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const line = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      // the handlers' JSON lines are kept for the search, not shown
      if (line.startsWith('{"level"')) {
        logLines.push(line);
        return true;
      }
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreStdout.push(() => (stream.write = write));
  }
}, 60_000);
afterAll(async () => {
  for (const restore of restoreStdout) restore();
  await stack?.stop();
});

async function api(method: string, path: string, body?: unknown, token: string | null = tokens.admin!) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, any>) : {} }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function addChannel(platform: string, handle: string, displayName = `Herold ${platform}`) {
  const created = await api('POST', '/channels', { platform, handle, displayName });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect(created.json).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
  expect(created.json).not.toHaveProperty('credentialsRef');
  return created.json.id as string;
}

/** The authorisation page of the platform: the person decides; the platform sends them back to Herold. */
async function decideAt(authorizationUrl: string, decision: 'approve' | 'refuse'): Promise<string> {
  const page = await fetch(authorizationUrl);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  expect(request).toBeDefined();
  const answer = await fetch(`${stack.simulatorUrl}/_sim/oauth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: request ?? '', decision }),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  const location = answer.headers.get('location') ?? '';
  expect(location.startsWith(`${stack.apiUrl}/oauth/callback/`)).toBe(true);
  return location;
}

/** The callback as a browser calls it (a page); other clients get the same outcome as JSON. */
async function callback(url: string) {
  const response = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml' } });
  const html = await response.text();
  answers.push(html);
  return { status: response.status, html, headers: response.headers };
}

async function startOAuth(channelId: string, body: unknown = {}) {
  const started = await api('POST', `/channels/${channelId}/connect`, body);
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  expect(started.json.kind).toBe('oauth');
  return started.json.authorizationUrl as string;
}

const channel = async (id: string) => (await api('GET', `/channels/${id}`)).json;

const localCredentials = async (): Promise<Record<string, Record<string, string>>> =>
  JSON.parse(await readFile(stack.env[ENV.credentialsFile]!, 'utf8')) as Record<string, Record<string, string>>;

/**
 * The items a connection could write: channels, audit entries and connection attempts. (The stack
 * writes others meanwhile on its own: follower figures, directory builds.)
 */
async function itemCount(): Promise<number> {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: stack.tableName,
        Select: 'COUNT',
        FilterExpression: 'begins_with(PK, :channel) OR begins_with(PK, :audit) OR begins_with(PK, :attempt)',
        ExpressionAttributeValues: { ':channel': 'CHANNEL#', ':audit': 'AUDIT#', ':attempt': 'CONNECT#' },
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

async function waitForStates(messageId: string, expected: Record<string, string>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api('GET', `/messages/${messageId}`);
    const states = Object.fromEntries(
      (json.deliveries as { channelId: string; state: string }[]).map((delivery) => [
        delivery.channelId,
        delivery.state,
      ]),
    );
    const matches = Object.entries(expected).every(([id, state]) => states[id] === state);
    if (matches) return json;
    if (Date.now() > deadline) throw new Error(`deliveries did not settle: ${JSON.stringify(json.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const connected: Record<string, string> = {};

/** Every credential value Herold stored for channels it connected (not the seed's), as often as it is asked. */
const storedSecrets = new Set<string>();
async function collectStoredSecrets() {
  const seeded = new Set(stack.channels.map((seed) => seed.credentialsRef));
  for (const [ref, values] of Object.entries(await localCredentials())) {
    if (seeded.has(ref)) continue;
    for (const [key, value] of Object.entries(values)) if (/token|secret|password/i.test(key)) storedSecrets.add(value);
  }
}

describe('OAuth platforms', () => {
  const cases: {
    platform: string;
    handle: string;
    body?: Record<string, string>;
    account: string;
    accountName: string;
  }[] = [
    {
      platform: 'facebook',
      handle: 'herold.testseite',
      account: SIM_SIGNIN.meta.pages[0].id,
      accountName: SIM_SIGNIN.meta.pages[0].name,
    },
    { platform: 'instagram', handle: '@herold_test', account: '17841400000000301', accountName: '@herold_test' },
    {
      platform: 'threads',
      handle: '@herold_threads',
      account: SIM_SIGNIN.threads.id,
      accountName: '@herold_threads',
    },
    {
      platform: 'linkedin',
      handle: 'herold-test',
      account: 'urn:li:organization:10000301',
      accountName: 'Herold Test GmbH',
    },
    { platform: 'youtube', handle: '@heroldtest', account: SIM_SIGNIN.youtube.id, accountName: 'Herold Test' },
    {
      platform: 'pinterest',
      handle: 'heroldtest',
      body: { target: 'Warnungen' },
      account: SIM_SIGNIN.pinterest.boards[0].id,
      accountName: 'heroldtest / Warnungen',
    },
    { platform: 'x', handle: '@herold_test', account: SIM_SIGNIN.x.id, accountName: 'Herold Test' },
    {
      platform: 'mastodon',
      handle: '@dresden@dresden.social',
      body: { instance: 'https://dresden.social' },
      account: `${'SIM'}/mastodon/@dresden`,
      accountName: 'Landeshauptstadt Dresden',
    },
  ];

  it.each(cases)(
    'connects $platform through its sign-in page',
    async ({ platform, handle, body, account, accountName }) => {
      const id = await addChannel(platform, handle);
      const authorizationUrl = await startOAuth(id, body);
      const url = new URL(authorizationUrl);
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const pkce = ['x', 'youtube', 'mastodon'].includes(platform);
      expect(url.searchParams.get('code_challenge_method')).toBe(pkce ? 'S256' : null);

      const page = await callback(await decideAt(authorizationUrl, 'approve'));
      expect(page.status, page.html).toBe(200);
      expect(page.html).toContain('Verbunden');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');

      const after = await channel(id);
      expect(after).toMatchObject({
        state: 'active',
        account: account.replace('SIM', stack.simulatorUrl),
        connection: { status: 'connected', accountName, connectedBy: 'Bernd Becker' },
      });
      expect(after).not.toHaveProperty('stateReason');
      const stored = (await localCredentials())[`local:${id}`];
      expect(stored?.accessToken).toBeTruthy();
      if (platform === 'mastodon') expect(after.textLimit).toBe(SIM_MASTODON_MAX_CHARACTERS);
      if (platform === 'x')
        expect(stored).toMatchObject({ refreshToken: expect.any(String), clientId: expect.any(String) });
      connected[platform] = id;
    },
  );

  it('refuses a replayed callback: the state was used, nothing changes', async () => {
    const id = await addChannel('x', '@herold_test', 'X, zweimal');
    const location = await decideAt(await startOAuth(id), 'approve');
    expect((await callback(location)).status).toBe(200);
    const before = await channel(id);
    const items = await itemCount();
    const replay = await callback(location);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('Anmeldung abgelehnt');
    expect(await channel(id)).toEqual(before);
    expect(await itemCount()).toBe(items);
  });

  it('refuses a forged state and a state for another platform, and changes nothing', async () => {
    const id = await addChannel('linkedin', 'herold-test', 'LinkedIn, gefälscht');
    const location = new URL(await decideAt(await startOAuth(id), 'approve'));
    const items = await itemCount();
    const forged = new URL(location);
    forged.searchParams.set('state', 'Aa'.repeat(22));
    expect((await callback(forged.toString())).status).toBe(400);
    const elsewhere = new URL(location.toString().replace('/oauth/callback/linkedin', '/oauth/callback/x'));
    expect((await callback(elsewhere.toString())).status).toBe(400);
    expect((await callback(`${stack.apiUrl}/oauth/callback/linkedin?code=abc`)).status).toBe(400);
    const asJson = await fetch(forged);
    expect(asJson.status).toBe(400);
    expect(asJson.headers.get('content-type')).toBe('application/problem+json');
    expect(await itemCount()).toBe(items);
    expect(await channel(id)).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
    // the real state still works once
    expect((await callback(location.toString())).html).toContain('Verbunden');
  });

  it('refuses a callback more than 10 minutes after the connection started', async () => {
    const id = await addChannel('threads', '@herold_threads', 'Threads, zu spät');
    const location = new URL(await decideAt(await startOAuth(id), 'approve'));
    const hash = createHash('sha256')
      .update(location.searchParams.get('state') ?? '')
      .digest('hex');
    const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `CONNECT#${hash}`, SK: 'ATTEMPT' },
        UpdateExpression: 'SET expiresAtMs = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 11 * 60_000 },
      }),
    );
    const items = await itemCount();
    const late = await callback(location.toString());
    expect(late.status).toBe(400);
    expect(late.html).toContain('10 minutes');
    expect(await itemCount()).toBe(items);
    expect(await channel(id)).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
  });

  it('leaves the channel as it was when the person refuses, with the platform’s reason', async () => {
    const id = await addChannel('facebook', 'herold.testseite', 'Facebook, abgelehnt');
    const page = await callback(await decideAt(await startOAuth(id), 'refuse'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Verbindung fehlgeschlagen');
    expect(page.html).toContain('Permissions error.');
    const after = await channel(id);
    expect(after).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
    expect(after.connection.lastFailure.reason).toMatch(/did not authorise Herold: Permissions error\. — user_denied/);
    expect((await localCredentials())[`local:${id}`]).toBeUndefined();
  });

  it('fails with the platform’s reason when the code expired before it was exchanged', async () => {
    const id = await addChannel('linkedin', 'herold-test', 'LinkedIn, abgelaufen');
    const location = await decideAt(await startOAuth(id), 'approve');
    await fetch(`${stack.simulatorUrl}/_sim/oauth/expire-codes`, { method: 'POST' });
    const page = await callback(location);
    expect(page.html).toContain('Verbindung fehlgeschlagen');
    expect(page.html).toContain('authorization code expired');
    expect(await channel(id)).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
    expect((await localCredentials())[`local:${id}`]).toBeUndefined();
  });

  it('names the Pages a sign-in reaches when it cannot tell which one is meant', async () => {
    const id = await addChannel('facebook', 'Unbekannte Seite', 'Facebook, mehrdeutig');
    const page = await callback(await decideAt(await startOAuth(id), 'approve'));
    expect(page.html).toContain('several Pages (Herold Testseite, Zweite Seite)');
    expect(await channel(id)).toMatchObject({ state: 'frozen' });
  });
});

describe('platforms connected with what they issue', () => {
  it('refuses a Bluesky account’s main password and connects with an app password', async () => {
    const id = await addChannel('bluesky', 'herold.bsky.social');
    const refused = await api('POST', `/channels/${id}/connect`, { appPassword: SIM_BLUESKY_MAIN_PASSWORD });
    expect(refused.status).toBe(422);
    expect(refused.json.detail).toMatch(/main password/);
    expect(await channel(id)).toMatchObject({ state: 'frozen', connection: { status: 'not-connected' } });
    const wrong = await api('POST', `/channels/${id}/connect`, { appPassword: 'not-the-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.json.detail).toMatch(/Invalid identifier or password/);

    const ok = await api('POST', `/channels/${id}/connect`, { appPassword: SIM_BLUESKY_APP_PASSWORD });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({
      kind: 'direct',
      channel: { state: 'active', handle: 'herold.bsky.social', account: expect.stringMatching(/^did:plc:/) },
    });
    connected.bluesky = id;
  });

  it('checks a Telegram bot’s rights in the channel before it connects', async () => {
    const id = await addChannel('telegram', '@herold_kanal');
    const member = await api('POST', `/channels/${id}/connect`, { botToken: SIM_TELEGRAM_MEMBER_BOT });
    expect(member.status).toBe(422);
    expect(member.json.detail).toMatch(/"member".*administrator allowed to post/);
    const noPosting = await api('POST', `/channels/${id}/connect`, {
      botToken: SIM_TOKENS.telegram,
      channel: SIM_TELEGRAM_NO_POSTING_CHANNEL,
    });
    expect(noPosting.json.detail).toMatch(/may not post messages/);
    const missing = await api('POST', `/channels/${id}/connect`, {
      botToken: SIM_TOKENS.telegram,
      channel: SIM_TELEGRAM_MISSING_CHANNEL,
    });
    expect(missing.json.detail).toMatch(/chat not found/);

    const ok = await api('POST', `/channels/${id}/connect`, { botToken: SIM_TOKENS.telegram });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.channel).toMatchObject({
      state: 'active',
      account: '@herold_kanal',
      profileUrl: 'https://t.me/herold_kanal',
    });
    connected.telegram = id;
  });

  it('connects a WhatsApp channel by its invite link, without credentials', async () => {
    const id = await addChannel('whatsapp', 'Herold WhatsApp');
    const bad = await api('POST', `/channels/${id}/connect`, { inviteLink: 'https://example.org/channel/x' });
    expect(bad.status).toBe(422);
    const ok = await api('POST', `/channels/${id}/connect`, {
      inviteLink: 'https://whatsapp.com/channel/0029VaHeroldTest01',
    });
    expect(ok.json.channel).toMatchObject({
      state: 'active',
      account: '0029VaHeroldTest01',
      profileUrl: 'https://whatsapp.com/channel/0029VaHeroldTest01',
    });
    expect((await localCredentials())[`local:${id}`]).toBeUndefined();
    connected.whatsapp = id;
  });

  it('answers another organisation’s channel exactly like a missing one', async () => {
    const id = connected.bluesky ?? 'city-bluesky';
    const foreign = await api('POST', `/channels/${id}/connect`, { appPassword: 'x' }, tokens.fireAdmin);
    const missing = await api('POST', '/channels/no-such-channel/connect', { appPassword: 'x' }, tokens.fireAdmin);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect({ ...foreign.json, detail: '', instance: '' }).toEqual({ ...missing.json, detail: '', instance: '' });
    expect((await api('GET', `/channels/${id}`, undefined, tokens.fireAdmin)).status).toBe(404);
    expect((await api('PATCH', `/channels/${id}`, { state: 'frozen' }, tokens.fireAdmin)).status).toBe(404);
  });
});

describe('the freshly connected channels', () => {
  it('publish a message, each through its new credentials', async () => {
    const image = { url: `${stack.simulatorUrl}/_sim/media/sample.jpg`, altText: 'Ein Testbild', mime: 'image/jpeg' };
    const withImage = Object.entries(connected)
      .filter(([platform]) => platform !== 'youtube')
      .map(([, id]) => id);
    const sent = await api('POST', '/messages', {
      text: 'Herold ist jetzt mit diesem Konto verbunden.',
      link: 'https://www.dresden.de/',
      media: [image],
      channels: withImage,
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(202);
    const expected = Object.fromEntries(
      Object.entries(connected)
        .filter(([platform]) => platform !== 'youtube')
        .map(([platform, id]) => [id, platform === 'whatsapp' ? 'HANDOFF' : 'PUBLISHED']),
    );
    await waitForStates(sent.json.id as string, expected);

    const video = await api('POST', '/messages', {
      text: 'Ein Video über Herold.',
      media: [{ url: `${stack.simulatorUrl}/_sim/media/sample.mp4`, altText: 'Ein Testvideo', mime: 'video/mp4' }],
      channels: [connected.youtube],
    });
    expect(video.status, JSON.stringify(video.json)).toBe(202);
    await waitForStates(video.json.id as string, { [connected.youtube!]: 'PUBLISHED' });

    const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts`)).json()) as {
      platform: string;
      account: string;
    }[];
    expect(posts.find((post) => post.platform === 'pinterest')?.account).toBe(SIM_SIGNIN.pinterest.boards[0].id);
    expect(posts.find((post) => post.platform === 'facebook')?.account).toBe(SIM_SIGNIN.meta.pages[0].id);
    // the channel item tells the Channels page how its last publish went
    expect((await channel(connected.x!)).lastPublish).toMatchObject({ state: 'PUBLISHED', messageId: sent.json.id });
    await collectStoredSecrets();
  });

  it('retire: X’s tokens are revoked and the secret deleted; the token no longer works', async () => {
    const id = connected.x!;
    const { accessToken } = (await localCredentials())[`local:${id}`]!;
    const retired = await api('PATCH', `/channels/${id}`, { state: 'retired', reason: 'Konto aufgegeben' });
    expect(retired.status).toBe(200);
    expect(retired.json).toMatchObject({
      state: 'retired',
      credentials: { revocation: 'revoked', secretDeleted: true },
    });
    expect((await localCredentials())[`local:${id}`]).toBeUndefined();
    const me = await fetch(`${stack.simulatorUrl}/x/2/users/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(401);
  });

  it('retire: Bluesky offers no revocation; the stored app password is deleted, and the page is told why', async () => {
    const retired = await api('PATCH', `/channels/${connected.bluesky}`, { state: 'retired' });
    expect(retired.json.credentials).toMatchObject({ revocation: 'not-offered', secretDeleted: true });
    expect(retired.json.credentials.detail).toMatch(/App passwords/);
  });
});

describe('secrets', () => {
  it('never appear in an API answer or a log line', async () => {
    await collectStoredSecrets();
    const secrets = [...storedSecrets, SIM_BLUESKY_APP_PASSWORD, SIM_BLUESKY_MAIN_PASSWORD, SIM_TOKENS.telegram];
    expect(secrets.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(50);
    for (const secret of new Set(secrets)) {
      for (const text of answers)
        expect(text.includes(secret), `an API answer shows ${secret.slice(0, 12)}…`).toBe(false);
      for (const line of logLines)
        expect(line.includes(secret), `a log line shows ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});

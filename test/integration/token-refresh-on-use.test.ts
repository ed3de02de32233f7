/**
 * Token refresh on use, end to end in the local stack: YouTube and Pinterest channels connected
 * through the simulator's sign-in, their access tokens then expired (the credentials file stands in
 * for Secrets Manager), and a message published through each: the publisher renews the token with
 * the platform's refresh grant first, stores it, and the post goes out once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import { startLocalStack, type LocalStack } from '../../local/start';
import { ENV } from '../../shared/config';
import { forgetCredentials } from '../../shared/publishing/credentials';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

let stack: LocalStack;
let admin: string;

beforeAll(async () => {
  const name = uniqueName('refresh-on-use');
  stack = await startLocalStack({
    ...localAwsEndpoints(),
    tableName: name,
    queuePrefix: name,
    port: 0,
    simulatorPort: 0,
    reconcileIntervalMs: 3_600_000,
    log: () => undefined,
  });
  admin = await signToken({ sub: 'sub-bernd', org: 'city', roles: ['editor', 'admin'], name: 'Bernd Becker' });
}, 60_000);
afterAll(async () => stack?.stop());

async function api(method: string, route: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Adds a channel and connects it: Herold's connect call, the person's consent, the platform's callback. */
async function connect(platform: string, handle: string, body: Record<string, string> = {}): Promise<string> {
  const created = await api('POST', '/channels', { platform, handle, displayName: `Herold ${platform}` });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = created.json.id as string;
  const started = await api('POST', `/channels/${id}/connect`, body);
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  const page = await (await fetch(started.json.authorizationUrl as string)).text();
  const request = /name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const consent = await fetch(`${stack.simulatorUrl}/_sim/oauth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, decision: 'approve' }),
    redirect: 'manual',
  });
  const done = await fetch(consent.headers.get('location') ?? '', { headers: { accept: 'text/html' } });
  expect(done.status, await done.text()).toBe(200);
  return id;
}

type StoredCredentials = Record<string, Record<string, string>>;
const credentialsFile = () => stack.env[ENV.credentialsFile]!;
const readStored = async () => JSON.parse(await readFile(credentialsFile(), 'utf8')) as StoredCredentials;

async function waitForState(messageId: string, channelId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api('GET', `/messages/${messageId}`);
    const delivery = (json.deliveries as { channelId: string; state: string }[]).find(
      (candidate) => candidate.channelId === channelId,
    );
    if (delivery && ['PUBLISHED', 'FAILED', 'HANDOFF'].includes(delivery.state)) return delivery.state;
    if (Date.now() > deadline) throw new Error(`delivery did not settle: ${JSON.stringify(json.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it('renews expired YouTube and Pinterest tokens before publishing, stores them, and publishes once each', async () => {
  const youtube = await connect('youtube', '@heroldtest');
  const pinterest = await connect('pinterest', 'heroldtest', { target: 'Warnungen' });
  // an hour-long token Herold renews itself is no reason for the Channels page to warn
  expect((await api('GET', `/channels/${youtube}`)).json).toMatchObject({ tokenRenews: true, tokenExpiresSoon: false });

  // an hour later (YouTube) and a month later (Pinterest): both access tokens have expired
  const stored = await readStored();
  const connected = { youtube: stored[`local:${youtube}`]!, pinterest: stored[`local:${pinterest}`]! };
  expect(connected.youtube).toMatchObject({ refreshToken: expect.any(String), clientSecret: expect.any(String) });
  for (const id of [youtube, pinterest])
    stored[`local:${id}`] = {
      ...stored[`local:${id}`]!,
      accessToken: 'no-longer-valid',
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    };
  await writeFile(credentialsFile(), JSON.stringify(stored));
  // the publishers run in this process: their five-minute copy (filled by the follower count on connecting) is gone by then too
  for (const id of [youtube, pinterest]) forgetCredentials(`local:${id}`);

  const video = await api('POST', '/messages', {
    text: 'Hochwasser in Dresden: die Lage im Video.',
    media: [{ url: `${stack.simulatorUrl}/_sim/media/sample.mp4`, altText: 'Elbufer', mime: 'video/mp4' }],
    channels: [youtube],
  });
  const pin = await api('POST', '/messages', {
    text: 'Hochwasser in Dresden: Karte der Sperrungen.',
    media: [{ url: `${stack.simulatorUrl}/_sim/media/sample.jpg`, altText: 'Karte', mime: 'image/jpeg' }],
    channels: [pinterest],
  });
  expect([video.status, pin.status]).toEqual([202, 202]);
  expect(await waitForState(video.json.id as string, youtube)).toBe('PUBLISHED');
  expect(await waitForState(pin.json.id as string, pinterest)).toBe('PUBLISHED');

  const renewed = await readStored();
  const now = Date.now();
  for (const [id, before] of [
    [youtube, connected.youtube],
    [pinterest, connected.pinterest],
  ] as const) {
    const after = renewed[`local:${id}`]!;
    expect(after.accessToken).not.toBe('no-longer-valid');
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(after.expiresAt!)).toBeGreaterThan(now + 30 * 60_000);
    expect(after.clientId).toBe(before.clientId);
    const channel = (await api('GET', `/channels/${id}`)).json;
    expect(channel.tokenRefreshedAt).toBeDefined();
    expect(channel.needsReauth).toBeUndefined();
  }
  // Google keeps its refresh token; Pinterest hands out a new one with every refresh
  expect(renewed[`local:${youtube}`]!.refreshToken).toBe(connected.youtube.refreshToken);
  expect(renewed[`local:${pinterest}`]!.refreshToken).not.toBe(connected.pinterest.refreshToken);

  const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts`)).json()) as { platform: string }[];
  expect(posts.filter((post) => post.platform === 'youtube')).toHaveLength(1);
  expect(posts.filter((post) => post.platform === 'pinterest')).toHaveLength(1);
});

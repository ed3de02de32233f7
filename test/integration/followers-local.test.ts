/** Follower figures through the local stack: collected on start, reported through the API, entered by hand. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
let admin: string;
let fireEditor: string;

beforeAll(async () => {
  stack = await startIsolatedStack('followers-api');
  admin = await signToken({ sub: 'presse', org: 'city', roles: ['editor', 'admin'] });
  fireEditor = await signToken({ sub: 'fw', org: 'fire-brigade', roles: ['editor'] });
}, 120_000);
afterAll(async () => stack?.stop());

const get = (path: string, token: string, accept = 'application/json') =>
  fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });

it('collects every API channel on start, takes WhatsApp by hand, and reports both', async () => {
  const today = new Date().toISOString().slice(0, 10);
  let report: { channels: { channelId: string; platform: string; end: { count: number } | null }[] } | undefined;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    report = (await (await get(`/reports/followers?from=${today}&to=${today}`, admin)).json()) as typeof report;
    if (report!.channels.filter((channel) => channel.end).length >= 10) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const measured = report!.channels.filter((channel) => channel.end).map((channel) => channel.platform);
  expect(measured).toEqual(
    expect.arrayContaining([
      'threads',
      'facebook',
      'instagram',
      'youtube',
      'linkedin',
      'pinterest',
      'x',
      'mastodon',
      'bluesky',
      'telegram',
    ]),
  );

  const put = await fetch(`${stack.apiUrl}/channels/city-whatsapp/followers/${today}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ count: 1234 }),
  });
  expect(put.status).toBe(200);
  const markdown = await (await get(`/reports/followers?from=${today}&to=${today}&format=md`, admin)).text();
  expect(markdown).toMatch(/WhatsApp/);
  expect(markdown).toMatch(/1\.234/);
  const csv = await get(`/reports/followers?from=${today}&to=${today}`, admin, 'text/csv');
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  const svg = await (await get(`/reports/followers?from=${today}&to=${today}&format=svg`, admin)).text();
  expect(svg).toMatch(/^<svg|<\?xml/);
  expect((await get(`/reports/followers.html?from=${today}&to=${today}`, admin)).headers.get('content-type')).toMatch(
    /text\/html/,
  );
});

it("keeps reports and hand-entered figures within the caller's organisation", async () => {
  const today = new Date().toISOString().slice(0, 10);
  expect((await get(`/reports/followers?from=${today}&to=${today}&org=city`, fireEditor)).status).toBe(403);
  const put = await fetch(`${stack.apiUrl}/channels/city-whatsapp/followers/${today}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${fireEditor}`, 'content-type': 'application/json' },
    body: JSON.stringify({ count: 1 }),
  });
  expect(put.status).toBe(403);
  const bad = await get(`/reports/followers?from=${today}&to=2000-01-01`, admin);
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toBe('application/problem+json');
});

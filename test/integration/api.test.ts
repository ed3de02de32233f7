/**
 * The walking skeleton end to end: the HTTP API in front of the real handlers, DynamoDB Local,
 * the local SQS server, the per-platform pollers and the platform simulator.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { localSqsClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startIsolatedStack('api');
  tokens.cityEditor = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
  tokens.cityAdmin = await signToken({ sub: 'bernd', org: 'city', roles: ['editor', 'admin'] });
  tokens.fireEditor = await signToken({ sub: 'clara', org: 'fire-brigade', roles: ['editor'] });
}, 60_000);
afterAll(async () => stack?.stop());

async function api(
  path: string,
  options: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? tokens.cityEditor}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: options.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function simPosts(platform: string): Promise<{ id: string; text: string; idempotencyKey?: string }[]> {
  const response = await fetch(`${stack.simulatorUrl}/_sim/posts?platform=${platform}`);
  return (await response.json()) as { id: string; text: string }[];
}

async function waitForDelivery(messageId: string, channelId: string, states: string[], token = tokens.cityEditor) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { json } = await api(`/messages/${messageId}`, { token });
    const delivery = json.deliveries.find((candidate: { channelId: string }) => candidate.channelId === channelId);
    if (states.includes(delivery.state)) return delivery;
    if (Date.now() > deadline) throw new Error(`delivery ${channelId} stayed ${delivery.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function messageCount(token = tokens.cityEditor): Promise<number> {
  const { json } = await api('/messages?limit=100', { token });
  return json.items.length;
}

describe('publishing a message', () => {
  it('renders, queues and publishes on Threads and Mastodon, skips what cannot be posted, hands WhatsApp to a person', async () => {
    const { status, json } = await api('/messages', {
      body: { text: 'Neue Kanäle: Die Stadtverwaltung ist jetzt auf Threads.', link: 'https://www.dresden.de/pm' },
    });
    expect(status).toBe(202);
    const byChannel = Object.fromEntries(
      json.deliveries.map((delivery: { channelId: string; state: string }) => [delivery.channelId, delivery]),
    );
    expect(byChannel['city-threads'].state).toBe('QUEUED');
    expect(byChannel['city-x']).toBeUndefined(); // frozen: not among the default (active) channels
    expect(byChannel['city-instagram']).toMatchObject({
      state: 'SKIPPED',
      reason: expect.stringMatching(/image or a video/),
    });
    expect(byChannel['city-whatsapp']).toMatchObject({
      state: 'HANDOFF',
      renderedText: expect.stringContaining('https://www.dresden.de/pm'),
    });

    const threads = await waitForDelivery(json.id, 'city-threads', ['PUBLISHED']);
    expect(threads.remoteUrl).toMatch(/^https:\/\/www\.threads\.(net|com)\//);
    const posts = (await simPosts('threads')).filter((post) => post.text.startsWith('Neue Kanäle'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.id).toBe(threads.remoteId);
  });

  it('records SKIPPED with the reason for a frozen channel named explicitly', async () => {
    const { status, json } = await api('/messages', {
      body: { text: 'Hinweis', channels: ['city-x', 'city-threads'] },
    });
    expect(status).toBe(202);
    expect(json.deliveries.find((delivery: { channelId: string }) => delivery.channelId === 'city-x')).toMatchObject({
      state: 'SKIPPED',
      reason: expect.stringMatching(/frozen/),
    });
  });

  it('never publishes twice when SQS delivers the same job again', async () => {
    const { json } = await api('/messages', {
      body: { text: 'Doppelt hält nicht besser', channels: ['city-threads'] },
    });
    await waitForDelivery(json.id, 'city-threads', ['PUBLISHED']);
    const sqs = localSqsClient(stack.sqsEndpoint);
    const job = JSON.stringify({ type: 'publish', messageId: json.id, channelId: 'city-threads' });
    await Promise.all(
      [1, 2, 3].map(() =>
        sqs.send(new SendMessageCommand({ QueueUrl: stack.queues.threads.normal, MessageBody: job })),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await simPosts('threads')).filter((post) => post.text === 'Doppelt hält nicht besser')).toHaveLength(1);
    expect((await waitForDelivery(json.id, 'city-threads', ['PUBLISHED'])).attempts).toBe(1);
  });

  it('answers a repeated Idempotency-Key with the original message, and refuses it for another body', async () => {
    const headers = { 'idempotency-key': 'pm-2024-02-02-threads' };
    const first = await api('/messages', { body: { text: 'Einmal', channels: ['city-threads'] }, headers });
    const again = await api('/messages', { body: { channels: ['city-threads'], text: 'Einmal' }, headers });
    expect(again.status).toBe(202);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await api('/messages', { body: { text: 'Anders', channels: ['city-threads'] }, headers });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets an editor confirm a WhatsApp hand-off, and records it in the audit trail', async () => {
    const { json } = await api('/messages', {
      body: { text: 'Bitte in den WhatsApp-Kanal', channels: ['city-whatsapp'] },
    });
    expect(json.deliveries[0].state).toBe('HANDOFF');
    const confirm = await api(`/messages/${json.id}/deliveries/city-whatsapp/confirm`, { method: 'POST', body: {} });
    expect(confirm.status).toBe(200);
    expect((await waitForDelivery(json.id, 'city-whatsapp', ['PUBLISHED'])).state).toBe('PUBLISHED');
    expect(
      (await api(`/messages/${json.id}/deliveries/city-whatsapp/confirm`, { method: 'POST', body: {} })).status,
    ).toBe(409);
    const today = new Date().toISOString().slice(0, 10);
    const audit = await api(`/audit?from=${today}&to=${today}`, { token: tokens.cityAdmin });
    expect(
      audit.json.items.map((entry: { action: string; target: string }) => `${entry.action} ${entry.target}`),
    ).toContain(`delivery.confirm message/${json.id}/channel/city-whatsapp`);
    expect((await api(`/audit?from=${today}&to=${today}`)).status).toBe(403);
  });
});

describe('previews', () => {
  it("shows each channel its text, its length by that platform's count and why it would be skipped, writing nothing", async () => {
    const before = await messageCount();
    const text = `${'Die Carolabrücke bleibt gesperrt. '.repeat(12)}Mehr dazu online.`;
    const { status, json } = await api('/previews', {
      body: {
        text,
        link: 'https://www.dresden.de/carolabruecke',
        channels: ['city-bluesky', 'city-mastodon', 'city-instagram', 'city-x'],
      },
    });
    expect(status).toBe(200);
    const byChannel = Object.fromEntries(
      json.deliveries.map((delivery: { channelId: string }) => [delivery.channelId, delivery]),
    );
    expect(byChannel['city-bluesky']).toMatchObject({ state: 'QUEUED', limit: 300 });
    expect(byChannel['city-bluesky'].length).toBeLessThanOrEqual(300);
    expect(byChannel['city-bluesky'].text).toMatch(/…\n\nhttps:\/\/www\.dresden\.de\/carolabruecke$/);
    expect(byChannel['city-instagram']).toMatchObject({
      state: 'SKIPPED',
      reason: expect.stringMatching(/image or a video/),
    });
    expect(byChannel['city-x']).toMatchObject({ state: 'SKIPPED', reason: expect.stringMatching(/frozen/) });
    const dryRun = await api('/messages?dryRun=true', {
      body: { text: 'Nur eine Vorschau', channels: ['city-threads'] },
    });
    expect(dryRun.status).toBe(200);
    expect(dryRun.json.deliveries[0]).toMatchObject({
      channelId: 'city-threads',
      text: 'Nur eine Vorschau',
      length: 17,
    });
    expect(await messageCount()).toBe(before);
  });
});

describe('media are checked at ingest', () => {
  it('refuses a media URL that does not answer, or serves another type than declared', async () => {
    const before = await messageCount();
    const unreachable = await api('/messages', {
      body: {
        text: 'Bild',
        media: [{ url: `${stack.simulatorUrl}/_sim/media/missing.jpg`, altText: 'fehlt', mime: 'image/jpeg' }],
      },
    });
    expect(unreachable.status).toBe(422);
    expect(unreachable.json.errors[0].field).toBe('media[0].url');
    const wrongType = await api('/messages', {
      body: {
        text: 'Bild',
        media: [{ url: `${stack.simulatorUrl}/_sim/media/sample.jpg`, altText: 'ein Bild', mime: 'video/mp4' }],
      },
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.errors[0].field).toBe('media[0].mime');
    expect(await messageCount()).toBe(before);
  });
});

describe('bad input gets a problem and writes nothing', () => {
  const cases: [string, Parameters<typeof api>[1], number, string | undefined][] = [
    ['malformed JSON', { body: '{"text": "Hallo"' }, 400, undefined],
    [
      'wrong content type',
      { body: 'text=Hallo', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      undefined,
    ],
    ['a body over 256 KB', { body: { text: 'x'.repeat(300 * 1024) } }, 413, undefined],
    ['whitespace-only text', { body: { text: '   \n ' } }, 422, 'text'],
    ['an unknown channel', { body: { text: 'Hallo', channels: ['city-myspace'] } }, 422, 'channels[0]'],
    [
      "another organisation's channel",
      { body: { text: 'Hallo', channels: ['fire-brigade-threads'] } },
      422,
      'channels[0]',
    ],
    [
      'media without alt text',
      { body: { text: 'Hallo', media: [{ url: 'https://www.dresden.de/a.jpg', altText: '', mime: 'image/jpeg' }] } },
      422,
      'media[0].altText',
    ],
    ['an unknown field', { body: { text: 'Hallo', org: 'fire-brigade' } }, 422, 'org'],
    ['emergency priority without the role', { body: { text: 'Evakuierung', priority: 'emergency' } }, 403, 'priority'],
  ];

  it.each(cases)('%s', async (_name, options, status, field) => {
    const before = await messageCount();
    const { status: actual, json, headers } = await api('/messages', options);
    expect(actual).toBe(status);
    expect(headers.get('content-type')).toBe('application/problem+json');
    expect(json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    if (field) expect(json.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await messageCount()).toBe(before);
  });

  it('refuses missing, expired and forged tokens with 401', async () => {
    expect((await api('/messages', { token: null, body: { text: 'Hallo' } })).status).toBe(401);
    const expired = await new SignJWT({ org: 'city', roles: ['editor'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime(0)
      .sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key'));
    expect((await api('/messages', { token: expired, body: { text: 'Hallo' } })).status).toBe(401);
    const [header, , signature] = tokens.cityEditor!.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        sub: 'mallory',
        org: 'fire-brigade',
        roles: ['admin'],
        iss: 'herold-local',
        aud: 'herold',
        exp: 4102444800,
      }),
    ).toString('base64url');
    const forged = await api('/messages', {
      token: `${header}.${forgedPayload}.${signature}`,
      body: { text: 'Hallo' },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toBe('application/problem+json');
  });

  it("keeps organisations apart: the fire brigade cannot read or confirm the city's messages", async () => {
    const { json } = await api('/messages', { body: { text: 'Nur für die Stadt', channels: ['city-whatsapp'] } });
    expect((await api(`/messages/${json.id}`, { token: tokens.fireEditor })).status).toBe(404);
    expect(
      (
        await api(`/messages/${json.id}/deliveries/city-whatsapp/confirm`, {
          method: 'POST',
          body: {},
          token: tokens.fireEditor,
        })
      ).status,
    ).toBe(404);
    const list = await api('/messages?limit=100', { token: tokens.fireEditor });
    expect(list.json.items.map((message: { id: string }) => message.id)).not.toContain(json.id);
  });

  it("refuses another organisation's page cursor, or a made-up one, with 400 on every listing", async () => {
    await api('/messages', { body: { text: 'Seite eins', channels: ['city-whatsapp'] } });
    await api('/messages', { body: { text: 'Seite zwei', channels: ['city-whatsapp'] } });
    const { json } = await api('/messages?limit=1');
    expect(json.next).toEqual(expect.any(String));
    for (const query of ['', '&state=SCHEDULED', '&state=AWAITING_APPROVAL', '&state=FAILED'])
      for (const cursor of [json.next, 'not-a-cursor']) {
        const refused = await api(`/messages?limit=1&cursor=${encodeURIComponent(cursor)}${query}`, {
          token: tokens.fireEditor,
        });
        expect(refused.status, `${query} ${cursor}`).toBe(400);
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        expect(refused.json.errors).toEqual([{ field: 'cursor', message: 'invalid' }]);
      }
    expect((await api('/replies?cursor=not-a-cursor')).status).toBe(400);
  });

  it('refuses path traversal in ids', async () => {
    expect((await api('/messages/..%2F..%2Fetc')).status).toBeGreaterThanOrEqual(400);
    expect((await api('/messages/..%2F..%2Fetc')).status).toBeLessThan(500);
  });
});

/**
 * Retrying one failed delivery, the filters of `GET /messages` and `GET /me`, end to end against the
 * local stack: a platform made to fail permanently by the simulator's fault API, that one delivery
 * retried (and only it), the refusals with their reasons, the urgent lane for an emergency message,
 * and a routine retry held during a crisis hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startIsolatedStack('retry');
  tokens.editor = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
  tokens.admin = await signToken({ sub: 'bernd', org: 'city', roles: ['editor', 'admin'] });
  tokens.fireEmergency = await signToken({ sub: 'clara', org: 'fire-brigade', roles: ['editor', 'emergency'] });
  tokens.fireEditor = await signToken({ sub: 'dora', org: 'fire-brigade', roles: ['editor'] });
}, 60_000);
afterAll(async () => stack?.stop());

async function api(path: string, options: { method?: string; token?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${options.token ?? tokens.editor}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const faults = (body: unknown, method = 'POST') =>
  fetch(`${stack.simulatorUrl}/_sim/faults`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });

async function waitFor(messageId: string, channelId: string, states: string[], token = tokens.editor) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { json } = await api(`/messages/${messageId}`, { token });
    const delivery = json.deliveries.find((candidate: { channelId: string }) => candidate.channelId === channelId);
    if (states.includes(delivery.state)) return { message: json, delivery };
    if (Date.now() > deadline) throw new Error(`delivery ${channelId} stayed ${delivery.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function failMastodonOnce(text: string, token = tokens.editor, extra: Record<string, unknown> = {}) {
  await faults({ platform: 'mastodon', status: 422, body: { error: 'Validation failed: Text is invalid' }, count: 1 });
  const created = await api('/messages', { token, body: { text, ...extra } });
  expect(created.status).toBe(202);
  const channel = token === tokens.fireEmergency ? 'fire-brigade-threads' : 'city-mastodon';
  return { id: created.json.id as string, channel };
}

describe('POST /messages/{id}/deliveries/{channel}/retry', () => {
  it('retries the one failed delivery from scratch, audited, and it reaches PUBLISHED; the others are untouched', async () => {
    const { id } = await failMastodonOnce('Retry: Mastodon lehnt einmal ab.');
    const { message, delivery } = await waitFor(id, 'city-mastodon', ['FAILED']);
    expect(delivery.lastError).toMatchObject({ class: 'permanent', detail: expect.stringContaining('Validation') });
    await waitFor(id, 'city-threads', ['PUBLISHED']);
    const { message: settled } = await waitFor(id, 'city-bluesky', ['PUBLISHED']);
    expect(['needs-attention', 'in-progress']).toContain(message.status);
    expect(settled.outcome.failed).toEqual(['city-mastodon']);

    const threadsBefore = settled.deliveries.find((d: { channelId: string }) => d.channelId === 'city-threads');
    const retried = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ messageId: id, channelId: 'city-mastodon', state: 'QUEUED', lane: 'normal' });

    const { delivery: published, message: after } = await waitFor(id, 'city-mastodon', ['PUBLISHED']);
    expect(published.attempts).toBe(1);
    expect(published.remoteUrl).toMatch(/^https?:\/\//);
    expect(published.lastError).toBeUndefined();
    const threadsAfter = after.deliveries.find((d: { channelId: string }) => d.channelId === 'city-threads');
    expect(threadsAfter.updatedAt).toBe(threadsBefore.updatedAt);
    const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts?platform=threads`)).json()) as {
      text: string;
    }[];
    expect(posts.filter((post) => post.text.startsWith('Retry: Mastodon lehnt einmal ab.'))).toHaveLength(1);

    const today = new Date().toISOString().slice(0, 10);
    const audit = await api(`/audit?from=${today}&to=${today}`, { token: tokens.admin });
    const entry = audit.json.items.find(
      (item: { action: string; target: string }) =>
        item.action === 'delivery.retry' && item.target === `message/${id}/channel/city-mastodon`,
    );
    expect(entry).toMatchObject({ actor: 'anna', before: { state: 'FAILED' }, after: { state: 'QUEUED' } });
  });

  it('refuses with 409 and the reason: not FAILED, a second retry, a frozen channel, one that needs reconnecting', async () => {
    const { id } = await failMastodonOnce('Retry: Ablehnungen.');
    await waitFor(id, 'city-mastodon', ['FAILED']);
    await waitFor(id, 'city-threads', ['PUBLISHED']);

    const published = await api(`/messages/${id}/deliveries/city-threads/retry`, { method: 'POST' });
    expect(published.status).toBe(409);
    expect(published.json.detail).toBe('the delivery is PUBLISHED; only a FAILED delivery can be retried');
    const handoff = await api(`/messages/${id}/deliveries/city-whatsapp/retry`, { method: 'POST' });
    expect(handoff.status).toBe(409);
    expect(handoff.json.detail).toMatch(/HANDOFF: the post may already exist/);

    await api('/channels/city-mastodon', { method: 'PATCH', token: tokens.admin, body: { state: 'frozen' } });
    const frozen = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
    await api('/channels/city-mastodon', { method: 'PATCH', token: tokens.admin, body: { state: 'active' } });
    expect(frozen.status).toBe(409);
    expect(frozen.json.detail).toBe('the channel is frozen: nothing is posted to it');

    const { flagNeedsReauth } = await import('../../shared/store/channels');
    const { localDynamoDocumentClient } = await import('../../local/aws');
    const store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
    await flagNeedsReauth(store, 'city-mastodon');
    const reauth = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
    expect(reauth.status).toBe(409);
    expect(reauth.json.detail).toMatch(/connected again/);
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: { PK: 'CHANNEL#city-mastodon', SK: 'CHANNEL' },
        UpdateExpression: 'REMOVE needsReauth',
      }),
    );

    const first = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
    expect(first.status).toBe(202);
    const second = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
    expect(second.status).toBe(409);

    const foreign = await api(`/messages/${id}/deliveries/city-mastodon/retry`, {
      method: 'POST',
      token: tokens.fireEmergency,
    });
    expect(foreign.status).toBe(404);
  });

  it("sends an emergency message's retry to the urgent lane and needs the emergency role", async () => {
    await faults({ platform: 'threads', status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } });
    const created = await api('/messages', {
      token: tokens.fireEmergency,
      body: { text: 'Retry: Warnung der Feuerwehr.', priority: 'emergency', severity: 'Extreme' },
    });
    expect(created.status).toBe(202);
    await waitFor(created.json.id, 'fire-brigade-threads', ['FAILED'], tokens.fireEmergency);
    await faults(undefined, 'DELETE');

    const editorOnly = await api(`/messages/${created.json.id}/deliveries/fire-brigade-threads/retry`, {
      method: 'POST',
      token: tokens.fireEditor,
    });
    expect(editorOnly.status).toBe(403);
    const retried = await api(`/messages/${created.json.id}/deliveries/fire-brigade-threads/retry`, {
      method: 'POST',
      token: tokens.fireEmergency,
    });
    expect(retried.json).toMatchObject({ state: 'QUEUED', lane: 'urgent' });
    await waitFor(created.json.id, 'fire-brigade-threads', ['PUBLISHED'], tokens.fireEmergency);
  });

  it('holds a routine retry during a crisis hold; the release sends it', async () => {
    const { id } = await failMastodonOnce('Retry: während der Krisensperre.');
    await waitFor(id, 'city-mastodon', ['FAILED']);
    await api('/organisations/city/hold', { method: 'PUT', token: tokens.admin, body: { active: true } });
    try {
      const retried = await api(`/messages/${id}/deliveries/city-mastodon/retry`, { method: 'POST' });
      expect(retried.json).toMatchObject({ state: 'HELD', reason: expect.stringContaining('crisis hold') });
      const held = await api('/messages?state=HELD');
      expect(held.json.items.map((item: { id: string }) => item.id)).toContain(id);
      const me = await api('/me');
      expect(me.json.organisation.hold.active).toBe(true);
    } finally {
      await api('/organisations/city/hold', { method: 'PUT', token: tokens.admin, body: { active: false } });
    }
    const released = await api(`/messages/${id}/release`, { method: 'POST' });
    expect(released.status).toBe(202);
    await waitFor(id, 'city-mastodon', ['PUBLISHED']);
  });
});

describe('GET /messages filters and the honest outcome', () => {
  it('lists messages with a FAILED or a HANDOFF delivery, each with its status, outcome and deliveries', async () => {
    const { id } = await failMastodonOnce('Filter: ein Fehlschlag.');
    await waitFor(id, 'city-mastodon', ['FAILED']);
    const failed = await api('/messages?state=FAILED&limit=5');
    const item = failed.json.items.find((candidate: { id: string }) => candidate.id === id);
    expect(item.outcome.failed).toEqual(['city-mastodon']);
    expect(item.deliveries).toContainEqual({ channelId: 'city-mastodon', platform: 'mastodon', state: 'FAILED' });
    for (const listed of failed.json.items)
      expect(listed.deliveries.some((d: { state: string }) => d.state === 'FAILED')).toBe(true);

    const handoff = await api('/messages?state=HANDOFF&limit=100');
    expect(handoff.json.items.map((candidate: { id: string }) => candidate.id)).toContain(id);
    const all = await api('/messages?limit=3');
    expect(all.json.items[0]).toHaveProperty('status');
    expect(all.json.items[0]).toHaveProperty('outcome');

    const wrong = await api('/messages?state=BROKEN');
    expect(wrong.status).toBe(422);
    expect(wrong.json.errors[0]).toMatchObject({
      field: 'state',
      message: expect.stringContaining('AWAITING_APPROVAL'),
    });
  });

  it('pages through a filter with a cursor and never lists a message twice', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push((await failMastodonOnce(`Filter: Seite ${index}.`)).id);
    for (const id of ids) await waitFor(id, 'city-mastodon', ['FAILED']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(`/messages?state=FAILED&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((item: { id: string }) => item.id));
      cursor = page.json.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
  });

  it('shows RETRYING with the reason and the time of the next attempt', async () => {
    await faults({ platform: 'bluesky', status: 503, body: { error: 'Unavailable' }, count: 1 });
    const created = await api('/messages', { body: { text: 'Board: Bluesky wartet kurz.' } });
    const { delivery } = await waitFor(created.json.id, 'city-bluesky', ['RETRYING', 'PUBLISHED']);
    if (delivery.state === 'RETRYING') {
      expect(Date.parse(delivery.nextAttemptAt)).toBeGreaterThan(Date.parse(delivery.updatedAt) - 1);
      expect(delivery.lastError.class).toBe('retryable');
    }
    await waitFor(created.json.id, 'city-bluesky', ['PUBLISHED']);
  });
});

describe('GET /me', () => {
  it("answers the caller and the organisation's time zone", async () => {
    const me = await api('/me');
    expect(me.json).toMatchObject({
      sub: 'anna',
      org: 'city',
      roles: ['editor'],
      organisation: { timeZone: 'Europe/Berlin', hold: { active: false } },
    });
  });
});

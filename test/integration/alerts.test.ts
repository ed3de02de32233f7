/**
 * The emergency lane end to end in the local stack: CAP documents through POST /alerts to the
 * simulated platforms, threaded updates and all-clears, pins, dry runs, the two-person rule,
 * corrections, refused documents, the NINA feed, and the emergency reserve of a channel's quota.
 */
import { readFileSync } from 'node:fs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { setAlertPolicies, type AlertPolicies } from '../../local/organisations';
import { localDynamoDocumentClient } from '../../local/aws';
import { startIsolatedStack } from '../support/isolated-stack';
import type { PlatformId } from '../../shared/platforms/registry';
import type { Severity } from '../../shared/alerts/policy';

let stack: LocalStack;
const tokens: Record<string, string> = {};
const REPLY_PLATFORMS = ['threads', 'x', 'mastodon', 'bluesky', 'telegram'] as const;
const ALL_SEVERITIES: Severity[] = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];

const fixture = (name: string) => readFileSync(new URL(`../fixtures/cap/${name}`, import.meta.url), 'utf8');

async function setPolicy(city: AlertPolicies[string]): Promise<void> {
  await setAlertPolicies(stack, { city, 'fire-brigade': { singlePersonSeverities: ['Extreme'] } });
}

beforeAll(async () => {
  stack = await startIsolatedStack('alerts', {
    alertsFeedIntervalMs: 3_600_000,
  });
  tokens.sender = await signToken({ sub: 'erik', org: 'city', roles: ['editor', 'emergency'] });
  tokens.approver = await signToken({ sub: 'frieda', org: 'city', roles: ['emergency'] });
  tokens.editor = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
  tokens.admin = await signToken({ sub: 'bernd', org: 'city', roles: ['editor', 'admin'] });
  tokens.fireBrigade = await signToken({ sub: 'gustav', org: 'fire-brigade', roles: ['editor', 'emergency'] });
  // Every reply platform takes part: the city's X channel is frozen in the seed.
  expect(
    (await api('/channels/city-x', { method: 'PATCH', token: tokens.admin, body: { state: 'active' } })).status,
  ).toBe(200);
}, 120_000);
afterAll(async () => stack?.stop());
beforeEach(() => setPolicy({ singlePersonSeverities: ALL_SEVERITIES, languages: ['de-DE', 'en'] }));

/** Emergencies of earlier tests leave the city in a crisis hold, which would keep routine posts back. */
async function endCrisisHold(): Promise<void> {
  expect(
    (await api('/organisations/city/hold', { method: 'PUT', token: tokens.admin, body: { active: false } })).status,
  ).toBe(200);
}

async function api(
  path: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token ?? tokens.sender}`,
    ...options.headers,
  };
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

/** The simulator's id of a post: Bluesky's remote id is `<at-uri>|<cid>`, the simulator lists the URI. */
const simId = (remoteId: string | undefined) => remoteId?.split('|')[0];

const postAlert = (xml: string, token = tokens.sender, contentType = 'application/cap+xml') =>
  api('/alerts', { body: xml, token, headers: { 'content-type': contentType } });

interface SimPost {
  platform: string;
  id: string;
  account: string;
  text: string;
  replyTo?: string;
  pinned?: boolean;
}

async function simPosts(): Promise<SimPost[]> {
  return (await (await fetch(`${stack.simulatorUrl}/_sim/posts`)).json()) as SimPost[];
}

interface DeliveryView {
  channelId: string;
  platform: string;
  state: string;
  reason?: string;
  remoteId?: string;
  remoteUrl?: string;
  pinned?: boolean;
  publishedAfterMs?: number;
}

async function waitForMessage(id: string, done: (deliveries: DeliveryView[]) => boolean, token = tokens.sender) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { json } = await api(`/messages/${id}`, { token });
    if (done(json.deliveries)) return json;
    if (Date.now() > deadline)
      throw new Error(
        `message ${id} did not settle: ${JSON.stringify(json.deliveries.map((d: DeliveryView) => `${d.channelId}:${d.state}`))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const publishedOn = (platforms: readonly string[]) => (deliveries: DeliveryView[]) =>
  platforms.every((platform) =>
    deliveries.some((delivery) => delivery.platform === platform && delivery.state === 'PUBLISHED'),
  );

/** Every delivery by its platform; asking for a platform the message has none on fails the test. */
function byPlatform(deliveries: DeliveryView[]): Record<PlatformId, DeliveryView> {
  return new Proxy({} as Record<PlatformId, DeliveryView>, {
    get: (_target, platform) =>
      deliveries.find((delivery) => delivery.platform === platform) ??
      expect.fail(`no delivery on ${String(platform)}`),
  });
}

/** A fixture with a fresh identifier, so tests never share an alert by accident. */
function variant(xml: string, changes: { identifier?: string; status?: string; headline?: string }): string {
  let result = xml;
  if (changes.identifier)
    result = result.replace(/<identifier>[^<]*<\/identifier>/, `<identifier>${changes.identifier}</identifier>`);
  if (changes.status) result = result.replace(/<status>[^<]*<\/status>/, `<status>${changes.status}</status>`);
  if (changes.headline)
    result = result.replace(/<headline>[^<]*<\/headline>/g, `<headline>${changes.headline}</headline>`);
  return result;
}

describe('a CAP alert through POST /alerts', () => {
  it('publishes the OASIS thunderstorm warning on the emergency lane, and answers a repeat with the original', async () => {
    const xml = fixture('oasis-a2-severe-thunderstorm-warning.xml');
    const first = await postAlert(xml, tokens.sender, 'application/xml');
    expect(first.status).toBe(202);
    const [message] = first.json.messages;
    expect(message).toMatchObject({ kind: 'alert', priority: 'emergency' });
    const settled = await waitForMessage(message.id, publishedOn(['mastodon', 'bluesky', 'telegram']));
    expect(settled).toMatchObject({
      kind: 'alert',
      priority: 'emergency',
      severity: 'Severe',
      cap: { identifier: 'KSTO1055887203' },
    });
    expect(byPlatform(settled.deliveries).mastodon.publishedAfterMs).toBeGreaterThanOrEqual(0);

    const again = await postAlert(xml);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.messages[0].id).toBe(message.id);
    expect(
      (await simPosts()).filter((post) => post.platform === 'mastodon' && post.text.includes('SEVERE THUNDERSTORM')),
    ).toHaveLength(1);
  });

  it("publishes the OASIS multilingual Amber Alert in its first language when the organisation's languages are not among its own", async () => {
    const response = await postAlert(fixture('oasis-a4-amber-alert-multilingual.xml'));
    expect(response.status).toBe(202);
    expect(response.json.messages.map((message: { language: string }) => message.language)).toEqual(['en-US']);
    const settled = await waitForMessage(response.json.messages[0].id, publishedOn(['mastodon', 'telegram']));
    expect(settled.text).toMatch(/AMBER ALERT/i);
  });

  it('threads the Dresden evacuation, its update and its all-clear on every reply platform, links the original elsewhere, pins and unpins', async () => {
    const alert = await postAlert(fixture('dresden-bombenfund-evakuierung.xml'));
    expect(alert.status).toBe(202);
    expect(alert.json.messages.map((message: { language: string }) => message.language)).toEqual(['de-DE', 'en-US']);
    const original = await waitForMessage(
      alert.json.messages[0].id,
      publishedOn([...REPLY_PLATFORMS, 'facebook', 'linkedin']),
    );
    const originals = byPlatform(original.deliveries);
    // Pinned right after the post is recorded as published.
    const pinnedOn = async (id: string) => {
      const deliveries = byPlatform((await api(`/messages/${id}`)).json.deliveries);
      return [deliveries.telegram.pinned, deliveries.mastodon.pinned, deliveries.bluesky.pinned];
    };
    await expect.poll(() => pinnedOn(original.id)).toEqual([true, true, undefined]);
    await waitForMessage(alert.json.messages[1].id, publishedOn(['mastodon']));
    await expect.poll(() => pinnedOn(alert.json.messages[1].id)).toEqual([true, true, undefined]);

    const update = await postAlert(fixture('dresden-bombenfund-update.xml'));
    expect(update.status).toBe(202);
    expect(update.json.messages[0]).toMatchObject({ kind: 'update', replyTo: original.id });
    const updated = await waitForMessage(
      update.json.messages[0].id,
      publishedOn([...REPLY_PLATFORMS, 'facebook', 'linkedin']),
    );
    const updates = byPlatform(updated.deliveries);
    const posts = await simPosts();
    for (const platform of REPLY_PLATFORMS) {
      const post = posts.find(
        (candidate) => candidate.platform === platform && candidate.id === simId(updates[platform].remoteId),
      );
      expect(post?.replyTo, platform).toBe(simId(originals[platform].remoteId));
    }
    const facebookPost = posts.find(
      (candidate) => candidate.platform === 'facebook' && candidate.id === updates.facebook.remoteId,
    );
    expect(facebookPost?.replyTo).toBeUndefined();
    expect(facebookPost?.text).toContain(
      `Aktualisierung zu „Bombenfund an der Carolabrücke: Evakuierung“: ${originals.facebook.remoteUrl}`,
    );
    expect(updated.replyTo).toBe(original.id);

    const allClear = await postAlert(fixture('dresden-bombenfund-entwarnung.xml'));
    expect(allClear.status).toBe(202);
    expect(allClear.json.messages[0]).toMatchObject({ kind: 'all-clear', replyTo: updated.id });
    const cleared = await waitForMessage(allClear.json.messages[0].id, publishedOn(REPLY_PLATFORMS));
    const clears = byPlatform(cleared.deliveries);
    const afterAllClear = await simPosts();
    expect(
      afterAllClear.find((post) => post.platform === 'mastodon' && post.id === clears.mastodon.remoteId)?.replyTo,
    ).toBe(updates.mastodon.remoteId);
    await expect.poll(() => pinnedOn(original.id)).toEqual([false, false, undefined]);
    expect(
      afterAllClear.find((post) => post.platform === 'telegram' && post.id === originals.telegram.remoteId)?.pinned,
    ).toBe(false);
  });

  it('publishes a bare Cancel as the all-clear under the alert it names, in the Dresden wording', async () => {
    // Known from the threading test (then this is a replay) or created now: either way the referenced original.
    const original = await postAlert(fixture('dresden-bombenfund-evakuierung.xml'));
    expect(original.status).toBe(202);
    const cancel = await postAlert(fixture('dresden-bare-cancel.xml'));
    expect(cancel.status).toBe(202);
    const [message] = cancel.json.messages;
    expect(message).toMatchObject({ kind: 'all-clear', replyTo: original.json.messages[0].id });
    const settled = await waitForMessage(message.id, publishedOn(['mastodon']));
    expect(settled.text).toMatch(
      /^Dies ist die Entwarnung zur Warnung "Bombenfund an der Carolabrücke: Evakuierung" vom 08\.01\.2025 09:30 Uhr\. Die Warnung ist aufgehoben\./,
    );
  });

  it('records an Exercise as a dry run that never reaches the simulator', async () => {
    const headline = 'Übung: Bombenfund in der Neustadt';
    const response = await postAlert(
      variant(fixture('dresden-bombenfund-evakuierung.xml'), {
        identifier: 'DE-SN-DD-FW-UEBUNG-1',
        status: 'Exercise',
        headline,
      }),
    );
    expect(response.status).toBe(202);
    const [message] = response.json.messages;
    expect(message.dryRun).toMatch(/Exercise/);
    for (const delivery of message.deliveries) expect(delivery.state).toBe('SKIPPED');
    const view = (await api(`/messages/${message.id}`)).json;
    expect(view.dryRun).toMatch(/Exercise/);
    expect(view.open).toEqual([]);
    expect(view.deliveries.find((delivery: DeliveryView) => delivery.platform === 'mastodon').reason).toMatch(
      /CAP status Exercise/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await simPosts()).filter((post) => post.text.includes(headline))).toEqual([]);
  });

  it('publishes an Update whose original Herold never carried as an alert of its own, marked "Aktualisierung"', async () => {
    // Herold may start, or a channel join, after the original went out: the update is still news.
    const xml = fixture('dresden-bombenfund-update.xml')
      .replace(/<identifier>[^<]*<\/identifier>/, '<identifier>DE-SN-DD-FW-UNKNOWN-UPDATE</identifier>')
      .replace(
        /DE-SN-DD-FW-20250108-001,2025-01-08T09:30:00\+01:00/,
        'DE-SN-DD-FW-NEVER-SEEN,2025-01-07T09:30:00+01:00',
      );
    const response = await postAlert(xml);
    expect(response.status).toBe(202);
    const [message] = response.json.messages;
    expect(message).toMatchObject({ kind: 'update' });
    expect(message.replyTo).toBeUndefined();
    const settled = await waitForMessage(message.id, publishedOn(['mastodon']));
    expect(settled.text).toMatch(/^Aktualisierung: Bombenfund an der Carolabrücke/);
  });
});

describe('refused documents', () => {
  async function messageCount(): Promise<number> {
    return (await api('/messages?limit=100')).json.items.length;
  }

  it.each(['bad-doctype-external-entity.xml', 'bad-billion-laughs.xml'])(
    'refuses %s with 400 and writes nothing',
    async (name) => {
      const before = await messageCount();
      const auditBefore = await rejectedDocuments();
      const response = await postAlert(fixture(name));
      expect(response.status).toBe(400);
      expect(response.json.detail).toMatch(/DTDs and entities are not accepted/);
      expect(await messageCount()).toBe(before);
      expect(await rejectedDocuments()).toHaveLength(auditBefore.length);
    },
  );

  it('keeps a well-formed document it refused in the audit trail, gzipped', async () => {
    const response = await postAlert(fixture('bad-cap11-namespace.xml'));
    expect(response.status).toBe(422);
    expect(response.json.errors[0].message).toMatch(/CAP 1\.1/);
    const rejected = await rejectedDocuments();
    expect(rejected.at(0)?.after.document.encoding).toBe('gzip+base64');
  });

  it('answers 415 for a body that is not XML, and 403 without the emergency role', async () => {
    expect(
      (await postAlert(fixture('oasis-a2-severe-thunderstorm-warning.xml'), tokens.sender, 'text/plain')).status,
    ).toBe(415);
    expect((await postAlert(fixture('oasis-a2-severe-thunderstorm-warning.xml'), tokens.editor)).status).toBe(403);
  });

  async function rejectedDocuments(): Promise<{ action: string; after: { document: { encoding?: string } } }[]> {
    const today = new Date().toISOString().slice(0, 10);
    const { json } = await api(`/audit?from=${today}&to=${today}`, { token: tokens.admin });
    return json.items.filter((entry: { action: string }) => entry.action === 'alert.reject');
  }
});

describe('the two-person rule', () => {
  it('holds a live emergency alert until a different emergency user approves it', async () => {
    await setPolicy({ singlePersonSeverities: [], languages: ['de-DE'] });
    const response = await postAlert(fixture('oasis-a1-homeland-security-advisory.xml'));
    expect(response.status).toBe(202);
    const [message] = response.json.messages;
    const waiting = message.deliveries.filter((delivery: DeliveryView) => delivery.state === 'AWAITING_APPROVAL');
    expect(waiting.map((delivery: DeliveryView) => delivery.platform)).toEqual(
      expect.arrayContaining(['mastodon', 'telegram', 'whatsapp']),
    );
    const view = (await api(`/messages/${message.id}`)).json;
    expect(view.approval).toEqual({ required: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await simPosts()).filter((post) => post.text.includes('Homeland Security'))).toEqual([]);

    expect((await api(`/messages/${message.id}/approve`, { method: 'POST', token: tokens.sender })).status).toBe(403);
    expect((await api(`/messages/${message.id}/approve`, { method: 'POST', token: tokens.editor })).status).toBe(403);
    expect((await api(`/messages/${message.id}/approve`, { method: 'POST', token: tokens.fireBrigade })).status).toBe(
      404,
    );
    const approved = await api(`/messages/${message.id}/approve`, { method: 'POST', token: tokens.approver });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ approvedBy: 'frieda' });
    expect(byPlatform(approved.json.deliveries).whatsapp.state).toBe('HANDOFF');
    expect((await api(`/messages/${message.id}/approve`, { method: 'POST', token: tokens.approver })).status).toBe(409);

    const settled = await waitForMessage(message.id, publishedOn(['mastodon', 'telegram']));
    expect(settled.approval).toMatchObject({ required: true, approvedBy: 'frieda' });
    const today = new Date().toISOString().slice(0, 10);
    const audit = (await api(`/audit?from=${today}&to=${today}`, { token: tokens.admin })).json.items;
    expect(
      audit.find(
        (entry: { action: string; target: string }) =>
          entry.action === 'message.approve' && entry.target === `message/${message.id}`,
      ),
    ).toMatchObject({ actor: 'frieda', after: { approvedBy: 'frieda', sender: 'erik' } });
  });

  it('lets one person send an API emergency message of a severity the policy allows, and holds the others', async () => {
    await setPolicy({ singlePersonSeverities: ['Extreme'] });
    const extreme = await api('/messages', {
      body: {
        text: 'Großbrand im Hafen: Fenster und Türen schließen.',
        priority: 'emergency',
        severity: 'Extreme',
        channels: ['city-mastodon'],
      },
    });
    expect(extreme.status).toBe(202);
    expect(extreme.json.deliveries[0].state).toBe('QUEUED');
    const unknown = await api('/messages', {
      body: { text: 'Gasgeruch in der Altstadt.', priority: 'emergency', channels: ['city-mastodon'] },
    });
    expect(unknown.json.deliveries[0].state).toBe('AWAITING_APPROVAL');
    await endCrisisHold();
    const routine = await api('/messages', { body: { text: 'Kein Notfall.', channels: ['city-mastodon'] } });
    expect(routine.json.deliveries[0].state).toBe('QUEUED');
    expect((await api(`/messages/${routine.json.id}/approve`, { method: 'POST', token: tokens.approver })).status).toBe(
      409,
    );
  });
});

describe('the two-person rule and scheduled emergencies', () => {
  it('keeps an approved scheduled emergency message waiting for its time', async () => {
    await setPolicy({ singlePersonSeverities: [] });
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await api('/messages', {
      body: {
        text: 'Sirenenprobealarm um 11 Uhr.',
        priority: 'emergency',
        severity: 'Minor',
        channels: ['city-mastodon', 'city-telegram'],
        scheduledAt,
      },
    });
    expect(created.status).toBe(202);
    expect(created.json.state).toBe('SCHEDULED');
    expect(created.json.deliveries.map((delivery: DeliveryView) => delivery.state)).toEqual([
      'AWAITING_APPROVAL',
      'AWAITING_APPROVAL',
    ]);
    const approved = await api(`/messages/${created.json.id}/approve`, { method: 'POST', token: tokens.approver });
    expect(approved.status).toBe(200);
    expect(approved.json.deliveries.map((delivery: DeliveryView) => delivery.state)).toEqual([
      'SCHEDULED',
      'SCHEDULED',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await simPosts()).filter((post) => post.text.includes('Sirenenprobealarm'))).toEqual([]);
  });
});

describe('corrections', () => {
  it('answers the alert with the German correction template, in its thread', async () => {
    const alert = await postAlert(
      variant(fixture('oasis-a2-severe-thunderstorm-warning.xml'), {
        identifier: 'KSTO-CORRECTION-1',
        headline: 'Unwetterwarnung Dresden',
      }),
    );
    const original = await waitForMessage(alert.json.messages[0].id, publishedOn(['mastodon']));
    expect(original.correctionTemplate).toMatch(/^Korrektur: Die Meldung „Unwetterwarnung Dresden“/);
    const correction = await api(`/messages/${original.id}/correct`, { method: 'POST', body: {} });
    expect(correction.status).toBe(202);
    expect(correction.json.text).toBe(original.correctionTemplate);
    const settled = await waitForMessage(correction.json.id, publishedOn(['mastodon']));
    expect(settled).toMatchObject({ kind: 'update', replyTo: original.id, priority: 'emergency' });
    const post = (await simPosts()).find(
      (candidate) =>
        candidate.platform === 'mastodon' && candidate.id === byPlatform(settled.deliveries).mastodon.remoteId,
    );
    expect(post?.replyTo).toBe(byPlatform(original.deliveries).mastodon.remoteId);
    const today = new Date().toISOString().slice(0, 10);
    const audit = (await api(`/audit?from=${today}&to=${today}`, { token: tokens.admin })).json.items;
    expect(
      audit.some(
        (entry: { action: string; target: string }) =>
          entry.action === 'message.correct' && entry.target === `message/${original.id}`,
      ),
    ).toBe(true);
  });
});

describe('the NINA feed', () => {
  it('turns a new warning and its all-clear into a threaded alert and all-clear, naming the source, once', async () => {
    await setPolicy({ singlePersonSeverities: ALL_SEVERITIES, languages: ['de-DE'], ninaArs: '146120000000' });
    const warning = stack.nina.publish({
      headline: 'Gefahrstoffaustritt in Dresden-Friedrichstadt',
      description: 'Fenster und Türen geschlossen halten.',
      severity: 'Severe',
      urgency: 'Immediate',
    });
    const runFeed = () => fetch(`${stack.apiUrl}/_local/schedules/alerts-feed/run`, { method: 'POST' });
    await runFeed();
    const list = async () =>
      (await api('/messages?limit=100')).json.items as { id: string; text: string; kind: string; replyTo?: string }[];
    const alert = (await list()).find((message) => message.text.startsWith('Gefahrstoffaustritt'));
    expect(alert?.text).toContain('Quelle: NINA / Landeshauptstadt Dresden - Feuerwehr');
    await waitForMessage(alert!.id, publishedOn(['mastodon']));
    await runFeed();
    expect((await list()).filter((message) => message.text.startsWith('Gefahrstoffaustritt'))).toHaveLength(1);

    stack.nina.update(warning.identifier as string, { headline: 'Gefahrstoffaustritt: Gefahrenbereich erweitert' });
    await runFeed();
    const update = (await list()).find((message) =>
      message.text.startsWith('Gefahrstoffaustritt: Gefahrenbereich erweitert'),
    );
    expect(update).toMatchObject({ kind: 'update', replyTo: alert!.id });

    stack.nina.cancel(warning.identifier as string);
    await runFeed();
    const allClear = (await list()).find((message) => message.kind === 'all-clear' && message.replyTo === update!.id);
    expect(allClear?.text).toContain('Quelle: NINA');
  });
});

describe('the emergency reserve', () => {
  it('publishes an alert on a channel whose routine budget is used up, while a routine post waits', async () => {
    const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
    const quota = { limit: 10, windowSeconds: 86_400, note: 'test' };
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: 'CHANNEL#city-bluesky', SK: 'CHANNEL' },
        UpdateExpression: 'SET quota = :quota',
        ExpressionAttributeValues: { ':quota': quota },
      }),
    );
    const windowMs = quota.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(Date.now() / windowMs) * windowMs).toISOString();
    // 8 of 10 used: the routine ceiling (limit − 20 % reserve); the last 2 are for emergencies.
    await doc.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          PK: 'QUOTA#city-bluesky',
          SK: windowStart,
          used: 8,
          limit: 10,
          expiresAt: Math.floor(Date.now() / 1000) + 172_800,
        },
      }),
    );

    await endCrisisHold();
    const routine = await api('/messages', {
      body: { text: 'Routine: Öffnungszeiten des Bürgerbüros', channels: ['city-bluesky'] },
    });
    await waitForMessage(routine.json.id, (deliveries) => deliveries[0]?.state === 'RETRYING');
    expect((await api(`/messages/${routine.json.id}`)).json.deliveries[0]).toMatchObject({
      state: 'RETRYING',
      waitingFor: 'quota',
    });

    const alert = await api('/messages', {
      body: {
        text: 'Warnung: Hochwasser an der Elbe, Pegel steigt.',
        priority: 'emergency',
        severity: 'Severe',
        channels: ['city-bluesky'],
      },
    });
    await waitForMessage(alert.json.id, publishedOn(['bluesky']));
  });
});

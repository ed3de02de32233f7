/**
 * What the emergency console calls, through the API of the local stack: the alert form as JSON,
 * templates, the preview before sending, the two-person rule with rejection, prefilled updates and
 * all-clears threaded under the running alert, why a channel is late, updates and cancels of alerts
 * Herold never saw (public CAP samples and the NINA poller), warnings that vanish from NINA, and
 * the release of every held message at once.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { seedAlertPolicies, setAlertPolicies, type AlertPolicies } from '../../local/organisations';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const tokens = { sender: '', approver: '', editor: '', admin: '', fire: '', fireAdmin: '' };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/cap/${name}`, import.meta.url), 'utf8');

/** The city needs a second person for everything; the fire brigade may send Extreme alerts alone. */
const POLICY: AlertPolicies = {
  ...seedAlertPolicies(),
  city: {
    singlePersonSeverities: [],
    languages: ['de-DE'],
    sender: 'presseamt@dresden.de',
    senderName: 'Stadt Dresden',
  },
};

beforeAll(async () => {
  stack = await startIsolatedStack('console', {
    alertsFeedIntervalMs: 3_600_000,
  });
  tokens.sender = await signToken({ sub: 'erik', org: 'city', roles: ['editor', 'emergency'] });
  tokens.approver = await signToken({ sub: 'frieda', org: 'city', roles: ['emergency'] });
  tokens.editor = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
  tokens.admin = await signToken({ sub: 'bernd', org: 'city', roles: ['editor', 'admin'] });
  tokens.fire = await signToken({ sub: 'gustav', org: 'fire-brigade', roles: ['editor', 'emergency'] });
  tokens.fireAdmin = await signToken({ sub: 'hanna', org: 'fire-brigade', roles: ['admin'] });
}, 120_000);
afterAll(async () => stack?.stop());
beforeEach(() => setAlertPolicies(stack, POLICY));

async function api(
  path: string,
  token: string,
  options: { method?: string; body?: unknown; contentType?: string } = {},
): Promise<{ status: number; type: string | null; json: ReturnType<typeof JSON.parse> }> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
    },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    json: text ? JSON.parse(text) : undefined,
  };
}

interface DeliveryView {
  channelId: string;
  platform: string;
  state: string;
  reason?: string;
  remoteId?: string;
  notPublishedBecause?: { code: string; detail: string };
}

async function waitFor(id: string, token: string, done: (deliveries: DeliveryView[]) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api(`/messages/${id}`, token);
    if (done(json.deliveries)) return json;
    if (Date.now() > deadline) throw new Error(`message ${id}: ${JSON.stringify(json.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const on = (deliveries: DeliveryView[], platform: string) =>
  deliveries.find((delivery) => delivery.platform === platform) ?? expect.fail(`no ${platform} delivery`);
const published = (platforms: string[]) => (deliveries: DeliveryView[]) =>
  platforms.every((platform) => on(deliveries, platform).state === 'PUBLISHED');

async function simPosts(): Promise<{ platform: string; id: string; text: string; replyTo?: string }[]> {
  return (await (await fetch(`${stack.simulatorUrl}/_sim/posts`)).json()) as never;
}

const today = () => new Date().toISOString().slice(0, 10);
const audit = async (action: string, token = tokens.admin) =>
  (
    (await api(`/audit?from=${today()}&to=${today()}`, token)).json.items as {
      action: string;
      target: string;
      actor: string;
      after?: Record<string, unknown>;
    }[]
  ).filter((entry) => entry.action === action);

const endHold = async (token = tokens.admin, org = 'city') =>
  expect((await api(`/organisations/${org}/hold`, token, { method: 'PUT', body: { active: false } })).status).toBe(200);

const cityForm = (identifier: string, overrides: Record<string, unknown> = {}) => ({
  identifier,
  status: 'Actual',
  category: ['Met'],
  severity: 'Severe',
  urgency: 'Immediate',
  certainty: 'Observed',
  texts: {
    'de-DE': {
      event: 'Unwetter',
      headline: `Unwetter über Dresden (${identifier})`,
      description: 'Schwere Sturmböen bis 100 km/h.',
      instruction: 'Bleiben Sie in Gebäuden.',
      area: 'Stadtgebiet Dresden',
    },
  },
  ...overrides,
});

describe('the alert form on POST /alerts', () => {
  it('becomes the same CAP alert as XML: sender from the policy, idempotent on the identifier, a changed resend refused', async () => {
    const form = cityForm('CITY-FORM-1');
    const first = await api('/alerts', tokens.sender, { body: form });
    expect(first.status).toBe(202);
    expect(first.json.alert).toMatchObject({
      identifier: 'CITY-FORM-1',
      sender: 'presseamt@dresden.de',
      status: 'Actual',
      msgType: 'Alert',
    });
    const [message] = first.json.messages;
    expect(message).toMatchObject({ kind: 'alert', priority: 'emergency', language: 'de-DE' });
    const view = (await api(`/messages/${message.id}`, tokens.sender)).json;
    expect(view.cap).toMatchObject({
      identifier: 'CITY-FORM-1',
      sender: 'presseamt@dresden.de',
      headline: 'Unwetter über Dresden (CITY-FORM-1)',
    });
    expect(view.text).toBe(
      'Unwetter über Dresden (CITY-FORM-1)\n\nSchwere Sturmböen bis 100 km/h.\n\nBleiben Sie in Gebäuden.',
    );

    const again = await api('/alerts', tokens.sender, { body: form });
    expect(again.status).toBe(202);
    expect(again.json.messages[0].id).toBe(message.id);
    const changed = await api('/alerts', tokens.sender, { body: { ...form, severity: 'Extreme' } });
    expect(changed.status).toBe(422);
    expect(changed.type).toBe('application/problem+json');
  });

  it('refuses a form without the required CAP fields, in a language the organisation does not publish, or with a placeholder left', async () => {
    const missing = await api('/alerts', tokens.sender, {
      body: {
        identifier: 'CITY-FORM-BAD',
        status: 'Actual',
        category: [],
        severity: 'Severe',
        urgency: 'Immediate',
        texts: { 'de-DE': { headline: 'x' } },
      },
    });
    expect(missing.status).toBe(422);
    expect(missing.type).toBe('application/problem+json');
    expect(missing.json.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['certainty', 'category', 'texts.de-DE.event']),
    );
    const english = await api('/alerts', tokens.sender, {
      body: cityForm('CITY-FORM-EN', { texts: { en: { event: 'Storm', headline: 'Storm' } } }),
    });
    expect(english.status).toBe(422);
    expect(english.json.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'texts.de-DE' }),
        expect.objectContaining({ field: 'texts.en' }),
      ]),
    );
    const placeholder = await api('/alerts', tokens.sender, {
      body: cityForm('CITY-FORM-PH', {
        texts: { 'de-DE': { event: 'Unwetter', headline: 'Unwetter in [Stadtteil]' } },
      }),
    });
    expect(placeholder.status).toBe(422);
    expect(placeholder.json.errors[0]).toEqual({
      field: 'texts.de-DE.headline',
      message: 'fill in the placeholder [Stadtteil]',
    });
    expect((await api('/alerts', tokens.editor, { body: cityForm('CITY-FORM-ED') })).status).toBe(403);
  });

  it('previews a form without writing anything: each channel, the card, and ÜBUNG on every rendering of an exercise', async () => {
    const before = (await api('/messages?limit=100', tokens.sender)).json.items.length;
    const preview = await api('/alerts?dryRun=true', tokens.sender, {
      body: cityForm('CITY-PREVIEW', { status: 'Exercise' }),
    });
    expect(preview.status).toBe(200);
    const [message] = preview.json.messages;
    expect(message.text).toMatch(/^\+\+\+ ÜBUNG \+\+\+ Unwetter/);
    expect(message.dryRun).toMatch(/Exercise/);
    for (const delivery of message.deliveries) {
      expect(delivery.state).toBe('SKIPPED');
      if (delivery.text) expect(delivery.text).toContain('ÜBUNG');
    }
    const instagram = message.deliveries.find((delivery: { platform: string }) => delivery.platform === 'instagram');
    expect(instagram.card).toMatchObject({
      width: 1080,
      height: 1350,
      mime: 'image/jpeg',
      altText: expect.stringMatching(/^ÜBUNG: /),
    });
    expect((await api('/messages?limit=100', tokens.sender)).json.items.length).toBe(before);
  });
});

describe('templates', () => {
  it('are seeded once with the defaults, listed by any member, and changed only by an admin, audited', async () => {
    const listed = await api('/alert-templates', tokens.editor);
    expect(listed.status).toBe(200);
    expect(listed.json.languages).toEqual(['de-DE']);
    expect(listed.json.items.map((template: { name: string }) => template.name)).toEqual([
      'Bombenfund – Evakuierung',
      'Entwarnung',
      'Trinkwasser',
      'Unwetter',
    ]);
    expect(listed.json.items.every((template: { missing: string[] }) => template.missing.length === 0)).toBe(true);

    expect((await api('/alert-templates', tokens.editor, { body: { name: 'Hochwasser', texts: {} } })).status).toBe(
      403,
    );
    const bad = await api('/alert-templates', tokens.admin, { body: { name: '', severity: 'Heavy', texts: {} } });
    expect(bad.status).toBe(422);
    expect(bad.type).toBe('application/problem+json');
    expect(bad.json.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['name', 'severity']),
    );

    const created = await api('/alert-templates', tokens.admin, {
      body: {
        name: 'Hochwasser',
        category: ['Met'],
        severity: 'Severe',
        texts: { 'de-DE': { headline: 'Hochwasser an der Elbe' } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.missing).toEqual(['urgency', 'certainty', 'texts.de-DE.event']);
    const updated = await api(`/alert-templates/${created.json.id}`, tokens.admin, {
      method: 'PUT',
      body: {
        name: 'Hochwasser Elbe',
        category: ['Met'],
        texts: { 'de-DE': { headline: 'Hochwasser an der Elbe', event: 'Hochwasser' } },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.name).toBe('Hochwasser Elbe');
    expect((await api(`/alert-templates/${created.json.id}`, tokens.admin, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/alert-templates/${created.json.id}`, tokens.admin, { method: 'DELETE' })).status).toBe(404);
    const actions = (await audit('alert-template.create')).concat(
      await audit('alert-template.update'),
      await audit('alert-template.delete'),
    );
    expect(actions.map((entry) => entry.actor)).toEqual(['bernd', 'bernd', 'bernd']);
    expect((await audit('alert-template.seed')).length).toBe(1);
  });

  it('a template with a missing required field cannot be sent: the form built from it is refused, naming the field', async () => {
    const created = await api('/alert-templates', tokens.admin, {
      body: {
        name: 'Entwurf',
        category: ['Safety'],
        severity: 'Severe',
        urgency: 'Immediate',
        certainty: 'Likely',
        texts: { 'de-DE': { headline: 'Gefahr im Verzug' } },
      },
    });
    expect(created.json.missing).toEqual(['texts.de-DE.event']);
    const {
      name: _name,
      id: _id,
      org: _org,
      updatedAt: _at,
      updatedBy: _by,
      missing: _missing,
      ...fields
    } = created.json;
    const sent = await api('/alerts', tokens.sender, {
      body: { ...fields, identifier: 'CITY-FROM-DRAFT', status: 'Actual' },
    });
    expect(sent.status).toBe(422);
    expect(sent.json.errors).toEqual([expect.objectContaining({ field: 'texts.de-DE.event' })]);
  });
});

describe('the two-person rule, with rejection', () => {
  it('waits for approval with the reason on the board; the second person rejects it with a reason and nothing is published', async () => {
    await endHold();
    const created = await api('/alerts', tokens.sender, { body: cityForm('CITY-REJECT-1') });
    const [message] = created.json.messages;
    const waiting = (await api(`/messages/${message.id}`, tokens.approver)).json;
    expect(waiting.status).toBe('awaiting-approval');
    expect(Date.parse(waiting.asOf) - Date.parse(waiting.createdAt)).toBeGreaterThanOrEqual(0);
    expect(on(waiting.deliveries, 'mastodon').notPublishedBecause).toMatchObject({ code: 'approval' });

    expect((await api(`/messages/${message.id}/reject`, tokens.editor, { body: { reason: 'falsch' } })).status).toBe(
      403,
    );
    expect((await api(`/messages/${message.id}/reject`, tokens.approver, { body: { reason: ' ' } })).status).toBe(422);
    const rejected = await api(`/messages/${message.id}/reject`, tokens.approver, {
      body: { reason: 'Die Warnung betrifft Radebeul, nicht Dresden.' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ state: 'REJECTED', rejectedBy: 'frieda' });
    expect((await api(`/messages/${message.id}/approve`, tokens.approver, { method: 'POST' })).status).toBe(409);
    expect((await api(`/messages/${message.id}/reject`, tokens.approver, { body: { reason: 'nochmal' } })).status).toBe(
      409,
    );

    const view = (await api(`/messages/${message.id}`, tokens.sender)).json;
    expect(view).toMatchObject({ state: 'REJECTED', status: 'rejected', approval: { rejectedBy: 'frieda' } });
    for (const delivery of view.deliveries) {
      if (delivery.platform === 'youtube' || delivery.platform === 'x') continue;
      expect(delivery.state).toBe('REJECTED');
      expect(delivery.notPublishedBecause).toMatchObject({ code: 'rejected' });
    }
    const [entry] = (await audit('message.reject')).filter((candidate) => candidate.target === `message/${message.id}`);
    expect(entry).toMatchObject({
      actor: 'frieda',
      after: { sender: 'erik', reason: 'Die Warnung betrifft Radebeul, nicht Dresden.' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await simPosts()).some((post) => post.text.includes('CITY-REJECT-1'))).toBe(false);
    const hold = (await api('/organisations/city/hold', tokens.admin, { method: 'PUT', body: { active: false } })).json;
    expect(hold.emergencies).toEqual([]);
  });

  it('refuses self-approval, and two people approving at the same moment publish once', async () => {
    const created = await api('/alerts', tokens.sender, { body: cityForm('CITY-RACE-1') });
    const [message] = created.json.messages;
    expect((await api(`/messages/${message.id}/approve`, tokens.sender, { method: 'POST' })).status).toBe(403);
    const secondApprover = await signToken({ sub: 'greta', org: 'city', roles: ['emergency'] });
    const answers = await Promise.all([
      api(`/messages/${message.id}/approve`, tokens.approver, { method: 'POST' }),
      api(`/messages/${message.id}/approve`, secondApprover, { method: 'POST' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    await waitFor(message.id, tokens.sender, published(['mastodon', 'telegram', 'threads']));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const posts = (await simPosts()).filter((post) => post.text.includes('CITY-RACE-1'));
    for (const platform of ['mastodon', 'telegram', 'threads'])
      expect(
        posts.filter((post) => post.platform === platform),
        platform,
      ).toHaveLength(1);
    await endHold();
  });
});

describe('updates and all-clears written from the running alert', () => {
  it('prefills the update and the all-clear, threaded under the alert on the reply platforms', async () => {
    const alert = await api('/alerts', tokens.fire, {
      body: {
        identifier: 'FW-THREAD-1',
        status: 'Actual',
        category: ['Safety'],
        severity: 'Extreme',
        urgency: 'Immediate',
        certainty: 'Observed',
        responseType: ['Evacuate'],
        texts: {
          'de-DE': { event: 'Kampfmittelfund', headline: 'Bombenfund Pieschen', instruction: 'Gebiet verlassen.' },
          en: { event: 'Unexploded ordnance', headline: 'Bomb found in Pieschen', instruction: 'Leave the area.' },
        },
      },
    });
    expect(alert.status).toBe(202);
    const original = await waitFor(alert.json.messages[0].id, tokens.fire, published(['threads', 'facebook']));

    const updateForm = await api(`/messages/${original.id}/alert-form?kind=update`, tokens.fire);
    expect(updateForm.status).toBe(200);
    expect(updateForm.json.form).toMatchObject({
      msgType: 'Update',
      status: 'Actual',
      references: [{ sender: 'leitstelle@feuerwehr.dresden.de', identifier: 'FW-THREAD-1' }],
      texts: { 'de-DE': { headline: 'Bombenfund Pieschen' }, en: { headline: 'Bomb found in Pieschen' } },
    });
    const form = updateForm.json.form;
    form.texts['de-DE'].headline = 'Bombenfund Pieschen: Sperrkreis erweitert';
    const update = await api('/alerts', tokens.fire, { body: form });
    expect(update.status).toBe(202);
    expect(update.json.messages[0]).toMatchObject({ kind: 'update', replyTo: original.id });
    const updated = await waitFor(update.json.messages[0].id, tokens.fire, published(['threads']));

    const allClearForm = (await api(`/messages/${updated.id}/alert-form?kind=all-clear`, tokens.fire)).json.form;
    expect(allClearForm).toMatchObject({
      msgType: 'Cancel',
      responseType: ['AllClear'],
      severity: 'Minor',
      urgency: 'Past',
    });
    expect(allClearForm.texts['de-DE'].headline).toBe('Entwarnung: Bombenfund Pieschen: Sperrkreis erweitert');
    const allClear = await api('/alerts', tokens.fire, { body: allClearForm });
    expect(allClear.status).toBe(202);
    expect(allClear.json.messages[0]).toMatchObject({ kind: 'all-clear', replyTo: updated.id });
    const cleared = await waitFor(allClear.json.messages[0].id, tokens.fire, published(['threads']));

    const posts = await simPosts();
    const threads = (message: { deliveries: DeliveryView[] }) => on(message.deliveries, 'threads').remoteId;
    expect(posts.find((post) => post.platform === 'threads' && post.id === threads(updated))?.replyTo).toBe(
      threads(original),
    );
    expect(posts.find((post) => post.platform === 'threads' && post.id === threads(cleared))?.replyTo).toBe(
      threads(updated),
    );
    expect((await api(`/messages/${original.id}/alert-form?kind=later`, tokens.fire)).status).toBe(422);
    expect((await api(`/messages/${original.id}/alert-form?kind=update`, tokens.sender)).status).toBe(404);
  });
});

describe('updates and cancels of alerts Herold never saw', () => {
  it('publishes the OASIS A.3 earthquake Update as an alert of its own, marked as an update', async () => {
    await setAlertPolicies(stack, {
      ...POLICY,
      city: { ...POLICY.city, singlePersonSeverities: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] },
    });
    const response = await api('/alerts', tokens.sender, {
      body: fixture('oasis-a3-earthquake-update.xml'),
      contentType: 'application/cap+xml',
    });
    expect(response.status).toBe(202);
    const [message] = response.json.messages;
    expect(message.kind).toBe('update');
    expect(message.replyTo).toBeUndefined();
    const settled = await waitFor(message.id, tokens.sender, published(['mastodon']));
    expect(settled.text).toMatch(/^Update: EQ 3\.4 Imperial County CA/);
    expect(settled.cap).toMatchObject({ msgType: 'Update', originalUnknown: true });
    await endHold();
  });

  it('publishes an Environment Canada special weather statement Update (a real CAP-CP message) on its own, in its first language', async () => {
    await setAlertPolicies(stack, {
      ...POLICY,
      city: { ...POLICY.city, singlePersonSeverities: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] },
    });
    const response = await api('/alerts', tokens.sender, {
      body: fixture('environment-canada-special-weather-statement-update.xml'),
      contentType: 'application/cap+xml',
    });
    expect(response.status).toBe(202);
    const [message] = response.json.messages;
    expect(message).toMatchObject({ kind: 'update', language: 'en-CA', priority: 'normal' });
    const settled = await waitFor(message.id, tokens.sender, published(['mastodon']));
    expect(settled.text).toMatch(/^Update: special weather statement in effect/);
  });

  it('acknowledges the IPAWS-style Cancel of an unknown alert with 2xx, records it, and posts nothing', async () => {
    const response = await api('/alerts', tokens.sender, {
      body: fixture('ipaws-style-cancel-signed.xml'),
      contentType: 'application/cap+xml',
    });
    expect(response.status).toBe(202);
    expect(response.json.acknowledged).toMatch(/never carried/);
    const [message] = response.json.messages;
    const view = (await api(`/messages/${message.id}`, tokens.sender)).json;
    expect(view.dryRun).toMatch(/acknowledged and recorded, nothing published/);
    expect(view.deliveries.every((delivery: DeliveryView) => delivery.state === 'SKIPPED')).toBe(true);
    const again = await api('/alerts', tokens.sender, {
      body: fixture('ipaws-style-cancel-signed.xml'),
      contentType: 'application/cap+xml',
    });
    expect(again.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await simPosts()).some((post) => post.text.includes('Civil Emergency'))).toBe(false);
  });

  it('through the NINA poller: an update whose original the feed never carried is published; a warning that vanishes is listed, and its all-clear is threaded under it', async () => {
    const fireFeed = async () => fetch(`${stack.apiUrl}/_local/schedules/alerts-feed/run`, { method: 'POST' });
    // The feed starts with a warning already in its second version: Herold never saw the first.
    const warning = stack.nina.publish({
      headline: 'Großbrand Friedrichstadt',
      description: 'Rauchentwicklung.',
      severity: 'Severe',
      urgency: 'Immediate',
    });
    stack.nina.update(warning.identifier as string, {
      headline: 'Großbrand Friedrichstadt: Rauchwolke zieht nach Osten',
    });
    await fireFeed();
    const list = async () =>
      (await api('/messages?limit=100', tokens.fire)).json.items as {
        id: string;
        text: string;
        kind: string;
        replyTo?: string;
      }[];
    const update = (await list()).find((message) => message.text.includes('Rauchwolke zieht nach Osten'));
    expect(update).toMatchObject({ kind: 'update' });
    expect(update?.text).toMatch(/^Aktualisierung: Großbrand Friedrichstadt/);

    // It expires: gone from the dashboard without a Cancel.
    stack.nina.remove(warning.identifier as string);
    await fireFeed();
    const vanished = await api('/alerts/vanished', tokens.fire);
    expect(vanished.status).toBe(200);
    const [item] = vanished.json.items;
    expect(item).toMatchObject({
      open: true,
      messageId: update?.id,
      headline: expect.stringContaining('Großbrand Friedrichstadt'),
    });
    expect((await list()).some((message) => message.replyTo === update?.id)).toBe(false);

    const form = (await api(item.allClearForm, tokens.fire)).json.form;
    const allClear = await api('/alerts', tokens.fire, { body: form });
    expect(allClear.status).toBe(202);
    expect(allClear.json.messages[0]).toMatchObject({ kind: 'all-clear', replyTo: update?.id });
    const closed = (await api('/alerts/vanished', tokens.fire)).json.items[0];
    expect(closed).toMatchObject({ open: false, allClear: { messageId: allClear.json.messages[0].id } });
  });

  it('through the NINA poller: the Cancel of a warning the feed never carried is acknowledged and recorded, not refused, and posts nothing', async () => {
    const warning = stack.nina.publish({
      headline: 'Gasaustritt Johannstadt',
      description: 'Fenster schließen.',
      severity: 'Severe',
      urgency: 'Immediate',
    });
    stack.nina.cancel(warning.identifier as string);
    await fetch(`${stack.apiUrl}/_local/schedules/alerts-feed/run`, { method: 'POST' });
    const items = (await api('/messages?limit=100', tokens.fire)).json.items as {
      id: string;
      text: string;
      dryRun?: string;
    }[];
    const recorded = items.find((message) => message.text.includes('Gasaustritt Johannstadt'));
    expect(recorded?.dryRun).toMatch(/never carried: acknowledged and recorded, nothing published/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await simPosts()).some((post) => post.text.includes('Gasaustritt Johannstadt'))).toBe(false);
  });
});

describe('channels for the confirmation', () => {
  it('lists each channel with its latest follower figure', async () => {
    await fetch(`${stack.apiUrl}/_local/schedules/collect-followers/run`, { method: 'POST' });
    const deadline = Date.now() + 20_000;
    let channels: { id: string; followers?: { count: number; date: string } }[] = [];
    while (Date.now() < deadline) {
      channels = (await api('/channels', tokens.fire)).json.items;
      if (channels.some((channel) => channel.id === 'fire-brigade-instagram' && channel.followers)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const instagram = channels.find((channel) => channel.id === 'fire-brigade-instagram');
    expect(instagram?.followers).toEqual({
      count: expect.any(Number),
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });
});

describe('the crisis hold', () => {
  it('releases every held message of the organisation in one request, each release audited', async () => {
    expect(
      (
        await api('/organisations/city/hold', tokens.admin, {
          method: 'PUT',
          body: { active: true, reason: 'Übung Lage' },
        })
      ).status,
    ).toBe(200);
    const held = await Promise.all(
      ['Stadtfest verschoben.', 'Bibliothek öffnet später.'].map((text) =>
        api('/messages', tokens.editor, { body: { text, channels: ['city-mastodon'] } }),
      ),
    );
    for (const response of held) expect(response.json.state).toBe('HELD');
    expect(
      (await api('/organisations/fire-brigade/held-messages/release', tokens.editor, { method: 'POST' })).status,
    ).toBe(403);
    const released = await api('/organisations/city/held-messages/release', tokens.editor, { method: 'POST' });
    expect(released.status).toBe(200);
    expect(released.json.released).toEqual(expect.arrayContaining(held.map((response) => response.json.id)));
    for (const response of held) await waitFor(response.json.id, tokens.editor, published(['mastodon']));
    const entries = (await audit('message.release')).filter((entry) => entry.after?.releasedWithAll);
    expect(entries.map((entry) => entry.target)).toEqual(
      expect.arrayContaining(held.map((response) => `message/${response.json.id}`)),
    );
    expect((await api('/messages?state=HELD', tokens.editor)).json.items).toEqual([]);
    await endHold();
  });
});

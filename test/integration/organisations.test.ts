/**
 * The organisations as items in the table, end to end in the local stack: an administrator reads
 * and replaces their own organisation and its emergency policy through the API (versioned, audited,
 * refused for anyone else), the alert gate follows an edited policy at once, a token of an
 * organisation without an item gets nothing, and 500+ organisations list page by page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import { localDynamoDocumentClient } from '../../local/aws';
import type { LocalStack } from '../../local/start';
import { OrgAlertPolicySchema } from '../../shared/alerts/policy';
import { importOrganisations } from '../../shared/organisations/import';
import { listOrganisations, queryOrganisations } from '../../shared/organisations/organisations';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const tokens = { cityAdmin: '', cityEditor: '', fireAdmin: '', stranger: '' };

beforeAll(async () => {
  stack = await startIsolatedStack('orgs', {
    alertsFeedIntervalMs: 3_600_000,
    // the city starts strict: every live emergency message needs a second person
    alertPolicies: { city: { singlePersonSeverities: [] }, 'fire-brigade': { singlePersonSeverities: ['Extreme'] } },
  });
  tokens.cityAdmin = await signToken({ sub: 'bernd', org: 'city', roles: ['editor', 'admin'], name: 'Bernd Admin' });
  tokens.cityEditor = await signToken({ sub: 'anna', org: 'city', roles: ['editor', 'emergency'] });
  tokens.fireAdmin = await signToken({ sub: 'hanna', org: 'fire-brigade', roles: ['admin'] });
  tokens.stranger = await signToken({ sub: 'otto', org: 'nachbarstadt', roles: ['editor', 'admin'] });
}, 120_000);
afterAll(async () => stack?.stop());

async function api(
  path: string,
  token: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    etag: response.headers.get('etag') ?? '',
    json: text ? JSON.parse(text) : undefined,
  };
}

const put = (org: string, token: string, body: unknown, ifMatch?: string) =>
  api(`/organisations/${org}`, token, {
    method: 'PUT',
    body,
    ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
  });

/** An emergency message to one channel: whether it waits for a second person. */
async function waitsForApproval(severity: string): Promise<boolean> {
  const { status, json } = await api('/messages', tokens.cityEditor, {
    body: {
      text: `Warnung (${severity}): bitte Fenster schließen.`,
      priority: 'emergency',
      severity,
      channels: ['city-mastodon'],
    },
  });
  expect(status).toBe(202);
  return json.deliveries.every((delivery: { state: string }) => delivery.state === 'AWAITING_APPROVAL');
}

describe('an organisation through the API', () => {
  it('shows an administrator their own organisation, with its policy and version as ETag', async () => {
    const list = await api('/organisations', tokens.cityAdmin);
    expect(list.status).toBe(200);
    expect(list.json.items.map((item: { org: string }) => item.org)).toEqual(['city']);

    const own = await api('/organisations/city', tokens.cityAdmin);
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({
      org: 'city',
      name: 'Landeshauptstadt Dresden',
      alertPolicy: { singlePersonSeverities: [], languages: ['de-DE'] },
      version: expect.any(Number),
      createdAt: expect.any(String),
    });
    expect(own.etag).toBe(`"${own.json.version}"`);
    // any member reads their own; another organisation answers like one that does not exist
    expect((await api('/organisations/city', tokens.cityEditor)).status).toBe(200);
    expect((await api('/organisations/fire-brigade', tokens.cityAdmin)).status).toBe(404);
    // listing is an administrator's
    expect((await api('/organisations', tokens.cityEditor)).status).toBe(403);
  });

  it("replaces the policy with the version read, audited with the person's name, before and after", async () => {
    const before = await api('/organisations/city', tokens.cityAdmin);
    const body = {
      name: 'Landeshauptstadt Dresden',
      alertPolicy: { singlePersonSeverities: ['Extreme'], languages: ['de-DE', 'en'], senderName: 'Stadt Dresden' },
    };
    const changed = await put('city', tokens.cityAdmin, body, before.etag);
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ ...body, version: before.json.version + 1, updatedBy: 'bernd' });
    expect(changed.json.createdAt).toBe(before.json.createdAt);
    expect(changed.etag).toBe(`"${before.json.version + 1}"`);
    expect((await api('/organisations/city', tokens.cityAdmin)).json).toEqual(changed.json);

    const today = new Date().toISOString().slice(0, 10);
    const audit = await api(`/audit?from=${today}&to=${today}`, tokens.cityAdmin);
    const entry = audit.json.items.find((item: { action: string }) => item.action === 'organisation.update');
    expect(entry).toMatchObject({
      actor: 'bernd',
      actorName: 'Bernd Admin',
      target: 'organisation/city',
      before: { version: before.json.version, alertPolicy: { singlePersonSeverities: [] } },
      after: { version: before.json.version + 1, alertPolicy: { singlePersonSeverities: ['Extreme'] } },
    });
  });

  it('refuses a stale version (412) and a replacement that names none (428), changing nothing', async () => {
    const current = await api('/organisations/city', tokens.cityAdmin);
    const body = { name: 'Überschrieben', alertPolicy: {} };
    const stale = await put('city', tokens.cityAdmin, body, `"${current.json.version - 1}"`);
    expect(stale.status).toBe(412);
    expect(stale.type).toMatch(/^application\/problem\+json/);
    expect(stale.json.detail).toMatch(/changed meanwhile/);
    const blind = await put('city', tokens.cityAdmin, body);
    expect(blind.status).toBe(428);
    expect(blind.json.detail).toMatch(/If-Match/);
    expect((await put('city', tokens.cityAdmin, body, 'version 3')).status).toBe(400);
    expect((await api('/organisations/city', tokens.cityAdmin)).json).toEqual(current.json);
  });

  it('lets only one of two edits of the same version win', async () => {
    const current = await api('/organisations/city', tokens.cityAdmin);
    const [first, second] = await Promise.all(
      ['Stadt A', 'Stadt B'].map((name) =>
        put('city', tokens.cityAdmin, { name, alertPolicy: current.json.alertPolicy }, current.etag),
      ),
    );
    expect([first!.status, second!.status].sort()).toEqual([200, 412]);
    const winner = [first!, second!].find((response) => response.status === 200)!;
    expect((await api('/organisations/city', tokens.cityAdmin)).json.name).toBe(winner.json.name);
  });

  it('refuses an invalid policy as a problem naming each field', async () => {
    const current = await api('/organisations/city', tokens.cityAdmin);
    const refused = await put(
      'city',
      tokens.cityAdmin,
      { name: '', alertPolicy: { singlePersonSeverities: ['Huge'], ninaArs: '1461', languages: [] } },
      current.etag,
    );
    expect(refused.status).toBe(422);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    const fields = refused.json.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'alertPolicy.singlePersonSeverities[0]',
        'alertPolicy.ninaArs',
        'alertPolicy.languages',
      ]),
    );
    expect((await put('city', tokens.cityAdmin, { name: 'Dresden', extra: true }, current.etag)).status).toBe(422);
    expect((await api('/organisations/city', tokens.cityAdmin)).json.version).toBe(current.json.version);
  });

  it("refuses a non-administrator, and another organisation's administrator (403)", async () => {
    const current = await api('/organisations/city', tokens.cityAdmin);
    const body = { name: 'Feuerwehr übernimmt', alertPolicy: { singlePersonSeverities: ['Extreme', 'Severe'] } };
    const editor = await put('city', tokens.cityEditor, body, current.etag);
    expect(editor.status).toBe(403);
    expect(editor.type).toMatch(/^application\/problem\+json/);
    expect((await put('city', tokens.fireAdmin, body, current.etag)).status).toBe(403);
    expect((await api('/organisations/city', tokens.cityAdmin)).json.version).toBe(current.json.version);
  });

  it('gives a token of an organisation Herold does not serve nothing (403), on every route', async () => {
    for (const path of ['/organisations', '/organisations/nachbarstadt', '/me', '/messages']) {
      const refused = await api(path, tokens.stranger);
      expect(refused.status, path).toBe(403);
      expect(refused.json.detail, path).toMatch(/does not serve/);
    }
  });
});

describe('the alert gate', () => {
  it('follows a policy an administrator edits through the API, at once', async () => {
    const strict = await api('/organisations/city', tokens.cityAdmin);
    const editedStrict = await put(
      'city',
      tokens.cityAdmin,
      { name: strict.json.name, alertPolicy: { singlePersonSeverities: [] } },
      strict.etag,
    );
    expect(editedStrict.status).toBe(200);
    expect(await waitsForApproval('Extreme')).toBe(true);

    const loosened = await put(
      'city',
      tokens.cityAdmin,
      { name: strict.json.name, alertPolicy: { singlePersonSeverities: ['Extreme'] } },
      editedStrict.etag,
    );
    expect(loosened.status).toBe(200);
    expect(await waitsForApproval('Extreme')).toBe(false);
    expect(await waitsForApproval('Severe')).toBe(true);
  });
});

describe('a deployment of 500 organisations', () => {
  it('imports them and lists them page by page from their partition', async () => {
    const store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
    const organisations = Object.fromEntries(
      Array.from({ length: 520 }, (_, index) => [
        `gemeinde-${String(index).padStart(3, '0')}`,
        { name: `Gemeinde ${index}`, alertPolicy: OrgAlertPolicySchema.parse({ languages: ['de-DE'] }) },
      ]),
    );
    const imported = await importOrganisations(store, { sub: 'operator:test' }, organisations);
    expect(imported.created).toHaveLength(520);
    expect(imported.updated).toEqual([]);

    const paged = await queryOrganisations(store, { pageSize: 100 });
    expect(paged).toHaveLength(522);
    const listed = await listOrganisations(store);
    expect(listed.map((organisation) => organisation.org)).toEqual(
      ['city', 'fire-brigade', ...Object.keys(organisations)].sort(),
    );
    // a token of one of them is served now
    const member = await signToken({ sub: 'maria', org: 'gemeinde-417', roles: ['admin'] });
    expect((await api('/organisations', member)).json.items[0]).toMatchObject({ org: 'gemeinde-417', version: 1 });
    store.doc.destroy();
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import {
  DRESDEN_ARS,
  NINA_DEFAULT_BASE_URL,
  type NinaDashboard,
  type NinaDashboardItem,
  detectChanges,
  districtArs,
  fetchDashboard,
  fetchWarning,
  ninaBaseUrl,
  ninaIdempotencyKey,
  ninaWarningToCap,
} from '../../../shared/cap/nina';
import { capToMessages } from '../../../shared/cap/to-message';
import { PlatformError } from '../../../shared/platforms/client';
import { capFixture } from './fixtures';

const dashboardFixture = () => JSON.parse(capFixture('nina-dashboard-dresden.json')) as NinaDashboard;
const warningFixture = (name: string) => JSON.parse(capFixture(name)) as unknown;

/** A fetch that answers from a table of URLs and records what was asked. */
function recordingFetch(answers: Record<string, { status: number; body: unknown }>) {
  const requested: string[] = [];
  const fetchStub = (async (input: string | URL | Request) => {
    const url = String(input);
    requested.push(url);
    const answer = answers[url] ?? { status: 404, body: { message: 'Not Found' } };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetch: fetchStub, requested };
}

describe('NINA feed client', () => {
  it('reads the dashboard of Dresden from /dashboard/{ARS}.json', async () => {
    const stub = recordingFetch({
      [`${NINA_DEFAULT_BASE_URL}/dashboard/146120000000.json`]: { status: 200, body: dashboardFixture() },
    });
    const dashboard = await fetchDashboard(NINA_DEFAULT_BASE_URL, DRESDEN_ARS, { fetch: stub.fetch });
    expect(stub.requested).toEqual(['https://warnung.bund.de/api31/dashboard/146120000000.json']);
    expect(dashboard).toHaveLength(3);
    expect(dashboard[0]?.payload.data).toMatchObject({ provider: 'MOWAS', msgType: 'Alert', severity: 'Severe' });
    expect(dashboard[1]?.i18nTitle?.en).toBe('Official WARNING of GALE-FORCE GUSTS');
  });

  it('asks for the district when given a municipality, and refuses what is not an ARS', async () => {
    expect(districtArs('146120000123')).toBe('146120000000');
    expect(() => districtArs('14612')).toThrow(/Regionalschlüssel/);
    const stub = recordingFetch({ 'http://sim.test/nina/dashboard/146120000000.json': { status: 200, body: [] } });
    expect(await fetchDashboard('http://sim.test/nina/', '146120000123', { fetch: stub.fetch })).toEqual([]);
    expect(stub.requested).toEqual(['http://sim.test/nina/dashboard/146120000000.json']);
  });

  it('reads a warning from /warnings/{id}.json', async () => {
    const id = 'mow.DE-SN-DD-S001-20250108-001';
    const stub = recordingFetch({
      [`http://sim.test/nina/warnings/${id}.json`]: {
        status: 200,
        body: warningFixture('nina-warning-mowas-bombenfund.json'),
      },
    });
    const warning = await fetchWarning('http://sim.test/nina', id, { fetch: stub.fetch });
    expect(warning.identifier).toBe(id);
  });

  it('turns HTTP errors and unexpected bodies into classified errors', async () => {
    const stub = recordingFetch({
      'http://sim.test/nina/dashboard/146120000000.json': { status: 503, body: 'busy' },
      'http://sim.test/nina/warnings/x.json': { status: 200, body: { info: 'not a list' } },
    });
    await expect(fetchDashboard('http://sim.test/nina', DRESDEN_ARS, { fetch: stub.fetch })).rejects.toMatchObject({
      errorClass: 'retryable',
    });
    await expect(fetchWarning('http://sim.test/nina', 'gone', { fetch: stub.fetch })).rejects.toMatchObject({
      errorClass: 'permanent',
      code: '404',
    });
    await expect(fetchWarning('http://sim.test/nina', 'x', { fetch: stub.fetch })).rejects.toBeInstanceOf(
      PlatformError,
    );
  });

  it('takes the base URL from HEROLD_NINA_BASE_URL, defaulting to warnung.bund.de', () => {
    expect(ninaBaseUrl({})).toBe('https://warnung.bund.de/api31');
    expect(ninaBaseUrl({ HEROLD_NINA_BASE_URL: 'http://localhost:4010/nina' })).toBe('http://localhost:4010/nina');
  });
});

describe('ninaWarningToCap', () => {
  it('maps a MoWaS warning to a valid CAP alert and repairs NINA quirks', () => {
    const result = ninaWarningToCap(warningFixture('nina-warning-mowas-bombenfund.json'));
    if (!result.ok) expect.fail(JSON.stringify(result.problems));
    const { alert } = result;
    expect(alert).toMatchObject({
      identifier: 'mow.DE-SN-DD-S001-20250108-001',
      sender: 'DE-SN-DD-S001',
      msgType: 'Alert',
      status: 'Actual',
    });
    const info = alert.info[0];
    expect(info).toMatchObject({
      language: 'DE',
      senderName: 'Landeshauptstadt Dresden - Feuerwehr',
      description:
        'Bei Abrissarbeiten an der Carolabrücke wurde eine Fliegerbombe gefunden.\nIm Umkreis von 500 Metern wird ein Sperrkreis eingerichtet.',
      instruction:
        'Verlassen Sie den Sperrkreis bis 12:00 Uhr.\nFolgen Sie den Anweisungen der Einsatzkräfte & der Polizei.',
      web: 'https://www.dresden.de/bombenfund',
    });
    expect(info?.area.map((area) => area.areaDesc)).toEqual(['Landeshauptstadt Dresden', 'Gebiet 146120000000']);
  });

  it('yields a German emergency draft naming the source', () => {
    const result = ninaWarningToCap(warningFixture('nina-warning-mowas-bombenfund.json'));
    if (!result.ok) expect.fail(JSON.stringify(result.problems));
    const [message] = capToMessages(result.alert);
    expect(message).toMatchObject({
      priority: 'emergency',
      kind: 'alert',
      publishable: true,
      sourceName: 'Landeshauptstadt Dresden - Feuerwehr',
      link: 'https://www.dresden.de/bombenfund',
    });
    expect(message?.text).toContain('Verlassen Sie den Sperrkreis bis 12:00 Uhr.');
  });

  it('maps the all-clear with its reference to the original warning', () => {
    const result = ninaWarningToCap(warningFixture('nina-warning-mowas-entwarnung.json'));
    if (!result.ok) expect.fail(JSON.stringify(result.problems));
    expect(result.alert.references).toEqual([
      { sender: 'DE-SN-DD-S001', identifier: 'mow.DE-SN-DD-S001-20250108-001', sent: '2025-01-08T09:30:00+01:00' },
    ]);
    const [message] = capToMessages(result.alert);
    expect(message?.kind).toBe('all-clear');
    expect(message?.text).toContain('Die Warnung ist aufgehoben.');
  });

  it('converts "Z" and fractional timestamps into the CAP form', () => {
    const warning = warningFixture('nina-warning-mowas-bombenfund.json') as Record<string, unknown>;
    const result = ninaWarningToCap({ ...warning, sent: '2025-01-08T08:30:00.000Z' });
    if (!result.ok) expect.fail(JSON.stringify(result.problems));
    expect(result.alert.sent).toBe('2025-01-08T08:30:00+00:00');
  });

  it('validates like an XML alert: bad values are named by their path', () => {
    const warning = warningFixture('nina-warning-mowas-bombenfund.json') as { info: Record<string, unknown>[] };
    const broken = { ...warning, status: undefined, info: [{ ...warning.info[0], severity: 'Katastrophal' }] };
    const result = ninaWarningToCap(broken);
    if (result.ok) expect.fail('expected problems');
    expect(result.problems.map((problem) => problem.field)).toEqual(
      expect.arrayContaining(['status', 'info[0].severity']),
    );
  });

  it('refuses a body that is not a warning at all', () => {
    expect(ninaWarningToCap(['not', 'a', 'warning']).ok).toBe(false);
  });
});

describe('detectChanges', () => {
  const item = (id: string, hash: string, msgType = 'Alert'): NinaDashboardItem => ({
    id,
    payload: {
      version: 1,
      type: 'ALERT',
      id,
      hash,
      data: { headline: id, provider: 'MOWAS', severity: 'Severe', msgType },
    },
    sent: '2025-01-08T09:30:00+01:00',
  });

  it('finds new, updated, cancelled and gone warnings by id and hash', () => {
    const previous = new Map([
      ['same', 'h1'],
      ['changed', 'h1'],
      ['cancelled', 'h1'],
      ['gone', 'h1'],
    ]);
    const changes = detectChanges(previous, [
      item('same', 'h1'),
      item('changed', 'h2', 'Update'),
      item('cancelled', 'h2', 'Cancel'),
      item('fresh', 'h1'),
    ]);
    expect(changes.new.map((entry) => entry.id)).toEqual(['fresh']);
    expect(changes.updated.map((entry) => entry.id)).toEqual(['changed']);
    expect(changes.cancelled).toEqual([
      { id: 'cancelled', reason: 'cancel', item: item('cancelled', 'h2', 'Cancel') },
      { id: 'gone', reason: 'gone' },
    ]);
    expect([...changes.next]).toEqual([
      ['same', 'h1'],
      ['changed', 'h2'],
      ['cancelled', 'h2'],
      ['fresh', 'h1'],
    ]);
  });

  it('reports nothing when nothing changed, and a Cancel only once', () => {
    const first = detectChanges(new Map(), [item('a', 'h1', 'Cancel')]);
    expect(first.cancelled).toHaveLength(1);
    const second = detectChanges(first.next, [item('a', 'h1', 'Cancel')]);
    expect(second).toMatchObject({ new: [], updated: [], cancelled: [] });
  });

  it('counts a warning listed once per municipality only once', () => {
    const changes = detectChanges(new Map(), dashboardFixture());
    expect(changes.new.map((entry) => entry.payload.data.provider)).toEqual(['MOWAS', 'DWD']);
    expect(changes.next.size).toBe(2);
  });

  it('keys a warning version by id and hash', () => {
    expect(ninaIdempotencyKey(item('a', 'h1'))).toBe('nina:a,h1');
    expect(ninaIdempotencyKey(item('a', 'h2'))).not.toBe(ninaIdempotencyKey(item('a', 'h1')));
  });
});

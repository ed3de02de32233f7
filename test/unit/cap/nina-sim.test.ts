import { describe, expect, it } from 'vitest';
import { createNinaSim, type NinaSim } from '../../../local/simulator/nina';
import type { SimRequest } from '../../../local/simulator/types';
import { DRESDEN_ARS, detectChanges, fetchDashboard, fetchWarning, ninaWarningToCap } from '../../../shared/cap/nina';
import { capToMessages, referenceKey } from '../../../shared/cap/to-message';

const BASE_URL = 'http://sim.test/nina';

function request(method: string, path: string): SimRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, body: undefined, rawBody: Buffer.alloc(0) };
}

/** Route the client's fetches to the simulator, as the simulator core's HTTP server would. */
function fetchThrough(sim: NinaSim): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const answer = sim.handle(request(init?.method ?? 'GET', url.pathname));
    if (!answer) return new Response('no route', { status: 502 });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
}

function steppingClock(start: string) {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advanceMinutes(minutes: number) {
      now += minutes * 60_000;
    },
  };
}

describe('NINA simulator', () => {
  it('serves a warning through its whole life: alert, update, all-clear, gone', async () => {
    const clock = steppingClock('2025-01-08T08:30:00Z');
    const sim = createNinaSim({ now: clock.now });
    const fetch = fetchThrough(sim);

    const published = sim.publish({
      headline: 'Bombenfund an der Carolabrücke: Evakuierung',
      description:
        'Bei Abrissarbeiten an der Carolabrücke wurde eine Fliegerbombe gefunden.\nIm Umkreis von 500 Metern wird ein Sperrkreis eingerichtet.',
      instruction: 'Verlassen Sie den Sperrkreis bis 12:00 Uhr.',
      severity: 'Severe',
      urgency: 'Immediate',
      web: 'https://www.dresden.de/bombenfund',
    });
    expect(published).toMatchObject({
      identifier: 'mow.DE-SN-DD-S001-20250108-001',
      sent: '2025-01-08T09:30:00+01:00',
      msgType: 'Alert',
    });

    const firstPoll = detectChanges(new Map(), await fetchDashboard(BASE_URL, DRESDEN_ARS, { fetch }));
    expect(firstPoll.new.map((item) => item.id)).toEqual([published.identifier]);
    const detail = await fetchWarning(BASE_URL, published.identifier as string, { fetch });
    expect(detail.info?.[0]?.description).toContain('<br/>');
    const alert = ninaWarningToCap(detail);
    if (!alert.ok) expect.fail(JSON.stringify(alert.problems));
    expect(capToMessages(alert.alert)[0]).toMatchObject({
      priority: 'emergency',
      kind: 'alert',
      sourceName: 'Landeshauptstadt Dresden - Feuerwehr',
    });
    const originalKey = referenceKey(alert.alert.sender, alert.alert.identifier, alert.alert.sent);

    clock.advanceMinutes(105);
    sim.update(published.identifier as string, {
      headline: 'Bombenfund an der Carolabrücke: Sperrkreis erweitert',
      description: 'Der Sperrkreis wird auf 1.000 Meter erweitert.',
    });
    const secondPoll = detectChanges(firstPoll.next, await fetchDashboard(BASE_URL, DRESDEN_ARS, { fetch }));
    expect(secondPoll.updated.map((item) => item.payload.version)).toEqual([2]);
    const update = ninaWarningToCap(await fetchWarning(BASE_URL, published.identifier as string, { fetch }));
    if (!update.ok) expect.fail(JSON.stringify(update.problems));
    const [updateDraft] = capToMessages(update.alert);
    expect(updateDraft).toMatchObject({ kind: 'update', referencesKeys: [originalKey] });

    clock.advanceMinutes(445);
    sim.cancel(published.identifier as string);
    const thirdPoll = detectChanges(secondPoll.next, await fetchDashboard(BASE_URL, DRESDEN_ARS, { fetch }));
    expect(thirdPoll.cancelled).toEqual([expect.objectContaining({ id: published.identifier, reason: 'cancel' })]);
    const allClear = ninaWarningToCap(await fetchWarning(BASE_URL, published.identifier as string, { fetch }));
    if (!allClear.ok) expect.fail(JSON.stringify(allClear.problems));
    const [allClearDraft] = capToMessages(allClear.alert);
    expect(allClearDraft?.kind).toBe('all-clear');
    expect(allClearDraft?.text).toContain(
      'Dies ist die Entwarnung zur Warnung "Bombenfund an der Carolabrücke: Sperrkreis erweitert" vom 08.01.2025 11:15:00 gesendet durch Landeshauptstadt Dresden - Feuerwehr. Die Warnung ist aufgehoben.',
    );

    sim.remove(published.identifier as string);
    const lastPoll = detectChanges(thirdPoll.next, await fetchDashboard(BASE_URL, DRESDEN_ARS, { fetch }));
    expect(lastPoll.cancelled).toEqual([{ id: published.identifier, reason: 'gone' }]);
    await expect(fetchWarning(BASE_URL, published.identifier as string, { fetch })).rejects.toMatchObject({
      code: '404',
    });
  });

  it('lists a warning only on the dashboard of its district', () => {
    const sim = createNinaSim();
    sim.publish({
      headline: 'Hochwasser an der Elbe',
      description: 'Pegel Dresden über 6 Meter.',
      ars: '146270000000',
    });
    expect(sim.handle(request('GET', '/nina/dashboard/146120000000.json'))?.body).toEqual([]);
    expect(sim.handle(request('GET', '/nina/dashboard/146270000000.json'))?.body).toHaveLength(1);
  });

  it('gives every version a new hash', () => {
    const clock = steppingClock('2025-01-08T08:30:00Z');
    const sim = createNinaSim({ now: clock.now });
    const { identifier } = sim.publish({
      headline: 'Stromausfall',
      description: 'In Teilen der Neustadt ist der Strom ausgefallen.',
    });
    const hashOf = () =>
      (sim.handle(request('GET', '/nina/dashboard/146120000000.json'))?.body as { payload: { hash: string } }[])[0]
        ?.payload.hash;
    const first = hashOf();
    clock.advanceMinutes(10);
    sim.update(identifier as string, { description: 'Der Strom ist in der Äußeren Neustadt wieder da.' });
    expect(hashOf()).not.toBe(first);
  });

  it('answers only GET under /nina and leaves other paths to other modules', () => {
    const sim = createNinaSim();
    expect(sim.handle(request('GET', '/v1.0/me/threads'))).toBeUndefined();
    expect(sim.handle(request('POST', '/nina/dashboard/146120000000.json'))?.status).toBe(405);
    expect(sim.handle(request('GET', '/nina/warnings/unknown.json'))?.status).toBe(404);
    expect(sim.handle(request('GET', '/nina/dashboard/1461.json'))?.status).toBe(404);
    expect(() => sim.update('unknown', {})).toThrow(/no warning unknown/);
  });
});

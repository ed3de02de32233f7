import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RECONCILE_INTERVAL_MS, reconcileIntervalMs, ScheduleLoop } from '../../local/schedules';

afterEach(() => {
  vi.useRealTimers();
});

describe('schedule loop', () => {
  it('runs each job at its interval once started, and no more after stop', async () => {
    vi.useFakeTimers();
    const runs: string[] = [];
    const loop = new ScheduleLoop([
      { name: 'reconciler', intervalMs: 1000, run: async () => void runs.push('reconciler') },
      { name: 'collect', intervalMs: 2500, run: async () => void runs.push('collect') },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([]);
    loop.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs.filter((name) => name === 'reconciler')).toHaveLength(5);
    expect(runs.filter((name) => name === 'collect')).toHaveLength(2);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(7);
  });

  it('skips a tick while the previous run is still going', async () => {
    vi.useFakeTimers();
    let started = 0;
    const loop = new ScheduleLoop([
      { name: 'slow', intervalMs: 100, run: () => new Promise((resolve) => (started++, setTimeout(resolve, 350))) },
    ]);
    loop.start();
    // runs start at 100 ms (until 450), 500 ms (until 850) and 900 ms; the ticks in between are skipped
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(3);
    const stopping = loop.stop();
    await vi.advanceTimersByTimeAsync(400);
    await stopping;
    expect(started).toBe(3);
  });

  it('runs a job on demand, one run after the other, and reports its failure', async () => {
    let active = 0;
    let overlapped = false;
    const loop = new ScheduleLoop([
      {
        name: 'job',
        intervalMs: 60_000,
        run: async () => {
          active++;
          overlapped ||= active > 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          active--;
        },
      },
      { name: 'broken', intervalMs: 60_000, run: async () => Promise.reject(new Error('table missing')) },
    ]);
    await Promise.all([loop.runNow('job'), loop.runNow('job'), loop.runNow('job')]);
    expect(overlapped).toBe(false);
    await expect(loop.runNow('broken')).rejects.toThrow('table missing');
    await expect(loop.runNow('nope')).rejects.toThrow('no schedule "nope"');
    expect(loop.has('job')).toBe(true);
    expect(loop.names()).toEqual(['job', 'broken']);
  });

  it('refuses a job registered twice or without an interval', () => {
    const run = async () => undefined;
    expect(
      () =>
        new ScheduleLoop([
          { name: 'a', intervalMs: 1, run },
          { name: 'a', intervalMs: 1, run },
        ]),
    ).toThrow('twice');
    expect(() => new ScheduleLoop([{ name: 'a', intervalMs: 0, run }])).toThrow('positive interval');
  });
});

describe('reconciler interval', () => {
  it('is a minute unless HEROLD_RECONCILE_INTERVAL_MS says otherwise', () => {
    expect(reconcileIntervalMs({})).toBe(DEFAULT_RECONCILE_INTERVAL_MS);
    expect(DEFAULT_RECONCILE_INTERVAL_MS).toBe(60_000);
    expect(reconcileIntervalMs({ HEROLD_RECONCILE_INTERVAL_MS: '2000' })).toBe(2000);
    expect(() => reconcileIntervalMs({ HEROLD_RECONCILE_INTERVAL_MS: 'soon' })).toThrow('HEROLD_RECONCILE_INTERVAL_MS');
    expect(() => reconcileIntervalMs({ HEROLD_RECONCILE_INTERVAL_MS: '-5' })).toThrow('HEROLD_RECONCILE_INTERVAL_MS');
  });
});

import { describe, expect, it } from 'vitest';
import { buildFollowerReport, validateReportQuery } from '../../../shared/followers/report';
import { channel, dailySeries, figure } from './fixtures';

const facebook = channel({ id: 'city-facebook', platform: 'facebook', handle: 'stadt.dresden' });
const threads = channel({ id: 'city-threads', platform: 'threads', handle: 'landeshauptstadt_dresden' });
const whatsapp = channel({ id: 'city-whatsapp', platform: 'whatsapp', handle: 'Landeshauptstadt Dresden' });

describe('buildFollowerReport', () => {
  it('reports start, end, absolute and percentage change over the period', () => {
    const report = buildFollowerReport({
      channels: [facebook],
      series: { 'city-facebook': dailySeries('city-facebook', '2024-01-01', [1000, 1010, 1033]) },
      from: '2024-01-01',
      to: '2024-01-03',
    });
    expect(report.channels[0]).toMatchObject({
      platform: 'facebook',
      platformName: 'Facebook',
      handle: 'stadt.dresden',
      start: { date: '2024-01-01', count: 1000 },
      end: { date: '2024-01-03', count: 1033 },
      change: 33,
      changePercent: 3.3,
    });
  });

  it('leaves gaps as gaps in the series, without inventing figures', () => {
    const series = dailySeries('city-facebook', '2024-01-01', [100, null, null, 130]);
    const report = buildFollowerReport({
      channels: [facebook],
      series: { 'city-facebook': series },
      from: '2024-01-01',
      to: '2024-01-04',
    });
    expect(report.channels[0]?.series.map((point) => point.date)).toEqual(['2024-01-01', '2024-01-04']);
    expect(report.channels[0]?.change).toBe(30);
  });

  it('does not claim a change from a single data point', () => {
    const report = buildFollowerReport({
      channels: [facebook],
      series: { 'city-facebook': [figure('city-facebook', '2024-01-02', 500)] },
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(report.channels[0]).toMatchObject({
      start: { date: '2024-01-02', count: 500 },
      end: { date: '2024-01-02', count: 500 },
      change: null,
      changePercent: null,
    });
  });

  it('measures a channel added mid-period from its first figure', () => {
    const series = {
      'city-facebook': dailySeries('city-facebook', '2024-02-01', [10, 11, 12]),
      'city-threads': dailySeries('city-threads', '2024-02-02', [0, 40]),
    };
    const report = buildFollowerReport({ channels: [facebook, threads], series, from: '2024-02-01', to: '2024-02-03' });
    const threadsReport = report.channels.find((entry) => entry.channelId === 'city-threads');
    expect(threadsReport).toMatchObject({
      start: { date: '2024-02-02', count: 0 },
      end: { date: '2024-02-03', count: 40 },
      change: 40,
      changePercent: null,
    });
  });

  it('reports a loss as a negative change', () => {
    const report = buildFollowerReport({
      channels: [facebook],
      series: { 'city-facebook': dailySeries('city-facebook', '2024-03-01', [2000, 1950, 1877]) },
      from: '2024-03-01',
      to: '2024-03-03',
    });
    expect(report.channels[0]).toMatchObject({ change: -123, changePercent: -6.2 });
  });

  it('takes the nearest figures inside the period when from and to have none', () => {
    const series = [
      figure('city-facebook', '2023-12-31', 1),
      figure('city-facebook', '2024-01-03', 300),
      figure('city-facebook', '2024-01-05', 330),
      figure('city-facebook', '2024-01-09', 999),
    ];
    const report = buildFollowerReport({
      channels: [facebook],
      series: { 'city-facebook': series },
      from: '2024-01-01',
      to: '2024-01-07',
    });
    expect(report.channels[0]).toMatchObject({
      start: { date: '2024-01-03', count: 300 },
      end: { date: '2024-01-05', count: 330 },
      change: 30,
      changePercent: 10,
    });
    expect(report.channels[0]?.series).toHaveLength(2);
  });

  it('gives null figures for a channel without any in the period', () => {
    const report = buildFollowerReport({
      channels: [facebook],
      series: new Map(),
      from: '2024-01-01',
      to: '2024-01-07',
    });
    expect(report.channels[0]).toMatchObject({ start: null, end: null, change: null, changePercent: null, series: [] });
  });

  it('names the figures entered by hand', () => {
    const series = [
      figure('city-whatsapp', '2024-02-02', 120, 'manual'),
      figure('city-whatsapp', '2024-02-09', 410, 'import'),
    ];
    const report = buildFollowerReport({
      channels: [whatsapp],
      series: { 'city-whatsapp': series },
      from: '2024-02-01',
      to: '2024-02-29',
    });
    expect(report.channels[0]?.manualDates).toEqual(['2024-02-02']);
    expect(report.channels[0]?.series.map((point) => point.source)).toEqual(['manual', 'import']);
  });

  it('orders channels by the platform registry', () => {
    const report = buildFollowerReport({
      channels: [facebook, whatsapp, threads],
      series: {},
      from: '2024-01-01',
      to: '2024-01-02',
    });
    expect(report.channels.map((entry) => entry.platform)).toEqual(['threads', 'whatsapp', 'facebook']);
  });
});

describe('validateReportQuery', () => {
  it('accepts a valid period', () => {
    expect(validateReportQuery({ from: '2024-01-01', to: '2024-12-31', org: 'city' })).toEqual({
      ok: true,
      value: { from: '2024-01-01', to: '2024-12-31', org: 'city' },
    });
  });

  it.each([
    [{ from: '2024-02-01', to: '2024-01-01', org: 'city' }, 'from', 'must not be after to'],
    [{ from: '2019-01-01', to: '2024-01-02', org: 'city' }, 'to', 'the period must not exceed 5 years'],
    [{ from: '01.02.2024', to: '2024-03-01', org: 'city' }, 'from', 'must be a date as yyyy-mm-dd'],
    [{ from: '2024-02-30', to: '2024-03-01', org: 'city' }, 'from', 'must be a date as yyyy-mm-dd'],
    [
      { from: '2024-01-01', to: '2024-03-01', org: 'City Hall' },
      'org',
      'organisation ids are lower-case letters, digits and dashes',
    ],
    [{ from: '2024-01-01', to: '2024-03-01', org: 'city', format: 'pdf' }, 'format', undefined],
  ])('rejects %j with an error on %s', (params, field, message) => {
    const result = validateReportQuery(params);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field)).toContain(field);
    if (message) expect(result.errors).toContainEqual({ field, message });
  });

  it('allows exactly five years', () => {
    expect(validateReportQuery({ from: '2019-01-01', to: '2024-01-01', org: 'city' }).ok).toBe(true);
  });

  it('lists every missing parameter', () => {
    const result = validateReportQuery({});
    expect(result.ok ? [] : result.errors.toSorted((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'from', message: 'is required' },
      { field: 'org', message: 'is required' },
      { field: 'to', message: 'is required' },
    ]);
  });
});

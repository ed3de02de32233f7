import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { reportToCsv } from '../../../shared/followers/formats/csv';
import { reportToHtml } from '../../../shared/followers/formats/html';
import { reportToMarkdown } from '../../../shared/followers/formats/markdown';
import { negotiateFormat, reportResponse } from '../../../shared/followers/formats/negotiate';
import { countTicks, reportToSvg } from '../../../shared/followers/formats/svg';
import { validateFollowerCsv } from '../../../shared/followers/import';
import { buildFollowerReport, type FollowerReport } from '../../../shared/followers/report';
import type { FollowerFigure } from '../../../shared/followers/store';
import { channel, CITY_CHANNELS, dailySeries, figure } from './fixtures';

/** The press release's figures, read from the example file the repository ships. */
function pressReleaseReport(): FollowerReport {
  const csv = readFileSync(new URL('../../../examples/followers-2024-02-02.csv', import.meta.url), 'utf8');
  const { rows, errors } = validateFollowerCsv(csv, new Map(CITY_CHANNELS.map((entry) => [entry.id, entry])), {
    today: '2024-02-02',
  });
  expect(errors).toEqual([]);
  const series = new Map<string, FollowerFigure[]>();
  for (const row of rows)
    series.set(row.channelId, [
      ...(series.get(row.channelId) ?? []),
      figure(row.channelId, row.date, row.count, 'import'),
    ]);
  return buildFollowerReport({ channels: CITY_CHANNELS, series, from: '2024-02-02', to: '2024-02-02', org: 'city' });
}

const feuerwehr = channel({
  id: 'fw-mastodon',
  platform: 'mastodon',
  org: 'fire-brigade',
  handle: 'Feuerwehr Dresden, "Brandschutz" – Übersicht',
});
const gappy = channel({ id: 'city-threads', platform: 'threads', handle: 'landeshauptstadt_dresden' });

function yearReport(): FollowerReport {
  return buildFollowerReport({
    channels: [CITY_CHANNELS[0]!, gappy, feuerwehr],
    series: {
      'city-facebook': dailySeries('city-facebook', '2024-01-01', [37000, 37050, 37100, 37177]),
      'city-threads': dailySeries('city-threads', '2024-01-01', [10, 20, null, 40]),
      'fw-mastodon': [figure('fw-mastodon', '2024-01-02', 1234, 'manual')],
    },
    from: '2024-01-01',
    to: '2024-01-04',
  });
}

describe('CSV', () => {
  const csv = reportToCsv(yearReport());

  it('starts with a UTF-8 byte-order mark and ends every line with CRLF', () => {
    expect(csv.startsWith('\uFEFFdate,channel,count,platform,handle,source\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('quotes fields with commas and quotes, doubling the quotes, and keeps umlauts', () => {
    expect(csv).toContain(
      '\r\n2024-01-02,fw-mastodon,1234,Mastodon,"Feuerwehr Dresden, ""Brandschutz"" – Übersicht",manual\r\n',
    );
  });

  it('has one row per measured day, none for a gap', () => {
    const threadRows = csv.split('\r\n').filter((row) => row.includes(',city-threads,'));
    expect(threadRows.map((row) => row.slice(0, 10))).toEqual(['2024-01-01', '2024-01-02', '2024-01-04']);
  });

  it('can be imported again', () => {
    const known = new Map([CITY_CHANNELS[0]!, gappy, feuerwehr].map((entry) => [entry.id, entry]));
    const { rows, errors } = validateFollowerCsv(csv, known, { today: '2024-12-31' });
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(8);
  });
});

describe('Markdown', () => {
  it('reproduces the press release table from the example file', () => {
    expect(reportToMarkdown(pressReleaseReport())).toMatchInlineSnapshot(`
      "## Follower am 02.02.2024

      | Plattform | Kanal | Follower am 02.02.2024 |
      | --- | --- | ---: |
      | Facebook | [stadt.dresden](<https://www.facebook.com/stadt.dresden>) | 37.177 |
      | Instagram | [landeshauptstadt\\_dresden](<https://www.instagram.com/landeshauptstadt_dresden>) | 7.113 |
      | YouTube | [@LHDDresden](<https://www.youtube.com/@LHDDresden>) | 2.140 |
      | LinkedIn | [landeshauptstadt-dresden](<https://de.linkedin.com/company/landeshauptstadt-dresden>) | 3.139 |
      "
    `);
  });

  it('shows change, percent, hand-entered figures and figures from another day', () => {
    const markdown = reportToMarkdown(yearReport());
    expect(markdown).toContain(
      '| Plattform | Kanal | Follower am 01.01.2024 | Follower am 04.01.2024 | Veränderung | Veränderung in % |',
    );
    expect(markdown).toContain(
      '| Facebook | [stadt.dresden](<https://www.facebook.com/stadt.dresden>) | 37.000 | 37.177 | +177 | +0,5 % |',
    );
    expect(markdown).toContain(
      '| Mastodon | Feuerwehr Dresden, "Brandschutz" – Übersicht | 1.234* (02.01.2024) | 1.234* (02.01.2024) | – | – |',
    );
    expect(markdown).toContain('\\* von Hand eingetragen');
  });

  it('escapes pipes so a handle cannot break the table', () => {
    const report = buildFollowerReport({
      channels: [channel({ id: 'x1', platform: 'x', handle: 'a|b' })],
      series: {},
      from: '2024-01-01',
      to: '2024-01-01',
    });
    expect(reportToMarkdown(report)).toContain('| X | a\\|b | – |');
  });
});

describe('SVG', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['path', 'g', 'text', 'line'].includes(name),
  });

  function paths(svg: string): { d: string; 'data-channel': string }[] {
    const document = parser.parse(svg);
    const lines = document.svg.g.find((group: { class: string }) => group.class === 'lines');
    return lines.path ?? [];
  }

  it('is well-formed XML, 800×400, accessible with title and desc', () => {
    const svg = reportToSvg(yearReport());
    expect(XMLValidator.validate(svg)).toBe(true);
    const root = parser.parse(svg).svg;
    expect(root).toMatchObject({
      width: '800',
      height: '400',
      role: 'img',
      'aria-labelledby': 'followers-title followers-desc',
    });
    expect(root.title['#text']).toBe('Follower 01.01.2024 – 04.01.2024');
    expect(root.desc['#text']).toContain('Facebook – stadt.dresden: 37.177 am 04.01.2024');
  });

  it('draws one path per channel', () => {
    expect(paths(reportToSvg(yearReport())).map((path) => path['data-channel'])).toEqual([
      'city-threads',
      'city-facebook',
      'fw-mastodon',
    ]);
  });

  it('breaks the line at a gap instead of dropping to zero', () => {
    const threads = paths(reportToSvg(yearReport())).find((path) => path['data-channel'] === 'city-threads');
    expect(threads?.d.match(/M/g)).toHaveLength(2);
    const facebook = paths(reportToSvg(yearReport())).find((path) => path['data-channel'] === 'city-facebook');
    expect(facebook?.d.match(/M/g)).toHaveLength(1);
  });

  it('joins weekly figures entered by hand, where there is no daily collection to miss', () => {
    const whatsapp = channel({ id: 'city-whatsapp', platform: 'whatsapp' });
    const series = {
      'city-whatsapp': [
        figure('city-whatsapp', '2024-01-01', 10, 'manual'),
        figure('city-whatsapp', '2024-01-08', 20, 'manual'),
        figure('city-whatsapp', '2024-01-15', 30, 'manual'),
      ],
    };
    const svg = reportToSvg(
      buildFollowerReport({ channels: [whatsapp], series, from: '2024-01-01', to: '2024-01-15' }),
    );
    expect(paths(svg)[0]?.d).toMatch(/^M[\d.,]+ L[\d.,]+ L[\d.,]+$/);
  });

  it('labels the axes with German dates and counts', () => {
    const svg = reportToSvg(yearReport());
    expect(svg).toContain('>01.01.2024</text>');
    expect(svg).toContain('>04.01.2024</text>');
    expect(svg).toMatch(/>\d{1,2}\.\d{3}<\/text>/);
  });

  it('escapes text from channel handles', () => {
    const report = buildFollowerReport({
      channels: [channel({ id: 'x1', platform: 'x', handle: '<script>&"' })],
      series: { x1: [figure('x1', '2024-01-01', 5)] },
      from: '2024-01-01',
      to: '2024-01-02',
    });
    const svg = reportToSvg(report);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
  });

  it('draws an empty period with a message, and stays valid', () => {
    const svg = reportToSvg(
      buildFollowerReport({ channels: [gappy], series: {}, from: '2024-01-01', to: '2024-01-01' }),
    );
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(paths(svg)).toEqual([]);
    expect(svg).toContain('Keine Zählungen in diesem Zeitraum');
  });

  it('keeps a long legend inside the picture', () => {
    const many = Array.from({ length: 30 }, (_, index) => channel({ id: `c${index}`, platform: 'mastodon' }));
    const legend = parser
      .parse(reportToSvg(buildFollowerReport({ channels: many, series: {}, from: '2024-01-01', to: '2024-01-02' })))
      .svg.g.find((group: { class: string }) => group.class === 'legend');
    const rows = legend.text.map((text: { y: string }) => Number(text.y));
    expect(rows).toHaveLength(30);
    expect(Math.max(...rows)).toBeLessThanOrEqual(400 - 12);
    expect(new Set(rows).size).toBe(30);
  });

  it('chooses round axis steps', () => {
    expect(countTicks(36_950, 37_177)).toEqual([36_950, 37_000, 37_050, 37_100, 37_150, 37_200]);
    expect(countTicks(5, 5)).toEqual([4, 5, 6]);
  });
});

describe('HTML', () => {
  it('is a German page with the table and the chart inline, without external assets', () => {
    const html = reportToHtml(yearReport());
    expect(html).toMatch(/^<!doctype html>\n<html lang="de">/);
    expect(html).toContain('<td class="number">37.177</td>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).not.toMatch(/<(script|link)\b|\bsrc=/);
  });

  it('shows the press-release columns for a single day, with the manual note only when it applies', () => {
    const html = reportToHtml(pressReleaseReport());
    expect(html).toContain('<th scope="col" class="number">Follower am 02.02.2024</th></tr>');
    expect(html).toContain(
      '<td>Instagram</td><td><a href="https://www.instagram.com/landeshauptstadt_dresden">landeshauptstadt_dresden</a></td><td class="number">7.113</td></tr>',
    );
    expect(html).not.toContain('<p class="note">* von Hand');
    expect(reportToHtml(yearReport())).toContain('<p class="note">* von Hand eingetragen</p>');
  });
});

describe('reportResponse', () => {
  const report = pressReleaseReport();

  it.each([
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['text/markdown', 'md'],
    ['image/svg+xml', 'svg'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['*/*', 'json'],
    [undefined, 'json'],
    ['text/csv;q=0.5, text/markdown', 'md'],
    ['text/*;q=0.9, text/html;q=0.1', 'csv'],
  ])('Accept %s gives %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('lets format= win over Accept', () => {
    const response = reportResponse(report, 'application/json', 'csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="followers-city-2024-02-02-2024-02-02.csv"',
    );
  });

  it('answers 406 with a problem when nothing acceptable is asked for', () => {
    const response = reportResponse(report, 'application/pdf', undefined);
    expect(response.statusCode).toBe(406);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 406, title: 'Not Acceptable' });
  });

  it('returns the report itself as JSON', () => {
    const response = reportResponse(report, 'application/json');
    expect(JSON.parse(response.body)).toEqual(report);
  });
});

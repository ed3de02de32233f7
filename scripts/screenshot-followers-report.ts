/**
 * Renders the follower report page (`GET /reports/followers.html`) in headless Chromium and saves
 * docs/screenshots/followers-report.png. The figures are an example year for the City of Dresden's
 * channels, starting from its press release of 2 February 2024, with a collection outage in July and
 * weekly hand-entered WhatsApp figures.
 * Usage: npx tsx scripts/screenshot-followers-report.ts [--chromium path]   (Debian: chromium-headless-shell)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Channel } from '../shared/model/schemas';
import { addDays, daysBetween } from '../shared/followers/dates';
import { reportResponse } from '../shared/followers/formats/negotiate';
import { buildFollowerReport } from '../shared/followers/report';
import type { FollowerFigure } from '../shared/followers/store';

const { values } = parseArgs({ options: { chromium: { type: 'string', default: 'chromium-headless-shell' } } });

const FROM = '2024-02-02';
const TO = '2025-02-01';

const channel = (
  id: string,
  platform: Channel['platform'],
  handle: string,
  profileUrl: string,
  state: Channel['state'] = 'active',
): Channel => ({
  id,
  org: 'city',
  platform,
  handle,
  state,
  account: handle,
  credentialsRef: `local:${id}`,
  profileUrl,
});

const channels: Channel[] = [
  channel('city-threads', 'threads', '@landeshauptstadt_dresden', 'https://www.threads.net/@landeshauptstadt_dresden'),
  channel(
    'city-whatsapp',
    'whatsapp',
    'Landeshauptstadt Dresden',
    'https://whatsapp.com/channel/0029VaHl1HsDDmFT7ZcdAS0C',
  ),
  channel('city-facebook', 'facebook', 'stadt.dresden', 'https://www.facebook.com/stadt.dresden'),
  channel(
    'city-instagram',
    'instagram',
    'landeshauptstadt_dresden',
    'https://www.instagram.com/landeshauptstadt_dresden',
  ),
  channel('city-youtube', 'youtube', '@LHDDresden', 'https://www.youtube.com/@LHDDresden'),
  channel(
    'city-linkedin',
    'linkedin',
    'landeshauptstadt-dresden',
    'https://de.linkedin.com/company/landeshauptstadt-dresden',
  ),
  channel('city-x', 'x', '@dresden_de', 'https://x.com/dresden_de', 'frozen'),
];

/** Start figure and yearly growth; the first four are the press release's. */
const TREND: Record<string, { start: number; perYear: number }> = {
  'city-threads': { start: 0, perYear: 6200 },
  'city-whatsapp': { start: 0, perYear: 14_500 },
  'city-facebook': { start: 37_177, perYear: 2100 },
  'city-instagram': { start: 7113, perYear: 5200 },
  'city-youtube': { start: 2140, perYear: 380 },
  'city-linkedin': { start: 3139, perYear: 1450 },
  'city-x': { start: 14_820, perYear: -1900 },
};

// Deterministic wobble, so the picture is the same on every run.
const wobble = (day: number, seed: number) =>
  Math.round(Math.sin(day * 0.7 + seed) * 12 + Math.sin(day * 0.05 + seed) * 40);

const series = new Map<string, FollowerFigure[]>();
channels.forEach((entry, seed) => {
  const trend = TREND[entry.id]!;
  const figures: FollowerFigure[] = [];
  for (let day = 0; day <= daysBetween(FROM, TO); day++) {
    const date = addDays(FROM, day);
    const outage = date >= '2024-07-10' && date <= '2024-07-14' && entry.platform !== 'whatsapp';
    const handEntered = entry.platform === 'whatsapp';
    if (outage || (handEntered && day % 7 !== 0)) continue;
    const count = Math.max(
      0,
      Math.round(trend.start + (trend.perYear * day) / 365 + (trend.start > 0 ? wobble(day, seed) : 0)),
    );
    figures.push({
      channelId: entry.id,
      date,
      count,
      source: handEntered ? 'manual' : day === 0 ? 'import' : 'api',
      collectedAt: `${date}T04:00:00.000Z`,
    });
  }
  series.set(entry.id, figures);
});

const report = buildFollowerReport({ channels, series, from: FROM, to: TO, org: 'city' });
const page = reportResponse(report, 'text/html', 'html').body;
const htmlFile = path.join(mkdtempSync(path.join(tmpdir(), 'herold-report-')), 'followers.html');
writeFileSync(htmlFile, page);
const output = path.resolve('docs/screenshots/followers-report.png');
execFileSync(
  values.chromium,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--window-size=1040,1040',
    `--screenshot=${output}`,
    `file://${htmlFile}`,
  ],
  { stdio: 'inherit' },
);
console.log(`wrote ${output}`);

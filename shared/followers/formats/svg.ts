/**
 * The follower chart: an 800×400 SVG line chart, one <path> per measured channel. For a channel
 * counted daily through its API, a day without a figure breaks the line (a new `M` segment): a missed
 * collection is a gap, never a drop to zero. Figures entered by hand come as often as someone enters
 * them (WhatsApp: weekly, say), so those are joined.
 */
import { PLATFORMS } from '../../platforms/registry';
import { dayNumber, germanDate } from '../dates';
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { channelLabel, germanInteger } from './german';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;

const PLOT = { left: 72, right: 580, top: 44, bottom: 340 };
const LEGEND_X = 596;
const LEGEND_ROW = 18;
const LEGEND_BOTTOM = CHART_HEIGHT - 12;
const MAX_LEGEND_LABEL = 26;
/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; dashes after a full cycle. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D1F'];
const DASHES = ['', '6 3', '2 3'];

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[char]};`,
  );
}

const coordinate = (value: number) => (Math.round(value * 10) / 10).toString();

/** Round steps (1, 2, 5 × 10ⁿ) so the axis reads 36.000, 37.000 … rather than 36.417. */
function niceStep(roughStep: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(roughStep));
  const fraction = roughStep / magnitude;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
}

export function countTicks(min: number, max: number, target = 5): number[] {
  let low = min;
  let high = max;
  if (low === high) {
    const padding = Math.max(1, Math.abs(low) * 0.05);
    low = Math.max(0, low - padding);
    high = high + padding;
  }
  const step = Math.max(1, niceStep((high - low) / target));
  const ticks: number[] = [];
  for (let tick = Math.floor(low / step) * step; tick <= Math.ceil(high / step) * step; tick += step) ticks.push(tick);
  return ticks;
}

function dateTicks(firstDay: number, lastDay: number, target = 6): number[] {
  const span = lastDay - firstDay;
  if (span === 0) return [firstDay];
  const count = Math.min(target, span + 1);
  const ticks = Array.from({ length: count }, (_, index) => firstDay + Math.round((span * index) / (count - 1)));
  return [...new Set(ticks)];
}

const isoOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Path data for one channel: consecutive days join, a missing day starts a new `M` segment unless `joinGaps`. */
export function linePath(
  series: ChannelFollowerReport['series'],
  x: (day: number) => number,
  y: (count: number) => number,
  joinGaps = false,
): string {
  const parts: string[] = [];
  let previousDay: number | undefined;
  let segmentLength = 0;
  for (const point of series) {
    const day = dayNumber(point.date);
    const position = `${coordinate(x(day))},${coordinate(y(point.count))}`;
    if (previousDay !== undefined && (joinGaps || day === previousDay + 1)) {
      parts.push(`L${position}`);
      segmentLength++;
    } else {
      // A lone day would be an invisible zero-length segment; round caps draw `l0,0` as a dot.
      if (segmentLength === 1) parts.push('l0,0');
      parts.push(`M${position}`);
      segmentLength = 1;
    }
    previousDay = day;
  }
  if (segmentLength === 1) parts.push('l0,0');
  return parts.join(' ');
}

function truncate(text: string, length: number): string {
  const characters = [...text];
  return characters.length <= length ? text : `${characters.slice(0, length - 1).join('')}…`;
}

function describe(report: FollowerReport): string {
  const period = `vom ${germanDate(report.from)} bis ${germanDate(report.to)}`;
  const lines = report.channels.map((channel) =>
    channel.end
      ? `${channelLabel(channel)}: ${germanInteger(channel.end.count)} am ${germanDate(channel.end.date)}${channel.start && channel.start.date !== channel.end.date ? `, ${germanInteger(channel.start.count)} am ${germanDate(channel.start.date)}` : ''}`
      : `${channelLabel(channel)}: keine Zählung`,
  );
  return `Liniendiagramm der Follower-Zahlen von ${report.channels.length} Kanälen ${period}. Tage ohne automatische Zählung sind Lücken in der Linie; von Hand eingetragene Zahlen sind verbunden. ${lines.join('; ')}.`;
}

export function reportToSvg(report: FollowerReport): string {
  const firstDay = dayNumber(report.from);
  const lastDay = dayNumber(report.to);
  const counts = report.channels.flatMap((channel) => channel.series.map((point) => point.count));
  const yTicks = counts.length > 0 ? countTicks(Math.min(...counts), Math.max(...counts)) : [0, 1];
  const yMin = yTicks[0] ?? 0;
  const yMax = yTicks.at(-1) ?? 1;
  const plotWidth = PLOT.right - PLOT.left;
  const plotHeight = PLOT.bottom - PLOT.top;
  const x = (day: number) =>
    lastDay === firstDay
      ? PLOT.left + plotWidth / 2
      : PLOT.left + ((day - firstDay) / (lastDay - firstDay)) * plotWidth;
  const y = (count: number) => PLOT.bottom - ((count - yMin) / (yMax - yMin || 1)) * plotHeight;

  const title = `Follower ${germanDate(report.from)} – ${germanDate(report.to)}`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="followers-title followers-desc" font-family="system-ui, sans-serif" font-size="12">`,
    `<title id="followers-title">${escapeXml(title)}</title>`,
    `<desc id="followers-desc">${escapeXml(describe(report))}</desc>`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="24" font-size="16" font-weight="bold" fill="#1a1a1a">${escapeXml(title)}</text>`,
  );

  out.push('<g class="y-axis" fill="#444444" text-anchor="end">');
  for (const tick of yTicks) {
    const tickY = coordinate(y(tick));
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${tickY}" y2="${tickY}" stroke="#e0e0e0"/>`,
      `<text x="${PLOT.left - 8}" y="${tickY}" dy="4">${escapeXml(germanInteger(tick))}</text>`,
    );
  }
  out.push('</g>');

  out.push('<g class="x-axis" fill="#444444" text-anchor="middle">');
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="#888888"/>`);
  for (const day of dateTicks(firstDay, lastDay)) {
    const tickX = coordinate(x(day));
    out.push(
      `<line x1="${tickX}" x2="${tickX}" y1="${PLOT.bottom}" y2="${PLOT.bottom + 5}" stroke="#888888"/>`,
      `<text x="${tickX}" y="${PLOT.bottom + 20}">${escapeXml(germanDate(isoOfDay(day)))}</text>`,
    );
  }
  out.push('</g>');

  if (counts.length === 0) {
    out.push(
      `<text x="${coordinate(PLOT.left + plotWidth / 2)}" y="${coordinate(PLOT.top + plotHeight / 2)}" text-anchor="middle" fill="#444444">Keine Zählungen in diesem Zeitraum</text>`,
    );
  }

  out.push('<g class="lines" fill="none" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">');
  report.channels.forEach((channel, index) => {
    if (channel.series.length === 0) return;
    out.push(
      `<path d="${linePath(channel.series, x, y, PLATFORMS[channel.platform].followers === 'manual')}" stroke="${COLOURS[index % COLOURS.length]}"${dashAttribute(index)} data-channel="${escapeXml(channel.channelId)}"><title>${escapeXml(channelLabel(channel))}</title></path>`,
    );
  });
  out.push('</g>');

  out.push('<g class="legend" fill="#1a1a1a">');
  report.channels.forEach((channel, index) => {
    // Many channels squeeze the rows rather than run off the bottom.
    const rowY = coordinate(
      PLOT.top + index * Math.min(LEGEND_ROW, (LEGEND_BOTTOM - PLOT.top) / Math.max(1, report.channels.length - 1)),
    );
    const label = channel.series.length === 0 ? `${channelLabel(channel)} (keine Daten)` : channelLabel(channel);
    out.push(
      `<line x1="${LEGEND_X}" x2="${LEGEND_X + 20}" y1="${rowY}" y2="${rowY}" stroke="${COLOURS[index % COLOURS.length]}" stroke-width="3"${dashAttribute(index)}/>`,
      `<text x="${LEGEND_X + 26}" y="${rowY}" dy="4">${escapeXml(truncate(label, MAX_LEGEND_LABEL))}</text>`,
    );
  });
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}

function dashAttribute(index: number): string {
  const dash = DASHES[Math.floor(index / COLOURS.length) % DASHES.length];
  return dash ? ` stroke-dasharray="${dash}"` : '';
}

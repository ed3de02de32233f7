/**
 * CSV per RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break, quotes
 * doubled. UTF-8 with a byte-order mark, without which Excel reads umlauts as Windows-1252.
 * One row per channel and measured day; the first three columns are the import format, so an export
 * can be imported again.
 */
import type { FollowerReport } from '../report';

const BOM = '\uFEFF';
const CRLF = '\r\n';

export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (fields: readonly (string | number)[]): string => fields.map(csvField).join(',');

export const CSV_COLUMNS = ['date', 'channel', 'count', 'platform', 'handle', 'source'] as const;

export function reportToCsv(report: FollowerReport): string {
  const rows = [csvRow(CSV_COLUMNS)];
  for (const channel of report.channels) {
    // Dates, counts and sources never need quoting; the channel's own fields are quoted once.
    const id = csvField(channel.channelId);
    const described = csvRow([channel.platformName, channel.handle]);
    for (const point of channel.series) rows.push(`${point.date},${id},${point.count},${described},${point.source}`);
  }
  return `${BOM}${rows.join(CRLF)}${CRLF}`;
}

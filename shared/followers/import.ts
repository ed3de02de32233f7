/**
 * Historic follower figures from a CSV file (`date,channel,count`, RFC 4180). Every row is checked
 * before anything is written; one bad row and nothing is imported, with a list naming each bad row.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../model/schemas';
import { isCalendarDate, localDate } from './dates';
import { CsvSyntaxError, parseCsv } from './csv-parse';
import { batchWriteFollowerCounts, type FollowerWrite } from './store';

export interface ImportRowError {
  /** line in the file, 1-based; the header is line 1 */
  line: number;
  field: string;
  message: string;
}

export type ImportResult = { ok: true; written: number } | { ok: false; errors: ImportRowError[] };

export const IMPORT_COLUMNS = ['date', 'channel', 'count'] as const;

export interface ImportRow {
  line: number;
  date: string;
  channelId: string;
  count: number;
}

/**
 * Parses and checks the file: the header names date, channel and count (any order; other columns are
 * ignored, so a report CSV can be imported again), dates are real and not in the future, channels
 * exist, counts are non-negative whole numbers, and no channel has two rows for one day.
 */
export function validateFollowerCsv(
  csv: string,
  knownChannels: ReadonlyMap<string, Channel>,
  options: { today: string },
): { rows: ImportRow[]; errors: ImportRowError[] } {
  let records;
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { rows: [], errors: [{ line: error.line, field: '(file)', message: error.message }] };
    throw error;
  }
  const [header, ...dataRecords] = records;
  if (!header)
    return {
      rows: [],
      errors: [{ line: 1, field: '(file)', message: 'the file is empty; expected the header date,channel,count' }],
    };
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const missing = IMPORT_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0)
    return {
      rows: [],
      errors: [
        {
          line: header.line,
          field: '(header)',
          message: `missing column(s) ${missing.join(', ')}; expected date,channel,count`,
        },
      ],
    };
  const column = Object.fromEntries(IMPORT_COLUMNS.map((name) => [name, names.indexOf(name)])) as Record<
    (typeof IMPORT_COLUMNS)[number],
    number
  >;

  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = [];
  const firstLineOf = new Map<string, number>();
  if (dataRecords.length === 0)
    errors.push({ line: header.line, field: '(file)', message: 'no rows below the header' });
  for (const record of dataRecords) {
    const rowErrors: ImportRowError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ line: record.line, field, message });
    if (record.fields.length !== names.length)
      fail('(row)', `has ${record.fields.length} fields, the header has ${names.length}`);
    const date = (record.fields[column.date] ?? '').trim();
    const channelId = (record.fields[column.channel] ?? '').trim();
    const countText = (record.fields[column.count] ?? '').trim();

    if (!isCalendarDate(date)) fail('date', `"${date}" is not a date as yyyy-mm-dd`);
    else if (date > options.today) fail('date', `${date} is in the future`);
    if (channelId === '') fail('channel', 'is empty');
    else if (!knownChannels.has(channelId)) fail('channel', `unknown channel "${channelId}"`);
    const count = Number(countText);
    if (!/^-?\d+$/.test(countText))
      fail('count', `"${countText}" is not a whole number (write 37177, without separators)`);
    else if (count < 0) fail('count', `${countText} is negative`);
    else if (!Number.isSafeInteger(count)) fail('count', `${countText} is too large`);

    if (isCalendarDate(date) && channelId !== '') {
      const key = `${channelId}\u0000${date}`;
      const firstLine = firstLineOf.get(key);
      if (firstLine !== undefined) fail('date', `second row for ${channelId} on ${date} (first on line ${firstLine})`);
      else firstLineOf.set(key, record.line);
    }
    if (rowErrors.length > 0) errors.push(...rowErrors);
    else rows.push({ line: record.line, date, channelId, count });
  }
  return { rows, errors };
}

/** The distinct channel ids a file mentions, so the caller can look up only those. */
export function channelIdsInCsv(csv: string): string[] {
  try {
    const [header, ...records] = parseCsv(csv);
    const index = header?.fields.map((name) => name.trim().toLowerCase()).indexOf('channel') ?? -1;
    if (index < 0) return [];
    return [...new Set(records.map((record) => (record.fields[index] ?? '').trim()).filter((id) => id.length > 0))];
  } catch {
    return [];
  }
}

export async function importFollowerCsv(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  csv: string;
  knownChannels: ReadonlyMap<string, Channel>;
  now?: Date;
  timeZone: string;
}): Promise<ImportResult> {
  const now = options.now ?? new Date();
  const { rows, errors } = validateFollowerCsv(options.csv, options.knownChannels, {
    today: localDate(now, options.timeZone),
  });
  if (errors.length > 0) return { ok: false, errors };
  const collectedAt = now.toISOString();
  const writes: FollowerWrite[] = rows.map((row) => ({
    channel: options.knownChannels.get(row.channelId)!,
    date: row.date,
    count: row.count,
    source: 'import',
    collectedAt,
  }));
  const written = await batchWriteFollowerCounts(options.doc, options.table, writes);
  return { ok: true, written };
}

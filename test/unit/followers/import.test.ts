import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRow } from '../../../shared/followers/formats/csv';
import { importFollowerCsv, validateFollowerCsv, channelIdsInCsv } from '../../../shared/followers/import';
import { parseCsv } from '../../../shared/followers/csv-parse';
import { CITY_CHANNELS, recordingDoc } from './fixtures';

const known = new Map(CITY_CHANNELS.map((entry) => [entry.id, entry]));
const now = new Date('2024-03-01T10:00:00Z');

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and skips a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""","line\nbreak"\nplain,\r\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', 'line\nbreak'] },
      { line: 4, fields: ['plain', ''] },
    ]);
  });

  it('reads back whatever the report CSV writes', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'ä', ',', '"', '\r', '\n', '\r\n', ' ', '€', '😀') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map((fields) => `${csvRow(fields)}\r\n`).join('');
        expect(parseCsv(text).map((record) => record.fields)).toEqual(rows);
      }),
    );
  });

  it('refuses an unclosed quote', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(/line 2: a quoted field is not closed/);
  });
});

describe('validateFollowerCsv', () => {
  it('reports every bad row with its line, field and reason', () => {
    const csv = [
      'date,channel,count',
      '2024-02-01,city-facebook,37000',
      '2024-02-01,city-instagram,-5',
      '2024-02-01,city-youtube,2.140',
      '2024-02-01,city-facebook,37001',
      '2024-02-01,city-tiktok,12',
      '2024-02-30,city-linkedin,3139',
      '2024-03-02,city-linkedin,3139',
      '2024-02-01,city-linkedin',
    ].join('\n');
    const { errors, rows } = validateFollowerCsv(csv, known, { today: '2024-03-01' });
    expect(errors).toEqual([
      { line: 3, field: 'count', message: '-5 is negative' },
      { line: 4, field: 'count', message: '"2.140" is not a whole number (write 37177, without separators)' },
      { line: 5, field: 'date', message: 'second row for city-facebook on 2024-02-01 (first on line 2)' },
      { line: 6, field: 'channel', message: 'unknown channel "city-tiktok"' },
      { line: 7, field: 'date', message: '"2024-02-30" is not a date as yyyy-mm-dd' },
      { line: 8, field: 'date', message: '2024-03-02 is in the future' },
      { line: 9, field: '(row)', message: 'has 2 fields, the header has 3' },
      { line: 9, field: 'count', message: '"" is not a whole number (write 37177, without separators)' },
    ]);
    expect(rows.map((row) => row.line)).toEqual([2]);
  });

  it('needs the three columns in the header, in any order', () => {
    expect(validateFollowerCsv('day,channel,count\n', known, { today: '2024-03-01' }).errors).toEqual([
      { line: 1, field: '(header)', message: 'missing column(s) date; expected date,channel,count' },
    ]);
    expect(
      validateFollowerCsv('count,date,channel\n7113,2024-02-02,city-instagram\n', known, { today: '2024-03-01' }).rows,
    ).toEqual([{ line: 2, date: '2024-02-02', channelId: 'city-instagram', count: 7113 }]);
  });

  it('refuses an empty file and a header without rows', () => {
    expect(validateFollowerCsv('', known, { today: '2024-03-01' }).errors[0]?.message).toMatch(/empty/);
    expect(validateFollowerCsv('date,channel,count\r\n', known, { today: '2024-03-01' }).errors[0]?.message).toMatch(
      /no rows/,
    );
  });

  it('lists the channel ids a file names', () => {
    expect(channelIdsInCsv('date,channel,count\n2024-01-01,a,1\n2024-01-02,a,2\n2024-01-02,b,2\n')).toEqual(['a', 'b']);
  });
});

describe('importFollowerCsv', () => {
  it('writes nothing when any row fails', async () => {
    const { doc, sent } = recordingDoc();
    const result = await importFollowerCsv({
      doc,
      table: 't',
      csv: 'date,channel,count\n2024-02-02,city-facebook,37177\n2024-02-02,city-youtube,abc\n',
      knownChannels: known,
      now,
      timeZone: 'Europe/Berlin',
    });
    expect(result).toEqual({
      ok: false,
      errors: [{ line: 3, field: 'count', message: '"abc" is not a whole number (write 37177, without separators)' }],
    });
    expect(sent).toEqual([]);
  });

  it('batch-writes valid rows as imported figures, 25 per request', async () => {
    const { doc, sent } = recordingDoc();
    const rows = Array.from(
      { length: 30 },
      (_, day) => `2024-01-${String(day + 1).padStart(2, '0')},city-facebook,${37000 + day}`,
    );
    const result = await importFollowerCsv({
      doc,
      table: 't',
      csv: ['date,channel,count', ...rows].join('\r\n'),
      knownChannels: known,
      now,
      timeZone: 'Europe/Berlin',
    });
    expect(result).toEqual({ ok: true, written: 30 });
    expect(sent.map((command) => command.name)).toEqual(['BatchWriteCommand', 'BatchWriteCommand']);
    const first = (sent[0]?.input.RequestItems as Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>)
      .t;
    expect(first).toHaveLength(25);
    expect(first?.[0]?.PutRequest.Item).toEqual({
      PK: 'CHANNEL#city-facebook',
      SK: 'FOLLOWERS#2024-01-01',
      count: 37000,
      source: 'import',
      collectedAt: now.toISOString(),
      platform: 'facebook',
      org: 'city',
    });
  });
});

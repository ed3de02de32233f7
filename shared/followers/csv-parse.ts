/** A strict RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF. */

export interface CsvRecord {
  /** the file line the record starts on, 1-based */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let position = 0;
  let quoted = false;
  let fieldStarted = false;

  const endRecord = () => {
    fields.push(field);
    // A blank line is no record (and ends most files).
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };

  while (position < input.length) {
    const char = input[position]!;
    if (quoted) {
      if (char === '"') {
        if (input[position + 1] === '"') {
          field += '"';
          position += 2;
          continue;
        }
        quoted = false;
        position++;
        const next = input[position];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n')
          throw new CsvSyntaxError(line, 'text after a closing quote');
        continue;
      }
      if (char === '\n') line++;
      field += char;
      position++;
      continue;
    }
    if (char === '"') {
      if (field.length > 0) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
      quoted = true;
      fieldStarted = true;
      position++;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
      position++;
    } else if (char === '\r' || char === '\n') {
      endRecord();
      position += char === '\r' && input[position + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += char;
      fieldStarted = true;
      position++;
    }
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed');
  if (field.length > 0 || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

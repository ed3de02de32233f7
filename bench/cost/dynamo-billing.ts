/**
 * DynamoDB's on-demand billing rules, applied to the items of a request (low-level AttributeValue
 * form). Sources, each read 2026-12-02 (docs/COST.md cites them in full):
 * - item size: attribute names plus values; numbers ≈ 1 byte per 2 significant digits + 1; lists and
 *   maps 3 bytes + 1 byte per element (developer guide, "Item sizes and formats");
 * - a write request unit covers 1 KB, a read request unit a strongly consistent 4 KB (half for
 *   eventually consistent), sizes rounded up, at least one unit (read-write-operations.html);
 * - Put/Update pay the larger of the item's size before and after; a failed condition still pays;
 * - transactions pay twice; BatchGet/BatchWrite pay per item; Query pays the sum of the items it
 *   read, rounded up to 4 KB once per page;
 * - every write touching a global secondary index costs index writes: one for an entry added,
 *   changed or removed, two when the index key changes (delete + put) (GSI.html).
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array | string }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: (Uint8Array | string)[] };

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(value: string): number {
  const digits = value.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

const binarySize = (value: Uint8Array | string) =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.length;

export function valueSize(value: AttributeValue): number {
  if ('S' in value) return utf8(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return binarySize(value.B);
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('L' in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if ('M' in value)
    return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  if ('SS' in value) return value.SS.reduce((sum, element) => sum + utf8(element), 0);
  if ('NS' in value) return value.NS.reduce((sum, element) => sum + numberSize(element), 0);
  return value.BS.reduce((sum, element) => sum + binarySize(element), 0);
}

/** An item's size in bytes as DynamoDB bills it. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  /** ALL, KEYS_ONLY or INCLUDE with these attributes */
  projection: { type: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; attributes?: string[] };
}

export interface TableDefinition {
  keys: string[];
  indexes: IndexDefinition[];
}

function indexEntry(item: Item, table: TableDefinition, index: IndexDefinition): Item | undefined {
  if (!(index.partitionKey in item) || (index.sortKey !== undefined && !(index.sortKey in item))) return undefined;
  if (index.projection.type === 'ALL') return item;
  const names = new Set([...table.keys, index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]);
  for (const name of index.projection.type === 'INCLUDE' ? (index.projection.attributes ?? []) : []) names.add(name);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

function sameEntry(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => sameValue(a[name], b[name]));
}

/** The write units one index costs when an item goes from `before` to `after` (undefined: absent). */
export function indexWriteUnits(
  table: TableDefinition,
  index: IndexDefinition,
  before: Item | undefined,
  after: Item | undefined,
): number {
  const old = before && indexEntry(before, table, index);
  const next = after && indexEntry(after, table, index);
  if (!old && !next) return 0;
  if (old && !next) return writeUnits(itemSize(old));
  if (!old && next) return writeUnits(itemSize(next));
  const keyChanged =
    !sameValue(old![index.partitionKey], next![index.partitionKey]) ||
    (index.sortKey !== undefined && !sameValue(old![index.sortKey], next![index.sortKey]));
  if (keyChanged) return writeUnits(itemSize(old!)) + writeUnits(itemSize(next!));
  return sameEntry(old!, next!) ? 0 : writeUnits(itemSize(next!));
}

export interface WriteCost {
  table: number;
  indexes: number;
}

/**
 * A single-item write (Put, Update, Delete, or a transaction's ConditionCheck when before = after):
 * the table pays the larger size, each index what `indexWriteUnits` says. Transactions double the
 * table's units; the index writes they cause are billed as ordinary index writes.
 */
export function itemWriteCost(
  table: TableDefinition,
  before: Item | undefined,
  after: Item | undefined,
  transactional = false,
): WriteCost {
  const size = Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0);
  const base = writeUnits(size) * (transactional ? 2 : 1);
  const indexes = table.indexes.reduce((sum, index) => sum + indexWriteUnits(table, index, before, after), 0);
  return { table: base, indexes };
}

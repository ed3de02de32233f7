/**
 * Page cursors: a query's LastEvaluatedKey as opaque base64url JSON. A cursor comes back from a
 * client, so it is only accepted for the listing it was issued for (`accepts`): a cursor of another
 * organisation or state would otherwise start a query inside someone else's partition.
 */
export const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(
  cursor: string,
  accepts: (key: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  if (!accepts(key as Record<string, unknown>)) throw new InvalidCursorError();
  return key as Record<string, unknown>;
}

/** The API answers it with 400 (shared/api/http.ts): a cursor is the client's input. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not valid for this listing');
    this.name = 'InvalidCursorError';
  }
}

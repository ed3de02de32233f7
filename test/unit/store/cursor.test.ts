import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../../shared/store/cursor';

const ownOrg = (key: Record<string, unknown>) => key.GSI1PK === 'ORG#city';

describe('page cursors', () => {
  it('give back the key they were made from', () => {
    const key = { PK: 'MSG#1', SK: 'MSG', GSI1PK: 'ORG#city', GSI1SK: '2026-12-03T06:00:00.000Z#1' };
    expect(decodeCursor(encodeCursor(key), ownOrg)).toEqual(key);
  });

  it.each([
    ['another listing’s key', encodeCursor({ PK: 'MSG#1', GSI1PK: 'ORG#fire-brigade' })],
    ['not base64url JSON', 'not-json!'],
    ['JSON that is not an object', Buffer.from('"ORG#city"').toString('base64url')],
    ['an array', Buffer.from('[]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
  ])('refuse %s', (_what, cursor) => {
    expect(() => decodeCursor(cursor, ownOrg)).toThrow(InvalidCursorError);
  });
});

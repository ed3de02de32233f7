import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CACHE_TTL_MS,
  credentialsChangedAt,
  forgetCredentials,
  loadCredentials,
  saveCredentials,
} from '../../../shared/publishing/credentials';

const REF = 'local:city-x-cache';
let file: string;
const storeFile = (accessToken: string) =>
  writeFile(file, JSON.stringify({ [REF]: { accessToken, refreshToken: 'r' } }));

beforeEach(async () => {
  file = path.join(await mkdtemp(path.join(tmpdir(), 'herold-credentials-')), 'credentials.json');
  process.env.HEROLD_CREDENTIALS_FILE = file;
  await storeFile('first');
  forgetCredentials(REF);
});
afterEach(() => {
  delete process.env.HEROLD_CREDENTIALS_FILE;
});

describe('the credential cache', () => {
  it('keeps a copy for an hour, then reads again', async () => {
    const start = Date.now();
    expect((await loadCredentials(REF, { now: start })).accessToken).toBe('first');
    await storeFile('changed by hand');
    expect((await loadCredentials(REF, { now: start + CACHE_TTL_MS - 1 })).accessToken).toBe('first');
    expect((await loadCredentials(REF, { now: start + CACHE_TTL_MS })).accessToken).toBe('changed by hand');
  });

  it('reads again when the channel item says the credentials changed after the copy was read', async () => {
    const start = Date.parse('2026-12-03T06:00:00Z');
    await loadCredentials(REF, { now: start });
    await storeFile('reconnected');
    // a change well before the copy was read: the copy stands
    expect((await loadCredentials(REF, { now: start + 1000, changedAt: '2026-12-03T05:00:00Z' })).accessToken).toBe(
      'first',
    );
    // connected again (in another function) after the copy was read
    expect((await loadCredentials(REF, { now: start + 1000, changedAt: '2026-12-03T06:00:00.500Z' })).accessToken).toBe(
      'reconnected',
    );
  });

  it('keeps what a renewal stored as the copy, without reading it back', async () => {
    await loadCredentials(REF);
    await saveCredentials(REF, { accessToken: 'renewed', refreshToken: 'r2' });
    await storeFile('someone else, later');
    expect(await loadCredentials(REF)).toEqual({ accessToken: 'renewed', refreshToken: 'r2' });
  });

  it('finds a channel added to the file after it was read for another', async () => {
    await loadCredentials(REF);
    await writeFile(
      file,
      JSON.stringify({ [REF]: { accessToken: 'first', refreshToken: 'r' }, 'local:city-added': { botToken: 'b' } }),
    );
    expect(await loadCredentials('local:city-added')).toEqual({ botToken: 'b' });
  });

  it('drops the copy when told (after an auth error)', async () => {
    await loadCredentials(REF);
    await storeFile('new');
    forgetCredentials(REF);
    expect((await loadCredentials(REF)).accessToken).toBe('new');
  });

  it('keeps secrets changed only by hand for at most their own shorter lifetime', async () => {
    const start = Date.now();
    await loadCredentials(REF, { now: start, maxAgeMs: 5 * 60_000 });
    await storeFile('rotated');
    expect((await loadCredentials(REF, { now: start + 5 * 60_000, maxAgeMs: 5 * 60_000 })).accessToken).toBe('rotated');
  });

  it("takes the later of the channel's connection and its last renewal as the change", () => {
    expect(
      credentialsChangedAt({
        connection: { status: 'connected', connectedAt: '2026-12-01T10:00:00.000Z' },
        tokenRefreshedAt: '2026-12-02T04:00:00.000Z',
      }),
    ).toBe('2026-12-02T04:00:00.000Z');
    expect(credentialsChangedAt({})).toBeUndefined();
  });
});

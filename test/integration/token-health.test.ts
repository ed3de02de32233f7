/**
 * The daily token health check in the local stack: the real handler against DynamoDB Local, the
 * platform simulator and a temporary copy of the seed credentials (the seed itself is never written).
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import { SEED_CREDENTIALS_FILE } from '../../local/seed';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from '../support/isolated-stack';

type CredentialsFile = Record<string, Record<string, string>>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const startedAt = Date.now();
const iso = (offsetMs: number) => new Date(startedAt + offsetMs).toISOString();

let stack: LocalStack;
let directory: string;
let credentialsFile: string;
let seedHash: string;

const hash = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const readCredentials = async () => JSON.parse(await readFile(credentialsFile, 'utf8')) as CredentialsFile;

beforeAll(async () => {
  seedHash = await hash(SEED_CREDENTIALS_FILE);
  directory = await mkdtemp(path.join(tmpdir(), 'herold-token-health-'));
  credentialsFile = path.join(directory, 'credentials.json');
  await copyFile(SEED_CREDENTIALS_FILE, credentialsFile);
  const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as CredentialsFile;
  credentials['local:city-threads'] = { ...credentials['local:city-threads'], issuedAt: iso(-3 * DAY_MS) };
  credentials['local:fire-brigade-threads'] = {
    ...credentials['local:fire-brigade-threads'],
    issuedAt: iso(-2 * HOUR_MS),
    expiresAt: iso(60 * DAY_MS - 2 * HOUR_MS),
  };
  credentials['local:city-x'] = {
    ...credentials['local:city-x'],
    refreshToken: 'sim-x-refresh-city',
    clientId: 'herold-local',
  };
  credentials['local:city-linkedin'] = { ...credentials['local:city-linkedin'], expiresAt: iso(3 * DAY_MS) };
  credentials['local:fire-brigade-instagram'] = { accessToken: 'revoked-instagram-token' };
  await writeFile(credentialsFile, JSON.stringify(credentials, null, 2));

  stack = await startIsolatedStack('tokens', {
    credentialsFile,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function channelsOf(org: string): Promise<Record<string, Record<string, unknown>>> {
  const token = await signToken({ sub: 'olaf', org, roles: ['editor', 'admin'] });
  const response = await fetch(`${stack.apiUrl}/channels`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: Record<string, unknown>[] };
  return Object.fromEntries(items.map((item) => [item.id as string, item]));
}

/**
 * Runs the daily check and waits for it: the run only sends check-token jobs, the platforms'
 * functions check the channels from their queues, each recording when it checked.
 */
async function runTokenHealth(): Promise<void> {
  const startedAt = new Date().toISOString();
  await stack.schedules.runNow('token-health');
  for (let attempt = 0; attempt < 150; attempt++) {
    const all = [...Object.values(await channelsOf('city')), ...Object.values(await channelsOf('fire-brigade'))];
    const pending = all.filter(
      (channel) =>
        channel.platform !== 'whatsapp' &&
        channel.state !== 'retired' &&
        ((channel.tokenCheckedAt as string | undefined) ?? '') < startedAt,
    );
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the token checks did not all finish within 30 s');
}

describe('the token health check in the local stack', () => {
  it('refreshes, rotates and inspects tokens, writes them back and shows each channel its expiry', async () => {
    const before = await readCredentials();
    await runTokenHealth();
    const after = await readCredentials();
    const city = await channelsOf('city');
    const fireBrigade = await channelsOf('fire-brigade');

    // Threads, three days old: refreshed for another 60 days and stored with its dates
    expect(after['local:city-threads']).toMatchObject({
      accessToken: 'sim-threads-token',
      issuedAt: before['local:city-threads']!.issuedAt,
    });
    const threadsExpiry = Date.parse(after['local:city-threads']!.expiresAt!);
    expect(threadsExpiry - Date.parse(after['local:city-threads']!.refreshedAt!)).toBe(60 * DAY_MS);
    expect(city['city-threads']).toMatchObject({
      tokenExpiresAt: after['local:city-threads']!.expiresAt,
      tokenCheckedAt: after['local:city-threads']!.refreshedAt,
    });

    // Threads, two hours old: too young to refresh, left as it was
    expect(after['local:fire-brigade-threads']).toEqual(before['local:fire-brigade-threads']);
    expect(fireBrigade['fire-brigade-threads']).toMatchObject({
      tokenExpiresAt: before['local:fire-brigade-threads']!.expiresAt,
    });

    // X (frozen, still kept alive): both tokens rotated and stored
    expect(after['local:city-x']!.refreshToken).toMatch(/^sim-x-refresh-/);
    expect(after['local:city-x']!.refreshToken).not.toBe('sim-x-refresh-city');
    expect(after['local:city-x']!.accessToken).not.toBe('sim-x-token');
    expect(city['city-x']).toMatchObject({ state: 'frozen', tokenExpiresAt: after['local:city-x']!.expiresAt });

    // LinkedIn cannot be refreshed and expires in three days: recorded, not flagged
    expect(city['city-linkedin']).toMatchObject({ tokenExpiresAt: before['local:city-linkedin']!.expiresAt });
    expect(city['city-linkedin']!.needsReauth).toBeUndefined();

    // Facebook Page token: valid and never expiring; Instagram: valid with an expiry, or revoked
    expect(city['city-facebook']!.tokenExpiresAt).toBeUndefined();
    expect(city['city-facebook']!.tokenCheckedAt).toEqual(expect.any(String));
    expect(Date.parse(city['city-instagram']!.tokenExpiresAt as string)).toBeGreaterThan(startedAt);
    expect(fireBrigade['fire-brigade-instagram']).toMatchObject({
      needsReauth: true,
      tokenCheckedAt: expect.any(String),
    });

    // the channel items carry dates, never a token or the credentials reference
    for (const channel of [...Object.values(city), ...Object.values(fireBrigade)]) {
      expect(JSON.stringify(channel)).not.toMatch(/sim-[a-z]+-(token|refresh|access)|revoked/);
      expect(channel.credentialsRef).toBeUndefined();
    }
    expect(await hash(SEED_CREDENTIALS_FILE)).toBe(seedHash);
  });

  it('keeps the rotated X token usable: the next run rotates it again', async () => {
    const first = (await readCredentials())['local:city-x']!;
    await runTokenHealth();
    const second = (await readCredentials())['local:city-x']!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await channelsOf('city'))['city-x']!.needsReauth).toBeUndefined();
  });
});

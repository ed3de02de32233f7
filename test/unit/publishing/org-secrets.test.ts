import { describe, expect, it } from 'vitest';
import {
  changeOrgSecret,
  secretLocation,
  type OrgEntries,
  type OrgSecretDeps,
  type SecretBackend,
  type SecretLease,
} from '../../../shared/publishing/org-secrets';

const SECRET = 'herold/orgs/city';
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/**
 * Secrets Manager in memory: every call takes a few event-loop turns, so two changes started together
 * interleave their reads and writes. `staleCurrent` makes a read of the current version return the one
 * before the last write (an eventually consistent read); a read by version id is always exact.
 */
function memoryBackend(initial: OrgEntries, options: { staleCurrent?: boolean } = {}) {
  const versions: { id: string; value: string }[] = [{ id: 'v1', value: JSON.stringify(initial) }];
  const backend: SecretBackend = {
    async read(_secretId, versionId) {
      await tick();
      await tick();
      if (versionId)
        return versions.find((version) => version.id === versionId)
          ? { value: versions.find((version) => version.id === versionId)!.value, versionId }
          : undefined;
      const current = versions.at(options.staleCurrent && versions.length > 1 ? -2 : -1)!;
      return { value: current.value, versionId: current.id };
    },
    async write(_secretId, value) {
      await tick();
      const id = `v${versions.length + 1}`;
      versions.push({ id, value });
      return id;
    },
  };
  return { backend, current: () => JSON.parse(versions.at(-1)!.value) as OrgEntries, versions };
}

/** The DynamoDB lease's rules in memory: one holder until its time is up; the last written version kept. */
function memoryLease(): SecretLease & { holds: number } {
  const items = new Map<string, { holder: string; until: number; written?: string }>();
  return {
    holds: 0,
    async acquire(secretId, holder, untilMs, now) {
      await tick();
      const item = items.get(secretId);
      if (item && item.until >= now) return false;
      items.set(secretId, { holder, until: untilMs, ...(item?.written ? { written: item.written } : {}) });
      this.holds += 1;
      return item?.written ? { lastVersion: item.written } : {};
    },
    async release(secretId, holder, written) {
      await tick();
      const item = items.get(secretId);
      if (item?.holder !== holder) return;
      items.set(secretId, {
        holder,
        until: 0,
        ...(written ? { written } : item.written ? { written: item.written } : {}),
      });
    },
  };
}

const deps = (backend: SecretBackend, lease: SecretLease, overrides: Partial<OrgSecretDeps> = {}): OrgSecretDeps => ({
  backend,
  lease,
  now: Date.now,
  sleep: () => tick(),
  leaseMs: 25_000,
  waitMs: 5_000,
  ...overrides,
});

const renew = (channelId: string, accessToken: string) => (entries: OrgEntries) => {
  if (!entries[channelId]) throw new Error(`no entry ${channelId}`);
  return { ...entries, [channelId]: { ...entries[channelId], accessToken } };
};

const ORG: OrgEntries = {
  'city-x-1': { accessToken: 'x-old', refreshToken: 'x-refresh' },
  'city-threads-1': { accessToken: 'threads-old' },
  'city-telegram-1': { botToken: 'bot' },
};

describe("an organisation's one secret", () => {
  it('keeps both of two renewals of two channels that run at the same time', async () => {
    const { backend, current } = memoryBackend(ORG);
    const lease = memoryLease();
    await Promise.all([
      changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, lease)),
      changeOrgSecret(SECRET, renew('city-threads-1', 'threads-new'), deps(backend, lease)),
    ]);
    expect(current()).toEqual({
      'city-x-1': { accessToken: 'x-new', refreshToken: 'x-refresh' },
      'city-threads-1': { accessToken: 'threads-new' },
      'city-telegram-1': { botToken: 'bot' },
    });
    expect(lease.holds).toBe(2);
  });

  it('would lose one of them without the lease: the race it is there for', async () => {
    const { backend, current } = memoryBackend(ORG);
    const alwaysGranted: SecretLease = { acquire: async () => ({}), release: async () => undefined };
    await Promise.all([
      changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, alwaysGranted)),
      changeOrgSecret(SECRET, renew('city-threads-1', 'threads-new'), deps(backend, alwaysGranted)),
    ]);
    const stored = current();
    const kept = [stored['city-x-1']?.accessToken === 'x-new', stored['city-threads-1']?.accessToken === 'threads-new'];
    expect(kept.filter(Boolean)).toHaveLength(1);
  });

  it('keeps ten concurrent changes of one organisation, each channel its own', async () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`city-c-${i}`, { accessToken: 'old' }]));
    const { backend, current, versions } = memoryBackend(many);
    const lease = memoryLease();
    await Promise.all(
      Object.keys(many).map((channelId) =>
        changeOrgSecret(SECRET, renew(channelId, `new-${channelId}`), deps(backend, lease)),
      ),
    );
    expect(current()).toEqual(
      Object.fromEntries(Object.keys(many).map((channelId) => [channelId, { accessToken: `new-${channelId}` }])),
    );
    expect(versions).toHaveLength(11);
  });

  it('reads the version the last holder wrote, not an older copy an eventually consistent read returns', async () => {
    const { backend, current } = memoryBackend(ORG, { staleCurrent: true });
    const lease = memoryLease();
    await changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, lease));
    await changeOrgSecret(SECRET, renew('city-threads-1', 'threads-new'), deps(backend, lease));
    expect(current()['city-x-1']?.accessToken).toBe('x-new');
    expect(current()['city-threads-1']?.accessToken).toBe('threads-new');
  });

  it('takes over the lease of a holder that died once its time is up', async () => {
    const { backend, current } = memoryBackend(ORG);
    const lease = memoryLease();
    let now = 1_000_000;
    await lease.acquire(SECRET, 'crashed', now + 25_000, now);
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms), pollMs: 1_000, waitMs: 60_000 };
    await changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, lease, clock));
    expect(current()['city-x-1']?.accessToken).toBe('x-new');
    expect(now).toBeGreaterThan(1_025_000);
  });

  it('gives up, changing nothing, when another writer holds the lease longer than it waits', async () => {
    const { backend, versions } = memoryBackend(ORG);
    const lease = memoryLease();
    let now = 1_000_000;
    await lease.acquire(SECRET, 'slow', now + 120_000, now);
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms), pollMs: 1_000, waitMs: 50_000 };
    await expect(changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, lease, clock))).rejects.toThrow(
      /being changed by someone else/,
    );
    expect(versions).toHaveLength(1);
  });

  it('gives the lease back when the change fails, and writes nothing', async () => {
    const { backend, versions } = memoryBackend(ORG);
    const lease = memoryLease();
    await expect(changeOrgSecret(SECRET, renew('city-gone', 'x'), deps(backend, lease))).rejects.toThrow(/no entry/);
    expect(versions).toHaveLength(1);
    await changeOrgSecret(SECRET, renew('city-x-1', 'x-new'), deps(backend, lease, { waitMs: 0 }));
    expect(versions).toHaveLength(2);
  });

  it('creates the secret with its first entry', async () => {
    const writes: { create: boolean; tags?: Record<string, string> }[] = [];
    const backend: SecretBackend = {
      read: async () => undefined,
      write: async (_id, _value, options) => {
        writes.push(options);
        return 'v1';
      },
    };
    const stored = await changeOrgSecret(
      SECRET,
      (entries) => ({ ...entries, 'city-x-1': { accessToken: 'a' } }),
      deps(backend, memoryLease()),
      { 'herold:org': 'city' },
    );
    expect(stored).toEqual({ 'city-x-1': { accessToken: 'a' } });
    expect(writes).toEqual([{ create: true, tags: { 'herold:org': 'city' } }]);
  });
});

describe('credential references', () => {
  it("names a channel's own secret, or an entry of its organisation's secret", () => {
    expect(secretLocation('herold/x/city-x-1')).toEqual({ secretId: 'herold/x/city-x-1' });
    expect(secretLocation('herold-staging/orgs/city#city-x-1')).toEqual({
      secretId: 'herold-staging/orgs/city',
      entry: 'city-x-1',
    });
  });
});

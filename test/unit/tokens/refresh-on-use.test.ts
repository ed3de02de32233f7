/**
 * Token refresh on use: when a publisher renews a token first, and that two publishers holding the
 * same stale token renew it once (X spends a refresh token on use: a second refresh with it fails).
 */
import { describe, expect, it } from 'vitest';
import { PlatformError, type Credentials } from '../../../shared/platforms/client';
import {
  dueForRefresh,
  REFRESH_AHEAD_MS,
  renewOnce,
  type RefreshLease,
  type RenewalDeps,
} from '../../../shared/tokens/refresh-on-use';

// the renewals below run on the real clock (deps.now): expiries are set relative to it, never to a fixed date
const now = Date.now();
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

describe('whether credentials are renewed before use', () => {
  const stale = { accessToken: 'a', refreshToken: 'r' };

  it('renews an expired token, and one that expires within the margin', () => {
    expect(dueForRefresh({ ...stale, expiresAt: at(-1) }, now)).toBe(true);
    expect(dueForRefresh({ ...stale, expiresAt: at(REFRESH_AHEAD_MS) }, now)).toBe(true);
  });

  it('keeps a token that lives longer than the margin', () => {
    expect(dueForRefresh({ ...stale, expiresAt: at(REFRESH_AHEAD_MS + 1000) }, now)).toBe(false);
  });

  it('never renews ahead without a refresh token or a readable expiry', () => {
    expect(dueForRefresh({ accessToken: 'a', expiresAt: at(-1) }, now)).toBe(false);
    expect(dueForRefresh(stale, now)).toBe(false);
    expect(dueForRefresh({ ...stale, expiresAt: 'soon' }, now)).toBe(false);
  });
});

/**
 * A platform that rotates refresh tokens like X: each refresh spends the one sent. Its answers wait
 * on the shared clock's sleeps, so contenders really overlap.
 */
function rotatingPlatform() {
  const spent = new Set<string>();
  let issued = 0;
  const refreshes: string[] = [];
  return {
    refreshes,
    async refresh(current: Credentials): Promise<Credentials> {
      refreshes.push(current.refreshToken!);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (spent.has(current.refreshToken!))
        throw new PlatformError('auth', 'refresh token: HTTP 400 Value passed for the token was invalid.');
      spent.add(current.refreshToken!);
      issued += 1;
      return {
        ...current,
        accessToken: `access-${issued}`,
        refreshToken: `refresh-${issued}`,
        expiresAt: at(7_200_000),
      };
    },
  };
}

/** The lease as DynamoDB's conditional put behaves: one holder until its time is up. */
function memoryLease(): RefreshLease & { taken: number } {
  let held: { holder: string; until: number } | undefined;
  const lease = {
    taken: 0,
    async acquire(_channelId: string, holder: string, untilMs: number, at: number) {
      if (held && held.until >= at) return false;
      held = { holder, until: untilMs };
      lease.taken += 1;
      return true;
    },
    async release(_channelId: string, holder: string) {
      if (held?.holder === holder) held = undefined;
    },
  };
  return lease;
}

function secretStore(initial: Credentials) {
  let stored = { ...initial };
  return {
    saves: 0,
    load: async () => ({ ...stored }),
    save: async (credentials: Credentials) => {
      stored = { ...credentials };
    },
    get current() {
      return stored;
    },
  };
}

const deps = (
  store: ReturnType<typeof secretStore>,
  lease: RefreshLease,
  holder: string,
  overrides: Partial<RenewalDeps> = {},
): RenewalDeps => ({
  lease,
  holder,
  loadStored: store.load,
  save: async (credentials) => {
    store.saves += 1;
    await store.save(credentials);
  },
  recordRenewal: async () => undefined,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  leaseMs: 5_000,
  waitMs: 5_000,
  pollMs: 5,
  ...overrides,
});

const expired: Credentials = {
  accessToken: 'access-0',
  refreshToken: 'refresh-0',
  clientId: 'herold',
  expiresAt: at(-60_000),
};

describe('renewing once for everyone', () => {
  it('renews, stores the new pair and notes the renewal', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    const recorded: Credentials[] = [];
    const renewed = await renewOnce(
      'city-x',
      expired,
      platform.refresh,
      deps(store, memoryLease(), 'a', { recordRenewal: async (credentials) => void recorded.push(credentials) }),
    );
    expect(renewed).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', clientId: 'herold' });
    expect(store.current).toEqual(renewed);
    expect(recorded).toEqual([renewed]);
  });

  it('lets two concurrent publishers with the same stale token rotate it once and both use the result', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    const lease = memoryLease();
    const [first, second] = await Promise.all([
      renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'a')),
      renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'b')),
    ]);
    expect(platform.refreshes).toEqual(['refresh-0']);
    expect(store.saves).toBe(1);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
  });

  it('does not renew again what the previous lease holder renewed while it waited', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    const lease = memoryLease();
    await renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'a'));
    // a publisher that read the secret before the renewal comes late, when the lease is free again
    const late = await renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'b'));
    expect(platform.refreshes).toEqual(['refresh-0']);
    expect(late).toMatchObject({ accessToken: 'access-1' });
  });

  it('takes over a lease whose holder died once its time is up', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    const lease = memoryLease();
    await lease.acquire('city-x', 'dead', Date.now() + 30, Date.now());
    const renewed = await renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'b'));
    expect(renewed).toMatchObject({ accessToken: 'access-1' });
    expect(lease.taken).toBe(2);
  });

  it('gives up for this attempt (retryable) when the holder neither finishes nor lets go in time', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    const lease = memoryLease();
    await lease.acquire('city-x', 'slow', Date.now() + 60_000, Date.now());
    await expect(
      renewOnce('city-x', expired, platform.refresh, deps(store, lease, 'b', { waitMs: 50 })),
    ).rejects.toMatchObject({ errorClass: 'retryable', code: 'TOKEN_RENEWAL_IN_PROGRESS' });
    expect(platform.refreshes).toEqual([]);
  });

  it('uses what someone else stored when its own refresh finds the refresh token spent', async () => {
    const platform = rotatingPlatform();
    const store = secretStore(expired);
    // someone renewed outside the lease (theirs ran out) between our read and our refresh
    const refresh = async (current: Credentials) => {
      await store.save(await platform.refresh(current));
      return platform.refresh(current);
    };
    const renewed = await renewOnce('city-x', expired, refresh, deps(store, memoryLease(), 'a'));
    expect(renewed).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(store.saves).toBe(0);
  });

  it('passes a refusal on when nobody renewed: the channel needs a person', async () => {
    const store = secretStore(expired);
    const refuse = async () => {
      throw new PlatformError('auth', 'refresh token: HTTP 400 invalid_grant');
    };
    await expect(renewOnce('city-x', expired, refuse, deps(store, memoryLease(), 'a'))).rejects.toMatchObject({
      errorClass: 'auth',
    });
    expect(store.current).toEqual(expired);
  });
});

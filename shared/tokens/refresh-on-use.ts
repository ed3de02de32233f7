/**
 * Token refresh on use: a publisher about to use an access token that has expired, or expires
 * within REFRESH_AHEAD_MS, renews it first with the platform's refresh grant
 * (PlatformClient.refreshCredentials) and stores the result as a new version of the channel's secret.
 *
 * Several publishers may hold the same stale token at once (a batch, two lanes, the daily token
 * health check). X rotates refresh tokens: the first refresh spends the one stored, and a second
 * refresh with it fails, which would fail that delivery and flag the channel for re-authorisation.
 * So one renewal per channel runs at a time, under a lease (a conditional DynamoDB item, see
 * ./refresh-lease). Whoever does not get the lease waits for the new secret and uses it. And a
 * refresh the platform refuses is checked against the stored secret once more: if someone else
 * renewed it in between (a lease that ran out), their credentials are used instead of failing.
 */
import { PlatformError, type Credentials } from '../platforms/client';

/** Renew this long before the recorded expiry: covers one attempt's requests (a video upload included). */
export const REFRESH_AHEAD_MS = 10 * 60_000;

/**
 * Whether credentials should be renewed before they are used: they carry a refresh token and a
 * recorded expiry (`expiresAt`) that is past or less than REFRESH_AHEAD_MS away. Without a recorded
 * expiry nothing is renewed ahead; a refusal by the platform still renews once (see publish.ts).
 */
export function dueForRefresh(credentials: Credentials, now: number): boolean {
  if (!credentials.refreshToken || !credentials.expiresAt) return false;
  const expiresAt = Date.parse(credentials.expiresAt);
  if (Number.isNaN(expiresAt)) return false;
  return expiresAt - now <= REFRESH_AHEAD_MS;
}

/** One renewal per channel at a time, across every process. */
export interface RefreshLease {
  /** true when this holder now has the channel's lease until `untilMs` */
  acquire(channelId: string, holder: string, untilMs: number, now: number): Promise<boolean>;
  /** gives the lease up, if this holder still has it */
  release(channelId: string, holder: string): Promise<void>;
}

export interface RenewalDeps {
  lease: RefreshLease;
  /** this process's name on the lease */
  holder: string;
  /** the stored credentials, read past any cache */
  loadStored(): Promise<Credentials>;
  /** stores renewed credentials (a new secret version, or the local file) */
  save(credentials: Credentials): Promise<void>;
  /** notes the renewal on the channel item (expiry, when refreshed) */
  recordRenewal(credentials: Credentials): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** how long a lease lasts: longer than a refresh call and the save after it */
  leaseMs: number;
  /** how long to wait for someone else's renewal before giving up on this attempt */
  waitMs: number;
  /** between looks at the stored secret while waiting */
  pollMs?: number;
}

/** Whether the stored credentials are not the ones this publisher used: someone has renewed them. */
const renewedSince = (stored: Credentials, used: Credentials) =>
  stored.accessToken !== used.accessToken || stored.refreshToken !== used.refreshToken;

/**
 * Renews `used` (the credentials this publisher holds) once for everyone: returns credentials to
 * publish with, either renewed here or by whoever renewed them meanwhile. `refresh` is the
 * platform's refresh grant; it gets the freshly read stored credentials, never a cached copy.
 */
export async function renewOnce(
  channelId: string,
  used: Credentials,
  refresh: (current: Credentials) => Promise<Credentials>,
  deps: RenewalDeps,
): Promise<Credentials> {
  const deadline = deps.now() + deps.waitMs;
  for (;;) {
    if (await deps.lease.acquire(channelId, deps.holder, deps.now() + deps.leaseMs, deps.now())) {
      try {
        return await renewHolding(used, refresh, deps);
      } finally {
        await deps.lease.release(channelId, deps.holder);
      }
    }
    // Someone else is renewing: wait for their secret, or for their lease to end.
    await deps.sleep(deps.pollMs ?? 200);
    const stored = await deps.loadStored();
    if (renewedSince(stored, used)) return stored;
    if (deps.now() >= deadline)
      throw new PlatformError('retryable', 'another publisher is renewing this channel’s token; trying again later', {
        code: 'TOKEN_RENEWAL_IN_PROGRESS',
      });
  }
}

async function renewHolding(
  used: Credentials,
  refresh: (current: Credentials) => Promise<Credentials>,
  deps: RenewalDeps,
): Promise<Credentials> {
  // Renewed by the previous holder while this publisher waited for the lease: nothing to do.
  const stored = await deps.loadStored();
  if (renewedSince(stored, used) && !dueForRefresh(stored, deps.now())) return stored;
  let renewed: Credentials;
  try {
    renewed = await refresh(stored);
  } catch (error) {
    // A refresh token spent by someone who renewed without the lease (theirs had run out): use theirs.
    if (error instanceof PlatformError && error.errorClass === 'auth') {
      const again = await deps.loadStored();
      if (renewedSince(again, stored)) return again;
    }
    throw error;
  }
  // X has already spent the old refresh token: the new pair must be stored before anything else.
  await deps.save(renewed);
  await deps.recordRenewal(renewed);
  return renewed;
}

/**
 * What the daily token health check does with one channel's token, decided from the credentials'
 * own dates alone (no platform call): refresh it, ask the platform about it, leave it, warn about it,
 * or ask a person to re-authorise the channel.
 *
 * Credentials may carry, besides the platform's own keys:
 *   `expiresAt`   ISO date-time when the access token expires
 *   `issuedAt`    ISO date-time when a person stored the token
 *   `refreshedAt` ISO date-time when the check last refreshed it (wins over issuedAt)
 */
import type { Credentials } from '../platforms/client';
import type { PlatformId } from '../platforms/registry';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Threads refreshes a long-lived token only once it is at least 24 hours old … */
export const REFRESH_MIN_AGE_MS = DAY_MS;
/** … and before it expires, 60 days after it was issued or last refreshed. */
export const LONG_LIVED_TOKEN_LIFETIME_MS = 60 * DAY_MS;
/** A token that cannot be refreshed and expires within this is reported (metric TokenExpiringSoon). */
export const EXPIRY_WARNING_MS = 7 * DAY_MS;

/** How a platform's token is kept alive. */
export type Renewal =
  /** Threads: a long-lived token exchanged for a fresh one (GET /refresh_access_token) */
  | 'refresh-long-lived'
  /** X: OAuth 2.0 refresh token grant, the refresh token rotates */
  | 'rotate-refresh-token'
  /** Facebook, Instagram (Facebook Login): no refresh by API, but GET /debug_token tells validity and expiry */
  | 'inspect'
  /** the rest: only the credentials' own `expiresAt`, when a person recorded one */
  | 'none';

export function renewalOf(platform: PlatformId): Renewal {
  switch (platform) {
    case 'threads':
      return 'refresh-long-lived';
    case 'x':
      return 'rotate-refresh-token';
    case 'facebook':
    case 'instagram':
      return 'inspect';
    default:
      return 'none';
  }
}

/** The daily check renews this platform's tokens and stores them: its function may write its channels' secrets. */
export const dailyCheckRenews = (platform: PlatformId): boolean => {
  const renewal = renewalOf(platform);
  return renewal === 'refresh-long-lived' || renewal === 'rotate-refresh-token';
};

export interface TokenFacts {
  expiresAt: Date | undefined;
  /** when the current token was issued or last refreshed */
  obtainedAt: Date | undefined;
  /** X: a refresh token and the client id it belongs to are stored */
  canRotate: boolean;
}

function dateOf(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function tokenFacts(credentials: Credentials): TokenFacts {
  return {
    expiresAt: dateOf(credentials.expiresAt),
    obtainedAt: dateOf(credentials.refreshedAt) ?? dateOf(credentials.issuedAt),
    canRotate: Boolean(credentials.refreshToken && credentials.clientId),
  };
}

export type TokenDecision =
  | { action: 'refresh' }
  | { action: 'inspect' }
  /** valid for more than the warning period, or of unknown expiry: nothing to do */
  | { action: 'keep'; expiresAt: Date | undefined }
  /** cannot be refreshed and expires within the warning period */
  | { action: 'warn'; expiresAt: Date }
  /** expired: only a person can issue a new token */
  | { action: 'reauth'; reason: string; expiresAt: Date | undefined };

/** The verdict on a token that cannot be refreshed: by its expiry alone. */
export function judgeExpiry(expiresAt: Date | undefined, now: Date): TokenDecision {
  if (!expiresAt) return { action: 'keep', expiresAt };
  if (expiresAt.getTime() <= now.getTime())
    return { action: 'reauth', reason: `the token expired at ${expiresAt.toISOString()}`, expiresAt };
  if (expiresAt.getTime() - now.getTime() <= EXPIRY_WARNING_MS) return { action: 'warn', expiresAt };
  return { action: 'keep', expiresAt };
}

export function decide(renewal: Renewal, facts: TokenFacts, now: Date): TokenDecision {
  switch (renewal) {
    case 'inspect':
      return { action: 'inspect' };
    case 'rotate-refresh-token':
      // X access tokens live two hours: with a refresh token, every run renews; without one, only the expiry counts
      return facts.canRotate ? { action: 'refresh' } : judgeExpiry(facts.expiresAt, now);
    case 'none':
      return judgeExpiry(facts.expiresAt, now);
    case 'refresh-long-lived': {
      const expiresAt =
        facts.expiresAt ?? (facts.obtainedAt && new Date(facts.obtainedAt.getTime() + LONG_LIVED_TOKEN_LIFETIME_MS));
      if (expiresAt && expiresAt.getTime() <= now.getTime())
        return { action: 'reauth', reason: `the long-lived token expired at ${expiresAt.toISOString()}`, expiresAt };
      if (facts.obtainedAt && now.getTime() - facts.obtainedAt.getTime() < REFRESH_MIN_AGE_MS)
        return { action: 'keep', expiresAt };
      // of unknown age: a token stored by hand is normally older than a day, and refreshing is the only way to learn its expiry
      return { action: 'refresh' };
    }
  }
}

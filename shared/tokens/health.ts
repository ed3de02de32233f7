/**
 * The daily token health check: for every channel of the organisations that is not retired (one
 * `check-token` job per channel, see ./schedule.ts), look at its credentials, refresh what the platform lets us refresh, write renewed
 * credentials back, record `tokenExpiresAt` / `tokenCheckedAt` on the channel item, flag
 * `needsReauth` where only a person can help, and count per platform the channels whose token cannot
 * be refreshed and expires within 7 days (metric TokenExpiringSoon). Tokens never reach a log line.
 */
import type { Channel } from '../model/schemas';
import { PlatformError, type Credentials, type PlatformContext } from '../platforms/client';
import { debugMetaToken, type MetaTokenStatus } from '../platforms/clients/graph';
import { refreshThreadsToken, type RefreshedToken } from '../platforms/clients/threads';
import { refreshXToken, type RotatedXTokens } from '../platforms/clients/x-api';
import { PLATFORMS, type PlatformId } from '../platforms/registry';
import type { TokenCheckRecord } from './channel-record';
import { decide, judgeExpiry, renewalOf, tokenFacts, type TokenDecision } from './policy';

/** The platform calls the check makes; the real client functions unless a test replaces them. */
export interface TokenRenewers {
  refreshLongLived(context: PlatformContext): Promise<RefreshedToken>;
  rotate(context: PlatformContext): Promise<RotatedXTokens>;
  inspect(context: PlatformContext): Promise<MetaTokenStatus>;
}

export const platformRenewers: TokenRenewers = {
  refreshLongLived: refreshThreadsToken,
  rotate: refreshXToken,
  inspect: debugMetaToken,
};

export interface TokenHealthDeps {
  /** the channel's credentials, read again when its item says they changed since a cached copy was read */
  loadCredentials(channel: Channel): Promise<Credentials>;
  saveCredentials(credentialsRef: string, credentials: Credentials): Promise<void>;
  /**
   * Renews under the channel's refresh lease and stores the result (./refresh-on-use: renewOnce), so
   * the check and a publisher never both spend X's refresh token. Without it the check refreshes
   * and stores by itself.
   */
  renewOnce?(
    channel: Channel,
    used: Credentials,
    refresh: (current: Credentials) => Promise<Credentials>,
  ): Promise<Credentials>;
  recordCheck(channelId: string, record: TokenCheckRecord): Promise<void>;
  /** the platform base URL, fetch and timeout a client call runs with */
  context(channel: Channel, credentials: Credentials): PlatformContext;
  renewers: TokenRenewers;
  /** one channel whose token cannot be refreshed and expires within 7 days (or already needs a person) */
  emitExpiringSoon(platform: PlatformId): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  now: Date;
}

export type TokenOutcome =
  /** renewed and stored */
  | 'refreshed'
  /** good for more than 7 days, or of unknown expiry */
  | 'valid'
  /** cannot be refreshed and expires within 7 days */
  | 'expiring-soon'
  /** expired, rejected or not refreshable: flagged needsReauth */
  | 'needs-reauth'
  /** the platform could not be asked this time (network, rate limit): nothing recorded */
  | 'check-failed';

export interface ChannelTokenHealth {
  channelId: string;
  org: string;
  platform: PlatformId;
  outcome: TokenOutcome;
  tokenExpiresAt?: string;
  /** why a person is needed, or why the check failed (never a token) */
  reason?: string;
}

const addSeconds = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000);

/** Whether a failed platform call says the credentials themselves are no good, rather than "try again later". */
const rejectsCredentials = (error: unknown) =>
  error instanceof PlatformError && (error.errorClass === 'auth' || error.errorClass === 'permanent');

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function checkChannel(channel: Channel, deps: TokenHealthDeps): Promise<ChannelTokenHealth> {
  const { now } = deps;
  const report = (outcome: TokenOutcome, expiresAt: Date | undefined, reason?: string): ChannelTokenHealth => ({
    channelId: channel.id,
    org: channel.org,
    platform: channel.platform,
    outcome,
    ...(expiresAt ? { tokenExpiresAt: expiresAt.toISOString() } : {}),
    ...(reason ? { reason } : {}),
  });
  const record = async (
    outcome: TokenOutcome,
    expiresAt: Date | undefined,
    confirmedByPlatform: boolean,
    reason?: string,
  ) => {
    await deps.recordCheck(channel.id, {
      checkedAt: now,
      expiresAt,
      needsReauth: outcome === 'needs-reauth' ? true : confirmedByPlatform ? false : undefined,
      ...(outcome === 'refreshed' ? { refreshedAt: now } : {}),
    });
    return report(outcome, expiresAt, reason);
  };
  /** the verdict of a decision that needs no further platform call */
  const settle = (decision: TokenDecision, confirmedByPlatform: boolean) => {
    if (decision.action === 'reauth') return record('needs-reauth', decision.expiresAt, false, decision.reason);
    if (decision.action === 'warn') return record('expiring-soon', decision.expiresAt, confirmedByPlatform);
    if (decision.action === 'keep') return record('valid', decision.expiresAt, confirmedByPlatform);
    throw new Error(`decision ${decision.action} needs a platform call`);
  };

  let credentials: Credentials;
  try {
    credentials = await deps.loadCredentials(channel);
  } catch (error) {
    return report('check-failed', undefined, `credentials could not be read: ${describe(error)}`);
  }
  const facts = tokenFacts(credentials);
  const decision = decide(renewalOf(channel.platform), facts, now);
  const context = deps.context(channel, credentials);

  try {
    if (decision.action === 'inspect') {
      const status = await deps.renewers.inspect(context);
      if (!status.valid)
        return await record('needs-reauth', status.expiresAt, false, 'the platform reports the token as invalid');
      return await settle(judgeExpiry(status.expiresAt, now), true);
    }
    if (decision.action !== 'refresh') return await settle(decision, false);

    const refresh = async (current: Credentials): Promise<Credentials> => {
      const renewedContext = { ...context, credentials: current };
      let tokens: { accessToken: string; refreshToken?: string; expiresInSeconds: number };
      if (channel.platform === 'x') tokens = await deps.renewers.rotate(renewedContext);
      else tokens = await deps.renewers.refreshLongLived(renewedContext);
      return {
        ...current,
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        expiresAt: addSeconds(now, tokens.expiresInSeconds).toISOString(),
        refreshedAt: now.toISOString(),
      };
    };
    let renewed: Credentials;
    if (deps.renewOnce) {
      try {
        renewed = await deps.renewOnce(channel, credentials, refresh);
      } catch (error) {
        if (error instanceof PlatformError) throw error;
        // The platform may already have retired the old token (X does): a person has to check.
        return await record('needs-reauth', undefined, false, `the renewal could not be completed: ${describe(error)}`);
      }
    } else {
      renewed = await refresh(credentials);
      try {
        await deps.saveCredentials(channel.credentialsRef, renewed);
      } catch (error) {
        // The platform may already have retired the old token (X does): a person has to check.
        return await record(
          'needs-reauth',
          undefined,
          false,
          `the renewed token could not be stored: ${describe(error)}`,
        );
      }
    }
    const expiresAt = new Date(renewed.expiresAt ?? now);
    return await record('refreshed', expiresAt, true);
  } catch (error) {
    if (rejectsCredentials(error))
      return record('needs-reauth', facts.expiresAt, false, `the platform refused the token: ${describe(error)}`);
    // Could not ask the platform this time: judge by what the credentials say, without recording a check.
    const fallback = judgeExpiry(facts.expiresAt, now);
    const outcome: TokenOutcome =
      fallback.action === 'warn' || fallback.action === 'reauth' ? 'expiring-soon' : 'check-failed';
    return report(outcome, facts.expiresAt, `the platform could not be asked: ${describe(error)}`);
  }
}

/** Whether the daily check looks at a channel: a hand-off platform (WhatsApp Channels) is posted to by a person, with no token to keep alive. */
export const isTokenCheckable = (channel: Channel): boolean =>
  channel.state !== 'retired' && PLATFORMS[channel.platform].publishing === 'api';

/**
 * One channel's check, run by its platform's function from a `check-token` job: the verdict is
 * recorded on the channel, warned about when a person is needed, and counted (TokenExpiringSoon, one
 * per channel needing attention). A `check-failed` verdict recorded nothing: the job is tried again.
 */
export async function checkChannelToken(channel: Channel, deps: TokenHealthDeps): Promise<ChannelTokenHealth> {
  const result = await checkChannel(channel, deps);
  if (result.outcome === 'expiring-soon') {
    deps.warn(
      'channel token cannot be refreshed and expires within 7 days: re-authorise the channel',
      channelAttributes(result),
    );
  } else if (result.outcome === 'needs-reauth') {
    deps.warn('channel token needs re-authorisation', channelAttributes(result));
  } else if (result.outcome === 'check-failed') {
    deps.warn('channel token could not be checked', channelAttributes(result));
  }
  if (result.outcome === 'expiring-soon' || result.outcome === 'needs-reauth') deps.emitExpiringSoon(result.platform);
  return result;
}

const channelAttributes = (result: ChannelTokenHealth) => ({
  channelId: result.channelId,
  org: result.org,
  platform: result.platform,
  ...(result.tokenExpiresAt ? { tokenExpiresAt: result.tokenExpiresAt } : {}),
  ...(result.reason ? { reason: result.reason } : {}),
});

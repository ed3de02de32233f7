/** What the OAuth flows share: the connect body that names the account to post as, and picking it. */
import type { TargetInput } from '../inputs';
import type { PlatformId } from '../../platforms/registry';
import { ConnectError } from '../answers';
import { normalisedName, type AppCredentials, type ConnectContext } from '../flow';

export const targetExtras = (input: TargetInput): Record<string, string> =>
  input.target ? { target: input.target } : {};

/**
 * What the publisher needs to renew an expiring access token by itself (shared/platforms/oauth-refresh):
 * the refresh token and the app it was issued to, so no second secret has to be readable by it.
 */
export const renewable = (refreshToken: string, app: AppCredentials): Record<string, string> => ({
  refreshToken,
  clientId: app.clientId,
  clientSecret: app.clientSecret,
});

export const basicAuth = (clientId: string, clientSecret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

/**
 * The account a sign-in should post as: the one named by `target`, else the one matching the
 * channel's handle, else the only one. Never a guess between several.
 */
export function pickAccount<T>(
  platform: PlatformId,
  call: string,
  candidates: readonly T[],
  namesOf: (candidate: T) => (string | undefined)[],
  options: { target?: string; context: ConnectContext; what: string },
): T {
  const label = (candidate: T) => namesOf(candidate).find(Boolean) ?? '?';
  const named = (wanted: string) =>
    candidates.find((candidate) =>
      namesOf(candidate).some((name) => name !== undefined && normalisedName(name) === normalisedName(wanted)),
    );
  if (options.target) {
    const found = named(options.target);
    if (found) return found;
    throw new ConnectError(
      platform,
      call,
      `no ${options.what} "${options.target}" among those this sign-in may use (${candidates.map(label).join(', ') || 'none'})`,
    );
  }
  const byHandle = named(options.context.channel.handle);
  if (byHandle) return byHandle;
  const [only, ...others] = candidates;
  if (only !== undefined && others.length === 0) return only;
  if (only === undefined) throw new ConnectError(platform, call, `this sign-in may post to no ${options.what}`);
  throw new ConnectError(
    platform,
    call,
    `this sign-in may post to several ${options.what}s (${candidates.map(label).join(', ')}): name the one to connect as "target"`,
  );
}

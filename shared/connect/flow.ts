/**
 * How a platform's account is connected. Two kinds:
 *   - `oauth`: the person signs in at the platform (authorization code flow with `state`, PKCE where
 *     the platform has it); the callback exchanges the code and reads the account;
 *   - `direct`: the person hands over what the platform issues itself (a Bluesky app password, a
 *     Telegram bot token, a WhatsApp invite link), checked at once against the platform.
 * Both end in a ConnectedAccount: the credentials for the channel's secret and the account facts
 * for the channel item (never a token there).
 */
import type * as z from 'zod';
import type { Channel } from '../model/schemas';
import type { Credentials } from '../platforms/client';
import { platformBaseUrl, type PlatformId } from '../platforms/registry';

export interface ConnectContext {
  channel: Channel;
  /** the platform's API host (HEROLD_<PLATFORM>_BASE_URL) */
  apiUrl: string;
  /** the platform's sign-in host (HEROLD_<PLATFORM>_AUTH_URL) */
  authUrl: string;
  /** the host of the token endpoint where it is neither (Google: HEROLD_YOUTUBE_TOKEN_URL) */
  tokenUrl: string;
  fetch?: typeof fetch;
  timeoutMs: number;
  now: Date;
}

export interface ConnectedAccount {
  /** what goes into the channel's secret */
  credentials: Credentials;
  /** what the publisher posts as: page id, user id, organisation id, board id, DID, @channel … */
  account: string;
  /** the account as people know it: page name, username */
  accountName: string;
  handle?: string;
  profileUrl?: string;
  /** the account's own text limit (a Mastodon instance's max_characters) */
  textLimit?: number;
  /** when the access token expires, if it does */
  tokenExpiresAt?: string;
}

/** A platform app's own credentials (one per deployment), from its secret. */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  /** S256 challenge of the verifier, when the flow uses PKCE */
  codeChallenge?: string;
  /** what prepare() found (the Mastodon instance) */
  extras: Record<string, string>;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier?: string;
  app: AppCredentials;
  extras: Record<string, string>;
}

export interface OAuthFlow<Input = unknown> {
  kind: 'oauth';
  /** the body of POST /channels/{id}/connect */
  input: z.ZodType<Input>;
  /** whether the authorisation request carries a PKCE challenge */
  pkce: boolean;
  /**
   * Work before the browser goes (Mastodon: register Herold on the instance, learn whether it has
   * PKCE). Returns what the callback needs again, and the app credentials when the flow has its own.
   */
  prepare?(
    input: Input,
    context: ConnectContext,
    redirectUri: string,
  ): Promise<{ extras: Record<string, string>; app?: AppCredentials; pkce?: boolean }>;
  /** where a flow without prepare() keeps its extras: the body's own fields, e.g. which page to post as */
  extrasOf?(input: Input): Record<string, string>;
  authorizationUrl(request: AuthorizationRequest, context: ConnectContext): string;
  exchange(exchange: CodeExchange, context: ConnectContext): Promise<ConnectedAccount>;
  /** the app credentials for exchange(), when prepare() made them (Mastodon) */
  appFor?(extras: Record<string, string>): Promise<AppCredentials | undefined>;
  /** revokes stored credentials at the platform, where it offers that */
  revoke?(credentials: Credentials, context: ConnectContext): Promise<void>;
  /** why the platform's tokens are not revoked on retirement, when they are not */
  noRevocation?: string;
}

export interface DirectFlow<Input = unknown> {
  kind: 'direct';
  input: z.ZodType<Input>;
  connect(input: Input, context: ConnectContext): Promise<ConnectedAccount>;
  revoke?(credentials: Credentials, context: ConnectContext): Promise<void>;
  noRevocation?: string;
}

export type ConnectFlow = OAuthFlow<never> | DirectFlow<never>;

const variable = (id: PlatformId, name: string) => `HEROLD_${id.toUpperCase()}_${name}`;
const trimmed = (url: string) => url.replace(/\/+$/, '');

/** Sign-in hosts differ from API hosts; each has its own setting beside HEROLD_<PLATFORM>_BASE_URL. */
export const AUTH_URL_DEFAULTS: Partial<Record<PlatformId, string>> = {
  facebook: 'https://www.facebook.com',
  instagram: 'https://www.facebook.com',
  threads: 'https://threads.com',
  linkedin: 'https://www.linkedin.com',
  youtube: 'https://accounts.google.com',
  pinterest: 'https://www.pinterest.com',
  x: 'https://x.com',
};
/** Google's token endpoint is on a host of its own. */
export const TOKEN_URL_DEFAULTS: Partial<Record<PlatformId, string>> = { youtube: 'https://oauth2.googleapis.com' };

export const authUrlVariable = (id: PlatformId) => variable(id, 'AUTH_URL');
export const tokenUrlVariable = (id: PlatformId) => variable(id, 'TOKEN_URL');
/** The name of the secret with the platform app's client id and secret (HEROLD_<PLATFORM>_APP_SECRET). */
export const appSecretVariable = (id: PlatformId) => variable(id, 'APP_SECRET');

export const platformAuthUrl = (id: PlatformId, env: NodeJS.ProcessEnv = process.env): string =>
  trimmed(env[authUrlVariable(id)] ?? AUTH_URL_DEFAULTS[id] ?? platformBaseUrl(id, env));

export const platformTokenUrl = (id: PlatformId, env: NodeJS.ProcessEnv = process.env): string =>
  trimmed(env[tokenUrlVariable(id)] ?? TOKEN_URL_DEFAULTS[id] ?? platformBaseUrl(id, env));

/** Facebook Login serves Instagram too: by default the Instagram channels use the Facebook app. */
const APP_SECRET_DEFAULTS: Partial<Record<PlatformId, string>> = { instagram: 'herold-apps/facebook' };

export const appSecretName = (id: PlatformId, env: NodeJS.ProcessEnv = process.env): string =>
  env[appSecretVariable(id)] ?? APP_SECRET_DEFAULTS[id] ?? `herold-apps/${id}`;

export const contextFor = (
  channel: Channel,
  options: { fetch?: typeof fetch; timeoutMs?: number; now?: Date; env?: NodeJS.ProcessEnv } = {},
): ConnectContext => ({
  channel,
  apiUrl: platformBaseUrl(channel.platform, options.env),
  authUrl: platformAuthUrl(channel.platform, options.env),
  tokenUrl: platformTokenUrl(channel.platform, options.env),
  fetch: options.fetch,
  timeoutMs: options.timeoutMs ?? 10_000,
  now: options.now ?? new Date(),
});

/** The handle or name a person gave, compared the way platforms spell them: no @, no case, no URL around it. */
export const normalisedName = (value: string): string =>
  value
    .trim()
    .replace(/^https?:\/\/[^/]+\//i, '')
    .replace(/\/+$/, '')
    .replace(/^@/, '')
    .toLowerCase();

export const addSeconds = (now: Date, seconds: number): string =>
  new Date(now.getTime() + seconds * 1000).toISOString();

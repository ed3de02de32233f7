/**
 * Mastodon, per instance (docs.joinmastodon.org, methods/apps and methods/oauth):
 *   1. POST {instance}/api/v1/apps { client_name, redirect_uris, scopes, website } → { client_id,
 *      client_secret }: Herold registers itself once per instance and redirect URI, and keeps the
 *      registration in a secret of its own (herold/mastodon/apps/<host>-<hash>);
 *   2. GET {instance}/.well-known/oauth-authorization-server: 4.3+ answers with
 *      code_challenge_methods_supported ["S256"], then the flow uses PKCE (older instances: 404);
 *   3. {instance}/oauth/authorize?response_type=code&client_id&redirect_uri&scope&state[&code_challenge…]
 *   4. POST {instance}/oauth/token (form: grant_type=authorization_code, code, client_id,
 *      client_secret, redirect_uri[, code_verifier]) → { access_token, token_type, scope, created_at }
 *      (Mastodon tokens do not expire and have no refresh token);
 *   5. GET /api/v1/accounts/verify_credentials → the account; GET /api/v2/instance →
 *      configuration.statuses.max_characters, kept on the channel for the renderer (500 if absent).
 * Retirement revokes the token (POST /oauth/revoke).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { PLATFORMS } from '../../platforms/registry';
import { connectCall, connectRequest, parseAnswer } from '../answers';
import type { AppCredentials, ConnectContext, ConnectedAccount, OAuthFlow } from '../flow';
import { MastodonInputSchema, type MastodonInput } from '../inputs';
import { credentialsRefFor } from '../refs';
import { secretStoreFor } from '../secret-store';
import { httpRequest } from '../../platforms/http';

const SCOPES = 'read:accounts read:statuses write:statuses write:media write:accounts';

const AppSchema = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });
const TokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
const AccountSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  acct: z.string().optional(),
  display_name: z.string().optional(),
  url: z.url(),
});
const InstanceSchema = z.object({
  domain: z.string().optional(),
  configuration: z
    .object({ statuses: z.object({ max_characters: z.number().int().positive().optional() }).optional() })
    .optional(),
});
const DiscoverySchema = z.object({ code_challenge_methods_supported: z.array(z.string()).optional() });

/**
 * The host Herold talks to: the instance, unless HEROLD_MASTODON_BASE_URL points somewhere else
 * (a simulator or a recorder), as the Mastodon client does.
 */
export function instanceBase(instance: string, context: ConnectContext): string {
  return context.apiUrl !== PLATFORMS.mastodon.defaultBaseUrl ? context.apiUrl : instance;
}

/** Where the registration of Herold on an instance is kept (one per instance and redirect URI). */
export function mastodonAppRef(instance: string, redirectUri: string): string {
  const host = new URL(instance).host.replace(/[^A-Za-z0-9.-]/g, '-');
  const hash = createHash('sha256').update(redirectUri).digest('hex').slice(0, 8);
  const ref = credentialsRefFor('mastodon', `apps/${host}-${hash}`);
  return ref.startsWith('local:') ? `local:mastodon-app-${host}-${hash}` : ref;
}

async function registeredApp(base: string, instance: string, redirectUri: string, context: ConnectContext) {
  const ref = mastodonAppRef(instance, redirectUri);
  const store = secretStoreFor(ref);
  const kept = await store.read(ref);
  if (kept?.clientId && kept.clientSecret)
    return { ref, app: { clientId: kept.clientId, clientSecret: kept.clientSecret } };
  const registered = await connectCall(
    {
      platform: 'mastodon',
      call: 'app registration',
      method: 'POST',
      url: `${base}/api/v1/apps`,
      body: { client_name: 'Herold', redirect_uris: [redirectUri], scopes: SCOPES },
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    },
    AppSchema,
  );
  const app = { clientId: registered.client_id, clientSecret: registered.client_secret };
  await store.write(ref, app, { 'herold:purpose': 'mastodon-app' });
  return { ref, app };
}

/** Whether the instance offers PKCE (Mastodon 4.3+): only then is a challenge sent. */
async function offersPkce(base: string, context: ConnectContext): Promise<boolean> {
  try {
    const response = await httpRequest({
      method: 'GET',
      url: `${base}/.well-known/oauth-authorization-server`,
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    });
    if (response.status !== 200) return false;
    return (
      parseAnswer('mastodon', 'discovery', DiscoverySchema, response.body).code_challenge_methods_supported?.includes(
        'S256',
      ) ?? false
    );
  } catch {
    return false;
  }
}

export const mastodonConnect: OAuthFlow<MastodonInput> = {
  kind: 'oauth',
  input: MastodonInputSchema,
  pkce: false,
  async prepare(input, context, redirectUri) {
    const base = instanceBase(input.instance, context);
    const [{ ref, app }, pkce] = await Promise.all([
      registeredApp(base, input.instance, redirectUri, context),
      offersPkce(base, context),
    ]);
    return { extras: { instance: input.instance, appRef: ref }, app, pkce };
  },
  async appFor(extras): Promise<AppCredentials | undefined> {
    if (!extras.appRef) return undefined;
    const kept = await secretStoreFor(extras.appRef).read(extras.appRef);
    return kept?.clientId && kept.clientSecret
      ? { clientId: kept.clientId, clientSecret: kept.clientSecret }
      : undefined;
  },
  authorizationUrl(request, context) {
    const url = new URL(`${instanceBase(request.extras.instance ?? '', context)}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: SCOPES,
      state: request.state,
      ...(request.codeChallenge ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const instance = exchange.extras.instance ?? '';
    const base = instanceBase(instance, context);
    const request = { platform: 'mastodon' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const token = await connectCall(
      {
        ...request,
        call: 'code exchange',
        method: 'POST',
        url: `${base}/oauth/token`,
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: exchange.code,
          client_id: exchange.app.clientId,
          client_secret: exchange.app.clientSecret,
          redirect_uri: exchange.redirectUri,
          ...(exchange.codeVerifier ? { code_verifier: exchange.codeVerifier } : {}),
        }),
      },
      TokenSchema,
    );
    const [account, server] = await Promise.all([
      connectCall(
        {
          ...request,
          call: 'account',
          method: 'GET',
          url: `${base}/api/v1/accounts/verify_credentials`,
          headers: { authorization: `Bearer ${token.access_token}` },
        },
        AccountSchema,
      ),
      connectCall({ ...request, call: 'instance', method: 'GET', url: `${base}/api/v2/instance` }, InstanceSchema),
    ]);
    const domain = server.domain ?? new URL(instance).host;
    return {
      credentials: {
        accessToken: token.access_token,
        // kept for revoking the token when the channel is retired
        clientId: exchange.app.clientId,
        clientSecret: exchange.app.clientSecret,
        issuedAt: context.now.toISOString(),
      },
      account: account.url,
      accountName: account.display_name || `@${account.username}`,
      handle: `@${account.username}@${domain}`,
      profileUrl: account.url,
      textLimit: server.configuration?.statuses?.max_characters ?? PLATFORMS.mastodon.text.limit,
    };
  },
  async revoke(credentials, context) {
    const { accessToken, clientId, clientSecret } = credentials;
    if (!accessToken || !clientId || !clientSecret) return;
    const instance = (() => {
      try {
        return new URL(context.channel.account).origin;
      } catch {
        return context.apiUrl;
      }
    })();
    await connectRequest({
      platform: 'mastodon',
      call: 'revocation',
      method: 'POST',
      url: `${instanceBase(instance, context)}/oauth/revoke`,
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, token: accessToken }),
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    });
  },
};

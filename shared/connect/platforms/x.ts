/**
 * X: OAuth 2.0 authorization code with PKCE (required), as a confidential client:
 *   1. x.com/i/oauth2/authorize?response_type=code&client_id&redirect_uri&scope=…&state
 *      &code_challenge&code_challenge_method=S256 (the code then lives 30 seconds)
 *   2. POST api.x.com/2/oauth2/token, HTTP Basic (client id : client secret), form: code,
 *      grant_type=authorization_code, redirect_uri, code_verifier
 *      → { token_type, expires_in (7200), access_token, scope, refresh_token (with offline.access) }
 *   3. GET api.x.com/2/users/me → { data: { id, name, username } }
 * The access token lives two hours; the publisher and the token health check renew it with the
 * refresh token (which rotates), so the secret keeps the client id and secret too. Retirement
 * revokes both tokens (POST /2/oauth2/revoke).
 */
import * as z from 'zod';
import { NoInputSchema } from '../inputs';
import { connectCall, connectRequest } from '../answers';
import { addSeconds, type ConnectedAccount, type OAuthFlow } from '../flow';
import { basicAuth } from './common';

const SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'];

const TokenSchema = z.object({
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  access_token: z.string().min(1),
  scope: z.string().optional(),
  refresh_token: z.string().min(1),
});
const MeSchema = z.object({ data: z.object({ id: z.string().min(1), name: z.string(), username: z.string().min(1) }) });

export const xConnect: OAuthFlow<z.infer<typeof NoInputSchema>> = {
  kind: 'oauth',
  input: NoInputSchema,
  pkce: true,
  authorizationUrl(request, context) {
    const url = new URL(`${context.authUrl}/i/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: SCOPES.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge ?? '',
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const base = { platform: 'x' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const token = await connectCall(
      {
        ...base,
        call: 'code exchange',
        method: 'POST',
        url: `${context.apiUrl}/2/oauth2/token`,
        headers: { authorization: basicAuth(exchange.app.clientId, exchange.app.clientSecret) },
        body: new URLSearchParams({
          code: exchange.code,
          grant_type: 'authorization_code',
          redirect_uri: exchange.redirectUri,
          code_verifier: exchange.codeVerifier ?? '',
        }),
      },
      TokenSchema,
    );
    const me = await connectCall(
      {
        ...base,
        call: 'account',
        method: 'GET',
        url: `${context.apiUrl}/2/users/me`,
        headers: { authorization: `Bearer ${token.access_token}` },
      },
      MeSchema,
    );
    const expiresAt = addSeconds(context.now, token.expires_in);
    return {
      credentials: {
        accessToken: token.access_token,
        refreshToken: token.refresh_token,
        clientId: exchange.app.clientId,
        clientSecret: exchange.app.clientSecret,
        expiresAt,
        issuedAt: context.now.toISOString(),
      },
      account: me.data.id,
      accountName: me.data.name,
      handle: `@${me.data.username}`,
      profileUrl: `https://x.com/${me.data.username}`,
      tokenExpiresAt: expiresAt,
    };
  },
  async revoke(credentials, context) {
    const { clientId, clientSecret } = credentials;
    if (!clientId || !clientSecret) return;
    for (const [token, hint] of [
      [credentials.refreshToken, 'refresh_token'],
      [credentials.accessToken, 'access_token'],
    ] as const) {
      if (!token) continue;
      await connectRequest({
        platform: 'x',
        call: 'revocation',
        method: 'POST',
        url: `${context.apiUrl}/2/oauth2/revoke`,
        headers: { authorization: basicAuth(clientId, clientSecret) },
        body: new URLSearchParams({ token, token_type_hint: hint }),
        fetch: context.fetch,
        timeoutMs: context.timeoutMs,
      });
    }
  },
};

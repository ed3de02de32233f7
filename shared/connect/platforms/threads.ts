/**
 * Threads (Threads authorization with the Threads app's own id and secret):
 *   1. threads.com/oauth/authorize?client_id&redirect_uri&scope=threads_basic,…&response_type=code&state
 *   2. POST graph.threads.net/oauth/access_token (form: client_id, client_secret, code,
 *      grant_type=authorization_code, redirect_uri) → { access_token, user_id }, valid 1 h
 *   3. GET graph.threads.net/access_token?grant_type=th_exchange_token&client_secret&access_token
 *      → { access_token, token_type, expires_in } (about 60 days; the token health check refreshes it)
 *   4. GET graph.threads.net/v1.0/me?fields=id,username
 * Threads documents no revocation endpoint: retirement deletes the stored token.
 */
import * as z from 'zod';
import { NoInputSchema } from '../inputs';
import { connectCall } from '../answers';
import { addSeconds, type ConnectedAccount, type OAuthFlow } from '../flow';

const SCOPES = ['threads_basic', 'threads_content_publish', 'threads_read_replies', 'threads_manage_replies'];

const ShortTokenSchema = z.object({ access_token: z.string().min(1), user_id: z.union([z.string(), z.number()]) });
const LongTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});
const MeSchema = z.object({ id: z.string().min(1), username: z.string().min(1) });

export const threadsConnect: OAuthFlow<z.infer<typeof NoInputSchema>> = {
  kind: 'oauth',
  input: NoInputSchema,
  pkce: false,
  noRevocation: 'Threads offers no revocation endpoint; remove Herold under the account’s website permissions',
  authorizationUrl(request, context) {
    const url = new URL(`${context.authUrl}/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: SCOPES.join(','),
      response_type: 'code',
      state: request.state,
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const base = { platform: 'threads' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const short = await connectCall(
      {
        ...base,
        call: 'code exchange',
        method: 'POST',
        url: `${context.apiUrl}/oauth/access_token`,
        body: new URLSearchParams({
          client_id: exchange.app.clientId,
          client_secret: exchange.app.clientSecret,
          code: exchange.code,
          grant_type: 'authorization_code',
          redirect_uri: exchange.redirectUri,
        }),
      },
      ShortTokenSchema,
    );
    const long = await connectCall(
      {
        ...base,
        call: 'long-lived token exchange',
        method: 'GET',
        url: `${context.apiUrl}/access_token?${new URLSearchParams({
          grant_type: 'th_exchange_token',
          client_secret: exchange.app.clientSecret,
          access_token: short.access_token,
        })}`,
      },
      LongTokenSchema,
    );
    const me = await connectCall(
      {
        ...base,
        call: 'profile',
        method: 'GET',
        url: `${context.apiUrl}/v1.0/me?fields=id,username`,
        headers: { authorization: `Bearer ${long.access_token}` },
      },
      MeSchema,
    );
    const expiresAt = addSeconds(context.now, long.expires_in);
    return {
      credentials: { accessToken: long.access_token, expiresAt, issuedAt: context.now.toISOString() },
      account: me.id,
      accountName: `@${me.username}`,
      handle: `@${me.username}`,
      profileUrl: `https://www.threads.net/@${me.username}`,
      tokenExpiresAt: expiresAt,
    };
  },
};

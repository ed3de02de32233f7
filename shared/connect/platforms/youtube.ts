/**
 * YouTube through Google's OAuth 2.0 for web server apps, with PKCE (S256) and offline access:
 *   1. accounts.google.com/o/oauth2/v2/auth?client_id&redirect_uri&response_type=code&scope=…
 *      &access_type=offline&prompt=consent&include_granted_scopes=true&state&code_challenge&code_challenge_method=S256
 *      (`prompt=consent` so a reconnection gets a refresh token again)
 *   2. POST oauth2.googleapis.com/token (form: code, client_id, client_secret, redirect_uri,
 *      grant_type=authorization_code, code_verifier) → { access_token, expires_in, refresh_token, scope }
 *   3. GET www.googleapis.com/youtube/v3/channels?part=id,snippet&mine=true → the token's channel
 * Retirement revokes the refresh token (POST oauth2.googleapis.com/revoke), which revokes its access
 * tokens too.
 */
import * as z from 'zod';
import { NoInputSchema } from '../inputs';
import { connectCall, ConnectError, connectRequest } from '../answers';
import { addSeconds, type ConnectedAccount, type OAuthFlow } from '../flow';
import { renewable } from './common';

const SCOPES = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'];

const TokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});
const ChannelsSchema = z.object({
  pageInfo: z.object({ totalResults: z.number() }).optional(),
  items: z
    .array(
      z.object({ id: z.string().min(1), snippet: z.object({ title: z.string(), customUrl: z.string().optional() }) }),
    )
    .optional(),
});

export const youtubeConnect: OAuthFlow<z.infer<typeof NoInputSchema>> = {
  kind: 'oauth',
  input: NoInputSchema,
  pkce: true,
  authorizationUrl(request, context) {
    const url = new URL(`${context.authUrl}/o/oauth2/v2/auth`);
    url.search = new URLSearchParams({
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      state: request.state,
      code_challenge: request.codeChallenge ?? '',
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const base = { platform: 'youtube' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const token = await connectCall(
      {
        ...base,
        call: 'code exchange',
        method: 'POST',
        url: `${context.tokenUrl}/token`,
        body: new URLSearchParams({
          code: exchange.code,
          client_id: exchange.app.clientId,
          client_secret: exchange.app.clientSecret,
          redirect_uri: exchange.redirectUri,
          grant_type: 'authorization_code',
          code_verifier: exchange.codeVerifier ?? '',
        }),
      },
      TokenSchema,
    );
    const channels = await connectCall(
      {
        ...base,
        call: 'channel',
        method: 'GET',
        url: `${context.apiUrl}/youtube/v3/channels?part=id,snippet&mine=true`,
        headers: { authorization: `Bearer ${token.access_token}` },
      },
      ChannelsSchema,
    );
    const channel = channels.items?.[0];
    if (!channel) throw new ConnectError('youtube', 'channel', 'this Google account has no YouTube channel');
    const expiresAt = addSeconds(context.now, token.expires_in);
    return {
      credentials: {
        accessToken: token.access_token,
        ...(token.refresh_token ? renewable(token.refresh_token, exchange.app) : {}),
        expiresAt,
        issuedAt: context.now.toISOString(),
      },
      account: channel.id,
      accountName: channel.snippet.title,
      ...(channel.snippet.customUrl ? { handle: channel.snippet.customUrl } : {}),
      profileUrl: `https://www.youtube.com/${channel.snippet.customUrl ?? `channel/${channel.id}`}`,
      tokenExpiresAt: expiresAt,
    };
  },
  async revoke(credentials, context) {
    const token = credentials.refreshToken ?? credentials.accessToken;
    if (!token) return;
    await connectRequest({
      platform: 'youtube',
      call: 'revocation',
      method: 'POST',
      url: `${context.tokenUrl}/revoke`,
      body: new URLSearchParams({ token }),
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    });
  },
};

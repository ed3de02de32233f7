/**
 * The OAuth 2.0 refresh token grant (RFC 6749 §6) as Google, Pinterest and LinkedIn take it:
 * POST the platform's token endpoint with grant_type=refresh_token and the refresh token, the client
 * authenticated by its id and secret (in the form, or as HTTP Basic for Pinterest). The answer is
 * { access_token, expires_in, refresh_token?, refresh_token_expires_in? }: Pinterest returns a new
 * refresh token to store, Google and LinkedIn normally keep the one sent. X rotates its refresh
 * tokens and has its own grant (clients/x-api.ts: refreshXToken).
 *
 * The connection stores `refreshToken`, `clientId` and `clientSecret` with the access token, so the
 * publisher needs no other secret to renew it.
 */
import * as z from 'zod';
import { PlatformError, type Credentials, type PlatformContext } from './client';
import { httpRequest, parseAnswer, retryAfterSeconds, safeDetail } from './http';

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
});

export interface RefreshGrant {
  /** the platform's name in error messages */
  platform: string;
  /** the token endpoint */
  url: string;
  /** how the client authenticates: its id and secret in the form, or as HTTP Basic */
  clientAuth: 'form' | 'basic';
}

/** Renews the access token; returns the credentials to store, with the new expiry and refresh date. */
export async function refreshWithGrant(context: PlatformContext, grant: RefreshGrant): Promise<Credentials> {
  const { refreshToken, clientId, clientSecret } = context.credentials;
  if (!refreshToken || !clientId || !clientSecret)
    throw new PlatformError(
      'auth',
      `${grant.platform} credentials need refreshToken, clientId and clientSecret to be renewed: reconnect the channel`,
      { code: 'MISSING_CREDENTIAL' },
    );
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const headers: Record<string, string> = {};
  if (grant.clientAuth === 'basic')
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  else {
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
  }
  const response = await httpRequest({
    method: 'POST',
    url: grant.url,
    headers,
    body: form,
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status >= 300) {
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<
      string,
      unknown
    >;
    const reason = body.error_description ?? body.error ?? body.message ?? response.body;
    const message = `${grant.platform} refresh token: HTTP ${response.status} ${safeDetail(reason)}`;
    const code = typeof body.error === 'string' ? body.error : response.status;
    if (response.status === 429)
      throw new PlatformError('rate-limited', message, {
        code,
        retryAfterSeconds: retryAfterSeconds(response.headers),
      });
    if (response.status >= 500 || response.status === 408) throw new PlatformError('retryable', message, { code });
    // invalid_grant, invalid_client …: the refresh token or the app is no longer accepted
    throw new PlatformError('auth', message, { code });
  }
  const answer = parseAnswer(response, TokenAnswer, {
    platform: grant.platform,
    call: 'refresh token',
    secrets: context.credentials,
  });
  const now = Date.now();
  return {
    ...context.credentials,
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? refreshToken,
    expiresAt: new Date(now + answer.expires_in * 1000).toISOString(),
    refreshedAt: new Date(now).toISOString(),
  };
}

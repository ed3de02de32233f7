/**
 * What X's client shares with the token check that every publishing function runs (tokens/health):
 * the classification of X's error answers and the OAuth 2.0 token refresh. A module apart from the
 * client, so that the other platforms' functions, which never refresh an X token themselves but
 * import the check, do not carry the client and twitter-text (X's counting rules) with it.
 */
import * as z from 'zod';
import { PlatformError, type PlatformContext } from '../client';
import { httpRequest, parseAnswer, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';

/** The X error codes that mean "rate limited" (88) and "duplicate content" (187). */
const RATE_LIMIT_CODE = 88;
const DUPLICATE_CODE = 187;

interface XErrorBody {
  title?: string;
  detail?: string;
  type?: string;
  status?: number;
  errors?: { code?: number; message?: string }[];
}

/** Sort an X error response into the publisher's classes. */
export function xError(response: HttpResponse, action: string, now = Date.now()): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as XErrorBody;
  const codes = (body.errors ?? []).map((error) => error.code);
  const detail = safeDetail(body.detail ?? body.errors?.[0]?.message ?? body.title ?? response.body);
  const message = `${action}: HTTP ${response.status} ${detail}`;
  if (response.status === 429 || codes.includes(RATE_LIMIT_CODE)) {
    return new PlatformError('rate-limited', message, {
      code: codes.includes(RATE_LIMIT_CODE) ? RATE_LIMIT_CODE : 429,
      retryAfterSeconds: xResetSeconds(response.headers, now),
    });
  }
  if (response.status === 401) return new PlatformError('auth', message, { code: 401 });
  if (codes.includes(DUPLICATE_CODE) || /duplicate/i.test(detail))
    return new PlatformError('permanent', message, { code: DUPLICATE_CODE });
  if (response.status === 403) {
    // Text too long or a reply into a conversation the account may not join are about this post; any other 403 is the token's scopes or the app's access.
    if (/too long|reply|replying|conversation/i.test(detail))
      return new PlatformError('permanent', message, { code: 403 });
    return new PlatformError('auth', message, { code: 403 });
  }
  if (response.status >= 500 || response.status === 408)
    return new PlatformError('retryable', message, { code: response.status });
  return new PlatformError('permanent', message, { code: response.status });
}

/** Seconds until the window that ran out resets: a spent 24 h cap (per user, then per app) wins over the 15 min endpoint window. */
function xResetSeconds(headers: Headers, now: number): number | undefined {
  const spentDaily = ['x-user-limit-24hour', 'x-app-limit-24hour'].find(
    (prefix) => headers.get(`${prefix}-remaining`) === '0',
  );
  const reset = Number((spentDaily && headers.get(`${spentDaily}-reset`)) || headers.get('x-rate-limit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil(reset - now / 1000));
  return retryAfterSeconds(headers, now);
}

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number(),
});

export interface RotatedXTokens {
  accessToken: string;
  /** X rotates refresh tokens: the one sent is spent, this one replaces it */
  refreshToken: string;
  expiresInSeconds: number;
}

/**
 * OAuth 2.0 refresh (POST /2/oauth2/token, grant_type=refresh_token). Needs `refreshToken` (granted
 * with the `offline.access` scope) and `clientId`; a confidential client also has `clientSecret` and
 * authenticates with HTTP Basic. The refresh token sent is spent either way, so the caller must store
 * both new tokens before anything else.
 */
export async function refreshXToken(context: PlatformContext): Promise<RotatedXTokens> {
  const { refreshToken, clientId, clientSecret } = context.credentials;
  if (!refreshToken || !clientId)
    throw new PlatformError('auth', 'X credentials need refreshToken and clientId to be refreshed', {
      code: 'MISSING_CREDENTIAL',
    });
  const response = await httpRequest({
    method: 'POST',
    url: `${context.baseUrl}/2/oauth2/token`,
    headers: clientSecret
      ? { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` }
      : {},
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  if (response.status === 400 || response.status === 401) {
    // invalid_request / invalid_grant / invalid_client: the refresh token or the client is no longer accepted
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as {
      error?: string;
      error_description?: string;
    };
    throw new PlatformError(
      'auth',
      `refresh token: HTTP ${response.status} ${safeDetail(body.error_description ?? body.error ?? response.body)}`,
      { code: body.error ?? response.status },
    );
  }
  if (response.status >= 300) throw xError(response, 'refresh token');
  const answer = parseAnswer(response, TokenAnswer, {
    platform: 'X',
    call: 'refresh token',
    secrets: context.credentials,
  });
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresInSeconds: answer.expires_in };
}

/**
 * The refresh token grant of YouTube (Google), Pinterest and LinkedIn as each platform documents it:
 * the recorded request (endpoint, client authentication, form) and what is stored from the answer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlatformClient } from '../../../shared/platforms/client';
import { linkedinClient } from '../../../shared/platforms/clients/linkedin';
import { pinterestClient } from '../../../shared/platforms/clients/pinterest';
import { youtubeClient } from '../../../shared/platforms/clients/youtube';
import { channelContext } from './helpers';

interface Recorded {
  url: string;
  authorization: string | null;
  form: Record<string, string>;
}

function recordingFetch(status: number, answer: unknown) {
  const requests: Recorded[] = [];
  const fake: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    requests.push({
      url: String(input),
      authorization: headers.get('authorization'),
      form: Object.fromEntries(new URLSearchParams(String(init?.body))),
    });
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fake, requests };
}

const stored = {
  accessToken: 'old-access-token-0001',
  refreshToken: 'old-refresh-token-0001',
  clientId: 'app-id',
  clientSecret: 'app-secret-0001',
  expiresAt: '2026-12-03T00:00:00.000Z',
  issuedAt: '2026-12-02T23:00:00.000Z',
};

const refresh = (client: PlatformClient, fetch: typeof globalThis.fetch, baseUrl: string) =>
  client.refreshCredentials!({ ...channelContext(client.platform, 'account', stored, baseUrl), fetch });

afterEach(() => vi.unstubAllEnvs());

describe('renewing an access token with the refresh token grant', () => {
  it('YouTube: the form to Google’s token host, the refresh token kept', async () => {
    vi.stubEnv('HEROLD_YOUTUBE_TOKEN_URL', 'https://google-token.test');
    const { fake, requests } = recordingFetch(200, {
      access_token: 'new-google-access',
      expires_in: 3599,
      scope: 'https://www.googleapis.com/auth/youtube.upload',
      token_type: 'Bearer',
    });
    const before = Date.now();
    const renewed = await refresh(youtubeClient, fake, 'https://youtube-api.test');
    expect(requests).toEqual([
      {
        url: 'https://google-token.test/token',
        authorization: null,
        form: {
          grant_type: 'refresh_token',
          refresh_token: 'old-refresh-token-0001',
          client_id: 'app-id',
          client_secret: 'app-secret-0001',
        },
      },
    ]);
    expect(renewed).toMatchObject({
      accessToken: 'new-google-access',
      refreshToken: 'old-refresh-token-0001',
      clientId: 'app-id',
      clientSecret: 'app-secret-0001',
      issuedAt: stored.issuedAt,
    });
    expect(Date.parse(renewed.expiresAt!) - before).toBeGreaterThanOrEqual(3_599_000);
    expect(Date.parse(renewed.refreshedAt!)).toBeGreaterThanOrEqual(before);
  });

  it('Pinterest: HTTP Basic on the API host, the new refresh token stored', async () => {
    const { fake, requests } = recordingFetch(200, {
      access_token: 'new-pinterest-access',
      refresh_token: 'new-pinterest-refresh',
      response_type: 'refresh_token',
      token_type: 'bearer',
      expires_in: 2_592_000,
      refresh_token_expires_in: 5_184_000,
      scope: 'boards:read pins:read pins:write user_accounts:read',
    });
    const renewed = await refresh(pinterestClient, fake, 'https://pinterest-api.test');
    expect(requests).toEqual([
      {
        url: 'https://pinterest-api.test/v5/oauth/token',
        authorization: `Basic ${Buffer.from('app-id:app-secret-0001').toString('base64')}`,
        form: { grant_type: 'refresh_token', refresh_token: 'old-refresh-token-0001' },
      },
    ]);
    expect(renewed).toMatchObject({ accessToken: 'new-pinterest-access', refreshToken: 'new-pinterest-refresh' });
  });

  it('LinkedIn: the form to the sign-in host’s accessToken endpoint', async () => {
    vi.stubEnv('HEROLD_LINKEDIN_AUTH_URL', 'https://linkedin-signin.test');
    const { fake, requests } = recordingFetch(200, {
      access_token: 'new-linkedin-access',
      expires_in: 5_184_000,
      refresh_token: 'old-refresh-token-0001',
      refresh_token_expires_in: 31_000_000,
    });
    const renewed = await refresh(linkedinClient, fake, 'https://linkedin-api.test');
    expect(requests.map((request) => [request.url, request.form])).toEqual([
      [
        'https://linkedin-signin.test/oauth/v2/accessToken',
        {
          grant_type: 'refresh_token',
          refresh_token: 'old-refresh-token-0001',
          client_id: 'app-id',
          client_secret: 'app-secret-0001',
        },
      ],
    ]);
    expect(renewed.accessToken).toBe('new-linkedin-access');
  });

  it('a refused refresh token is an auth error that names the platform’s reason and no secret', async () => {
    vi.stubEnv('HEROLD_YOUTUBE_TOKEN_URL', 'https://google-token.test');
    const { fake } = recordingFetch(400, {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const refused = await refresh(youtubeClient, fake, 'https://youtube-api.test').catch((error: unknown) => error);
    expect(refused).toMatchObject({ errorClass: 'auth', code: 'invalid_grant' });
    const message = (refused as Error).message;
    expect(message).toContain('Token has been expired or revoked.');
    for (const secret of Object.values(stored)) expect(message).not.toContain(secret);
  });

  it('a platform outage is retryable, a rate limit waits', async () => {
    const outage = recordingFetch(503, { code: 0, message: 'Service unavailable' });
    await expect(refresh(pinterestClient, outage.fake, 'https://pinterest-api.test')).rejects.toMatchObject({
      errorClass: 'retryable',
    });
    const limited = recordingFetch(429, { code: 8, message: 'Rate limit exceeded' });
    await expect(refresh(pinterestClient, limited.fake, 'https://pinterest-api.test')).rejects.toMatchObject({
      errorClass: 'rate-limited',
    });
  });

  it('credentials stored without the app (connected before renewal existed) ask for a reconnection', async () => {
    const { fake, requests } = recordingFetch(200, {});
    const { clientSecret: _dropped, ...withoutSecret } = stored;
    await expect(
      linkedinClient.refreshCredentials!({
        ...channelContext('linkedin', 'account', withoutSecret, 'https://linkedin-api.test'),
        fetch: fake,
      }),
    ).rejects.toMatchObject({ errorClass: 'auth', code: 'MISSING_CREDENTIAL' });
    expect(requests).toEqual([]);
  });
});

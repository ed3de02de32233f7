/**
 * Each platform's token exchange, request by request: method, URL, authentication and form fields
 * as the platforms document them (shared/connect/platforms/* cite the pages), answered with the
 * documented answer shapes. And the boundary: an answer that does not match is refused with the
 * platform, the call and the JSON path, without ever quoting a token.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/model/schemas';
import { ConnectError, bodyExcerpt } from '../../../shared/connect/answers';
import type { ConnectContext, OAuthFlow } from '../../../shared/connect/flow';
import { CONNECT_FLOWS } from '../../../shared/connect/flows';
import { codeChallenge } from '../../../shared/connect/attempts';

interface Recorded {
  method: string;
  url: string;
  authorization?: string;
  form?: Record<string, string>;
  json?: unknown;
}

/** A fetch that answers by `METHOD path` and records what was sent. */
function recordingFetch(answers: Record<string, unknown>) {
  const requests: Recorded[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const body = init?.body;
    requests.push({
      method: init?.method ?? 'GET',
      url: url.toString(),
      ...(headers.get('authorization') ? { authorization: headers.get('authorization')! } : {}),
      ...(body instanceof URLSearchParams ? { form: Object.fromEntries(body) } : {}),
      ...(typeof body === 'string' ? { json: JSON.parse(body) } : {}),
    });
    const key = `${init?.method ?? 'GET'} ${url.pathname}`;
    if (!(key in answers)) return new Response(JSON.stringify({ error: `no answer for ${key}` }), { status: 404 });
    return new Response(JSON.stringify(answers[key]), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

const NOW = new Date('2026-03-01T10:00:00Z');
const APP = { clientId: 'app-id', clientSecret: 'app-secret' };
const REDIRECT = 'https://api.herold.example/oauth/callback/';

function contextFor(platform: Channel['platform'], fetch: typeof globalThis.fetch, handle = 'herold'): ConnectContext {
  return {
    channel: {
      id: `city-${platform}-1`,
      org: 'city',
      platform,
      handle,
      state: 'frozen',
      account: handle,
      credentialsRef: `herold/${platform}/city-${platform}-1`,
    },
    apiUrl: 'https://api.example',
    authUrl: 'https://auth.example',
    tokenUrl: 'https://token.example',
    fetch,
    timeoutMs: 1000,
    now: NOW,
  };
}

const oauth = (platform: Channel['platform']) => CONNECT_FLOWS[platform] as OAuthFlow<unknown>;
const basic = `Basic ${Buffer.from('app-id:app-secret').toString('base64')}`;

describe('authorisation requests', () => {
  it.each([
    [
      'facebook',
      'https://auth.example/v23.0/dialog/oauth',
      { scope: 'pages_show_list,pages_manage_posts,pages_read_engagement' },
    ],
    [
      'threads',
      'https://auth.example/oauth/authorize',
      { scope: 'threads_basic,threads_content_publish,threads_read_replies,threads_manage_replies' },
    ],
    [
      'linkedin',
      'https://auth.example/oauth/v2/authorization',
      { scope: 'w_organization_social r_organization_social rw_organization_admin' },
    ],
    [
      'youtube',
      'https://auth.example/o/oauth2/v2/auth',
      { access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256' },
    ],
    ['pinterest', 'https://auth.example/oauth/', { scope: 'boards:read,pins:read,pins:write,user_accounts:read' }],
    [
      'x',
      'https://auth.example/i/oauth2/authorize',
      { scope: 'tweet.read tweet.write users.read media.write offline.access', code_challenge_method: 'S256' },
    ],
  ] as const)('%s: %s with state, client and redirect', (platform, address, extra) => {
    const url = new URL(
      oauth(platform).authorizationUrl(
        {
          clientId: 'app-id',
          redirectUri: `${REDIRECT}${platform}`,
          state: 'the-state',
          codeChallenge: 'the-challenge',
          extras: {},
        },
        contextFor(platform, fetch),
      ),
    );
    expect(`${url.origin}${url.pathname}`).toBe(address);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'app-id',
      redirect_uri: `${REDIRECT}${platform}`,
      state: 'the-state',
      response_type: 'code',
      ...extra,
    });
    expect(url.searchParams.has('code_challenge')).toBe(['x', 'youtube'].includes(platform));
  });

  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe('token exchanges', () => {
  it('Facebook: code → user token → long-lived token → the Page named by the handle', async () => {
    const { requests, fetch } = recordingFetch({
      'GET /v23.0/oauth/access_token': { access_token: 'user-token', token_type: 'bearer', expires_in: 5183944 },
      'GET /v23.0/me/accounts': {
        data: [
          { id: '1', name: 'Andere', access_token: 'page-1', tasks: ['MANAGE'] },
          { id: '2', name: 'Herold', username: 'herold', access_token: 'page-2', tasks: ['CREATE_CONTENT'] },
        ],
      },
    });
    const account = await oauth('facebook').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}facebook`, app: APP, extras: {} },
      contextFor('facebook', fetch),
    );
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET https://api.example/v23.0/oauth/access_token?client_id=app-id&redirect_uri=${encodeURIComponent(`${REDIRECT}facebook`)}&client_secret=app-secret&code=the-code`,
      'GET https://api.example/v23.0/oauth/access_token?grant_type=fb_exchange_token&client_id=app-id&client_secret=app-secret&fb_exchange_token=user-token',
      'GET https://api.example/v23.0/me/accounts?fields=id%2Cname%2Cusername%2Caccess_token%2Ctasks%2Cinstagram_business_account%7Bid%2Cusername%7D&limit=100',
    ]);
    expect(requests[2]?.authorization).toBe('Bearer user-token');
    expect(account).toEqual({
      credentials: { accessToken: 'page-2' },
      account: '2',
      accountName: 'Herold',
      profileUrl: 'https://www.facebook.com/herold',
    });
  });

  it('Instagram: the professional account linked to a Page, posting with the Page token', async () => {
    const { fetch } = recordingFetch({
      'GET /v23.0/oauth/access_token': { access_token: 'user-token', expires_in: 3600 },
      'GET /v23.0/me/accounts': {
        data: [
          { id: '1', name: 'Ohne', access_token: 'page-1' },
          {
            id: '2',
            name: 'Mit',
            access_token: 'page-2',
            instagram_business_account: { id: '178', username: 'herold' },
          },
        ],
      },
    });
    const account = await oauth('instagram').exchange(
      { code: 'c', redirectUri: `${REDIRECT}instagram`, app: APP, extras: {} },
      contextFor('instagram', fetch, '@nobody'),
    );
    expect(account).toMatchObject({ credentials: { accessToken: 'page-2' }, account: '178', handle: '@herold' });
  });

  it('Threads: form POST for the short-lived token, GET for the long-lived one, then the profile', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /oauth/access_token': { access_token: 'short', user_id: 42 },
      'GET /access_token': { access_token: 'long', token_type: 'bearer', expires_in: 5183944 },
      'GET /v1.0/me': { id: '42', username: 'herold' },
    });
    const account = await oauth('threads').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}threads`, app: APP, extras: {} },
      contextFor('threads', fetch),
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://api.example/oauth/access_token',
      form: {
        client_id: 'app-id',
        client_secret: 'app-secret',
        code: 'the-code',
        grant_type: 'authorization_code',
        redirect_uri: `${REDIRECT}threads`,
      },
    });
    expect(requests[1]?.url).toBe(
      'https://api.example/access_token?grant_type=th_exchange_token&client_secret=app-secret&access_token=short',
    );
    expect(requests[2]).toMatchObject({
      url: 'https://api.example/v1.0/me?fields=id,username',
      authorization: 'Bearer long',
    });
    expect(account).toMatchObject({
      credentials: { accessToken: 'long', expiresAt: '2026-04-30T09:59:04.000Z', issuedAt: NOW.toISOString() },
      account: '42',
      handle: '@herold',
      tokenExpiresAt: '2026-04-30T09:59:04.000Z',
    });
  });

  it('LinkedIn: the token on the sign-in host, then the organisations the member administers', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /oauth/v2/accessToken': { access_token: 'li-token', expires_in: 5184000, scope: 'w_organization_social' },
      'GET /rest/organizationAcls': {
        elements: [{ organization: 'urn:li:organization:7', role: 'ADMINISTRATOR', state: 'APPROVED' }],
      },
      'GET /rest/organizations/7': { id: 7, localizedName: 'Stadt', vanityName: 'herold' },
    });
    const account = await oauth('linkedin').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}linkedin`, app: APP, extras: {} },
      contextFor('linkedin', fetch),
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://auth.example/oauth/v2/accessToken',
      form: {
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: `${REDIRECT}linkedin`,
        client_id: 'app-id',
        client_secret: 'app-secret',
      },
    });
    expect(requests[1]).toMatchObject({
      url: 'https://api.example/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED',
      authorization: 'Bearer li-token',
    });
    expect(account).toMatchObject({
      account: 'urn:li:organization:7',
      profileUrl: 'https://www.linkedin.com/company/herold',
      tokenExpiresAt: '2026-04-30T10:00:00.000Z',
    });
  });

  it('YouTube: Google’s token host with the PKCE verifier; revocation of the refresh token', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /token': { access_token: 'g-access', expires_in: 3599, refresh_token: 'g-refresh', token_type: 'Bearer' },
      'GET /youtube/v3/channels': { items: [{ id: 'UC1', snippet: { title: 'Herold', customUrl: '@herold' } }] },
      'POST /revoke': {},
    });
    const context = contextFor('youtube', fetch);
    const account = await oauth('youtube').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}youtube`, codeVerifier: 'the-verifier', app: APP, extras: {} },
      context,
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://token.example/token',
      form: {
        code: 'the-code',
        client_id: 'app-id',
        client_secret: 'app-secret',
        redirect_uri: `${REDIRECT}youtube`,
        grant_type: 'authorization_code',
        code_verifier: 'the-verifier',
      },
    });
    expect(requests[1]).toMatchObject({
      url: 'https://api.example/youtube/v3/channels?part=id,snippet&mine=true',
      authorization: 'Bearer g-access',
    });
    expect(account).toMatchObject({
      // the app rides along: the publisher renews the one-hour token with it
      credentials: {
        accessToken: 'g-access',
        refreshToken: 'g-refresh',
        clientId: APP.clientId,
        clientSecret: APP.clientSecret,
      },
      account: 'UC1',
      profileUrl: 'https://www.youtube.com/@herold',
    });
    await oauth('youtube').revoke!(account.credentials, context);
    expect(requests[2]).toEqual({ method: 'POST', url: 'https://token.example/revoke', form: { token: 'g-refresh' } });
  });

  it('Pinterest: HTTP Basic with continuous refresh, then the board named as target', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /v5/oauth/token': {
        access_token: 'p-access',
        refresh_token: 'p-refresh',
        expires_in: 2592000,
        token_type: 'bearer',
      },
      'GET /v5/user_account': { username: 'herold' },
      'GET /v5/boards': {
        items: [
          { id: '11', name: 'Warnungen' },
          { id: '12', name: 'Feste' },
        ],
        bookmark: null,
      },
    });
    const account = await oauth('pinterest').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}pinterest`, app: APP, extras: { target: 'Feste' } },
      contextFor('pinterest', fetch),
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://api.example/v5/oauth/token',
      authorization: basic,
      form: {
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: `${REDIRECT}pinterest`,
        continuous_refresh: 'true',
      },
    });
    expect(requests[2]?.url).toBe('https://api.example/v5/boards?page_size=250');
    expect(account).toMatchObject({
      account: '12',
      handle: 'herold',
      credentials: { refreshToken: 'p-refresh', clientId: APP.clientId, clientSecret: APP.clientSecret },
    });
  });

  it('X: HTTP Basic with the PKCE verifier; the secret keeps what rotation and revocation need', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /2/oauth2/token': {
        token_type: 'bearer',
        expires_in: 7200,
        access_token: 'x-access',
        refresh_token: 'x-refresh',
        scope: 'tweet.write',
      },
      'GET /2/users/me': { data: { id: '99', name: 'Herold', username: 'herold' } },
      'POST /2/oauth2/revoke': { revoked: true },
    });
    const context = contextFor('x', fetch);
    const account = await oauth('x').exchange(
      { code: 'the-code', redirectUri: `${REDIRECT}x`, codeVerifier: 'the-verifier', app: APP, extras: {} },
      context,
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://api.example/2/oauth2/token',
      authorization: basic,
      form: {
        code: 'the-code',
        grant_type: 'authorization_code',
        redirect_uri: `${REDIRECT}x`,
        code_verifier: 'the-verifier',
      },
    });
    expect(account.credentials).toEqual({
      accessToken: 'x-access',
      refreshToken: 'x-refresh',
      clientId: 'app-id',
      clientSecret: 'app-secret',
      expiresAt: '2026-03-01T12:00:00.000Z',
      issuedAt: NOW.toISOString(),
    });
    await oauth('x').revoke!(account.credentials, context);
    expect(requests.slice(2)).toEqual([
      {
        method: 'POST',
        url: 'https://api.example/2/oauth2/revoke',
        authorization: basic,
        form: { token: 'x-refresh', token_type_hint: 'refresh_token' },
      },
      {
        method: 'POST',
        url: 'https://api.example/2/oauth2/revoke',
        authorization: basic,
        form: { token: 'x-access', token_type_hint: 'access_token' },
      },
    ]);
  });

  it('Mastodon: the instance’s token endpoint with the verifier, the account and the instance’s text limit', async () => {
    const { requests, fetch } = recordingFetch({
      'POST /oauth/token': { access_token: 'm-token', token_type: 'Bearer', scope: 'write:statuses', created_at: 1 },
      'GET /api/v1/accounts/verify_credentials': {
        id: '1',
        username: 'stadt',
        display_name: 'Stadt',
        url: 'https://social.example/@stadt',
      },
      'GET /api/v2/instance': { domain: 'social.example', configuration: { statuses: { max_characters: 1500 } } },
      'POST /oauth/revoke': {},
    });
    const context = { ...contextFor('mastodon', fetch), apiUrl: 'https://mastodon.social' };
    const account = await oauth('mastodon').exchange(
      {
        code: 'the-code',
        redirectUri: `${REDIRECT}mastodon`,
        codeVerifier: 'v',
        app: APP,
        extras: { instance: 'https://social.example' },
      },
      context,
    );
    expect(requests[0]).toEqual({
      method: 'POST',
      url: 'https://social.example/oauth/token',
      form: {
        grant_type: 'authorization_code',
        code: 'the-code',
        client_id: 'app-id',
        client_secret: 'app-secret',
        redirect_uri: `${REDIRECT}mastodon`,
        code_verifier: 'v',
      },
    });
    expect(account).toMatchObject({
      account: 'https://social.example/@stadt',
      handle: '@stadt@social.example',
      textLimit: 1500,
    });
    await oauth('mastodon').revoke!(account.credentials, {
      ...context,
      channel: { ...context.channel, account: account.account },
    });
    expect(requests.at(-1)).toEqual({
      method: 'POST',
      url: 'https://social.example/oauth/revoke',
      form: { client_id: 'app-id', client_secret: 'app-secret', token: 'm-token' },
    });
  });
});

describe('the boundary', () => {
  it('refuses an answer without the token it promised, naming platform, call and path, quoting no token', async () => {
    const { fetch } = recordingFetch({
      'POST /2/oauth2/token': {
        token_type: 'bearer',
        expires_in: 7200,
        access_token: 'x-leak-me',
        scope: 'tweet.write',
      },
    });
    const failure = await oauth('x')
      .exchange(
        { code: 'c', redirectUri: `${REDIRECT}x`, codeVerifier: 'v', app: APP, extras: {} },
        contextFor('x', fetch),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as Error).message).toMatch(/^X code exchange: unexpected answer at refresh_token: /);
    expect((failure as Error).message).not.toContain('x-leak-me');
  });

  it('keeps tokens, secrets and JWTs out of every excerpt', () => {
    const excerpt = bodyExcerpt({
      access_token: 'a1',
      nested: { refresh_token: 'r1', client_secret: 's1', ok: 'shown' },
      list: [{ appPassword: 'p1' }],
      text: 'see access_token=q1 and Bearer b1 and bot123:abcdefghijkl',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImNvbS5hdHByb3RvLmFjY2VzcyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
    });
    for (const secret of ['a1', 'r1', 's1', 'p1', 'q1', 'b1', 'abcdefghijkl', 'eyJ'])
      expect(excerpt).not.toContain(secret);
    expect(excerpt).toContain('shown');
  });

  it('turns a platform’s refusal into its own words', async () => {
    const fetch = (async () =>
      new Response(
        JSON.stringify({ error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' }),
        { status: 400, headers: { 'content-type': 'application/json' } },
      )) as typeof globalThis.fetch;
    const failure = await oauth('mastodon')
      .exchange(
        { code: 'c', redirectUri: 'r', app: APP, extras: { instance: 'https://s.example' } },
        contextFor('mastodon', fetch),
      )
      .catch((error: unknown) => error);
    expect((failure as Error).message).toBe(
      'Mastodon code exchange: HTTP 400: The provided authorization grant is invalid (invalid_grant)',
    );
  });
});

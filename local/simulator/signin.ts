/**
 * The platforms' sign-in side: authorisation pages, token endpoints and the few account reads a
 * connection makes, with each platform's paths, parameters and answers (shared/connect/platforms/*
 * name their documentation). Sign-in hosts are mounted at `/auth/<platform>` (HEROLD_<P>_AUTH_URL);
 * token endpoints and account reads that live on a platform's API host are answered here before the
 * platform's module sees the request (`handleApiHost`).
 *
 * Each authorisation page is a consent form that approves or refuses; an approval redirects with a
 * single-use code bound to the client, the redirect URI and the PKCE challenge; a refusal with the
 * platform's own error parameters. `POST /_sim/oauth/expire-codes` lets every code issued so far
 * expire. Tokens issued here are accepted by the platform modules like the seed's (state.issueToken).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PlatformId } from '../../shared/platforms/registry';
import { graphError } from './platforms/meta-graph';
import { SIM_MASTODON_MAX_CHARACTERS } from './state';
import type { SimRequest, SimResponse, SimState } from './types';

/** The platform apps the simulator knows (the local stack's app secrets hold exactly these). */
export const SIM_APPS: Partial<Record<PlatformId, { clientId: string; clientSecret: string }>> = {
  facebook: { clientId: '1000000000000001', clientSecret: 'sim-facebook-app-secret' },
  instagram: { clientId: '1000000000000001', clientSecret: 'sim-facebook-app-secret' },
  threads: { clientId: '2000000000000002', clientSecret: 'sim-threads-app-secret' },
  linkedin: { clientId: 'simlinkedinapp', clientSecret: 'sim-linkedin-app-secret' },
  youtube: { clientId: 'sim-youtube-app.apps.googleusercontent.com', clientSecret: 'sim-youtube-app-secret' },
  pinterest: { clientId: '1500001', clientSecret: 'sim-pinterest-app-secret' },
  x: { clientId: 'c2ltLXgtY2xpZW50LWlk', clientSecret: 'sim-x-app-secret' },
};

/** Who signs in at each platform: the accounts a connection finds. */
export const SIM_SIGNIN = {
  meta: {
    userId: '10000000000000301',
    pages: [
      {
        id: '100000000000301',
        name: 'Herold Testseite',
        username: 'herold.testseite',
        instagram: { id: '17841400000000301', username: 'herold_test' },
      },
      { id: '100000000000302', name: 'Zweite Seite', username: 'zweite.seite' },
    ],
  },
  threads: { id: '17841400000000401', username: 'herold_threads' },
  linkedin: { organizations: [{ id: 10000301, localizedName: 'Herold Test GmbH', vanityName: 'herold-test' }] },
  youtube: { id: 'UCsimHeroldTest0000000301', title: 'Herold Test', customUrl: '@heroldtest' },
  pinterest: {
    username: 'heroldtest',
    boards: [
      { id: '1000000000000000301', name: 'Warnungen' },
      { id: '1000000000000000302', name: 'Veranstaltungen' },
    ],
  },
  x: { id: '1000000000000000301', name: 'Herold Test', username: 'herold_test' },
} as const;

interface PendingConsent {
  platform: PlatformId;
  clientId: string;
  redirectUri: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}
interface IssuedCode extends PendingConsent {
  expiresAt: number;
  used: boolean;
}

/** How long a code lives: X 30 seconds, Threads one hour, the rest 10 minutes (Mastodon's Doorkeeper default). */
const CODE_LIFETIME_MS: Partial<Record<PlatformId, number>> = { x: 30_000, threads: 60 * 60_000 };

interface SignInState {
  consents: Map<string, PendingConsent>;
  codes: Map<string, IssuedCode>;
  /** Mastodon apps registered through POST /api/v1/apps */
  mastodonApps: Map<string, { clientSecret: string; redirectUris: string[] }>;
  /** user tokens a sign-in issued, by platform (the accounts they may read) */
  userTokens: Map<string, PlatformId>;
  /** refresh tokens of platforms whose refresh tokens are no access tokens (Pinterest) */
  refreshTokens: Map<string, PlatformId>;
  revoked: Set<string>;
}
/** Per simulator, and kept across DELETE /_sim/posts: connected channels stay connected. */
const signIns = new WeakMap<SimState, SignInState>();
function oauth(state: SimState): SignInState {
  let kept = signIns.get(state);
  if (!kept) {
    kept = {
      consents: new Map(),
      codes: new Map(),
      mastodonApps: new Map(),
      userTokens: new Map(),
      refreshTokens: new Map(),
      revoked: new Set(),
    };
    signIns.set(state, kept);
  }
  return kept;
}

const random = () => randomBytes(18).toString('base64url');

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function field(request: SimRequest, name: string): string | undefined {
  const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const value = body[name] ?? request.query.get(name) ?? undefined;
  return typeof value === 'string' ? value : undefined;
}

function basicClient(request: SimRequest): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!basic) return {};
  const [id, secret] = Buffer.from(basic, 'base64').toString().split(':');
  return { clientId: id && decodeURIComponent(id), clientSecret: secret && decodeURIComponent(secret) };
}

const bearer = (request: SimRequest) => /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];

/** The consent page: what a person sees at the platform before deciding. */
function consentPage(platform: PlatformId, id: string, scope: string | undefined): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>${platform}: Herold autorisieren</title></head>
<body><main><h1>Herold möchte auf Ihr ${escape(platform)}-Konto zugreifen</h1>
<p>Berechtigungen: ${escape(scope ?? '')}</p>
<form method="post" action="/_sim/oauth/consent">
<input type="hidden" name="request" value="${escape(id)}">
<button name="decision" value="approve">Erlauben</button>
<button name="decision" value="refuse">Ablehnen</button>
</form></main></body></html>`,
  };
}

const plainError = (status: number, message: string): SimResponse => ({ status, body: { error: message } });

/** GET of an authorisation page: checks the request the way the platform does, then asks the person. */
function authorize(platform: PlatformId, request: SimRequest, state: SimState): SimResponse {
  const clientId = request.query.get('client_id') ?? '';
  const redirectUri = request.query.get('redirect_uri') ?? '';
  const known =
    platform === 'mastodon' ? oauth(state).mastodonApps.has(clientId) : SIM_APPS[platform]?.clientId === clientId;
  if (!known) return plainError(400, `unknown client_id "${clientId}"`);
  if (!/^https?:\/\//.test(redirectUri)) return plainError(400, 'redirect_uri must be an absolute URL');
  if (platform === 'mastodon' && !oauth(state).mastodonApps.get(clientId)?.redirectUris.includes(redirectUri))
    return plainError(400, 'The redirect uri included is not valid.');
  if (request.query.get('response_type') !== 'code') return plainError(400, 'response_type must be code');
  const codeChallenge = request.query.get('code_challenge') ?? undefined;
  const method = request.query.get('code_challenge_method') ?? undefined;
  if (platform === 'x' && (!codeChallenge || !['S256', 'plain'].includes(method ?? '')))
    return plainError(400, 'code_challenge and code_challenge_method are required');
  const id = random();
  oauth(state).consents.set(id, {
    platform,
    clientId,
    redirectUri,
    state: request.query.get('state') ?? undefined,
    ...(codeChallenge ? { codeChallenge, codeChallengeMethod: method ?? 'plain' } : {}),
  });
  return consentPage(platform, id, request.query.get('scope') ?? undefined);
}

/** The refusal as each platform words it in the redirect. */
function refusalParams(platform: PlatformId): Record<string, string> {
  switch (platform) {
    case 'facebook':
    case 'instagram':
      return { error_reason: 'user_denied', error: 'access_denied', error_description: 'Permissions error.' };
    case 'linkedin':
      return { error: 'user_cancelled_authorize', error_description: 'The user cancelled the authorization' };
    case 'mastodon':
      return {
        error: 'access_denied',
        error_description: 'The resource owner or authorization server denied the request.',
      };
    default:
      return { error: 'access_denied' };
  }
}

/** POST /_sim/oauth/consent: the person's decision; the platform redirects back with a code or an error. */
function decide(request: SimRequest, state: SimState): SimResponse {
  const id = field(request, 'request') ?? '';
  const consent = oauth(state).consents.get(id);
  if (!consent) return plainError(400, 'this authorisation request is unknown or was answered already');
  oauth(state).consents.delete(id);
  const location = new URL(consent.redirectUri);
  if (field(request, 'decision') === 'approve') {
    const code = random();
    oauth(state).codes.set(code, {
      ...consent,
      used: false,
      expiresAt: Date.now() + (CODE_LIFETIME_MS[consent.platform] ?? 10 * 60_000),
    });
    location.searchParams.set('code', code);
  } else {
    for (const [name, value] of Object.entries(refusalParams(consent.platform))) location.searchParams.set(name, value);
  }
  if (consent.state !== undefined) location.searchParams.set('state', consent.state);
  return { status: 302, headers: { location: location.toString() } };
}

type CodeCheck =
  { ok: true; code: IssuedCode } | { ok: false; reason: 'invalid' | 'expired' | 'redirect' | 'verifier' };

/** A code is good once, for its client and redirect URI, before it expires, with the verifier of its challenge. */
function redeem(
  platform: PlatformId,
  state: SimState,
  values: { code?: string; clientId?: string; redirectUri?: string; verifier?: string },
): CodeCheck {
  const code = oauth(state).codes.get(values.code ?? '');
  if (!code || code.platform !== platform || code.used || code.clientId !== values.clientId)
    return { ok: false, reason: 'invalid' };
  code.used = true;
  if (code.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
  if (code.redirectUri !== values.redirectUri) return { ok: false, reason: 'redirect' };
  if (code.codeChallenge !== undefined) {
    const verifier = values.verifier ?? '';
    const expected =
      code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (expected !== code.codeChallenge) return { ok: false, reason: 'verifier' };
  }
  return { ok: true, code };
}

const appSecretMatches = (platform: PlatformId, clientId?: string, clientSecret?: string) =>
  SIM_APPS[platform]?.clientId === clientId && SIM_APPS[platform]?.clientSecret === clientSecret;

/** Graph's answers to a bad code (Facebook, Instagram, Threads). */
function graphCodeError(check: Exclude<CodeCheck, { ok: true }>): SimResponse {
  const message =
    check.reason === 'expired'
      ? 'This authorization code has expired.'
      : check.reason === 'redirect'
        ? 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request'
        : 'This authorization code has been used.';
  return graphError(400, 100, message);
}

function issue(state: SimState, platforms: PlatformId[], kind: string): string {
  return state.issueToken(platforms, `sim-${platforms[0]}-${kind}`);
}

/** Meta (graph.facebook.com): code → short-lived user token → long-lived user token → the Pages. */
function metaGraph(platform: PlatformId, request: SimRequest, state: SimState): SimResponse | undefined {
  const path = request.path.replace(/^\/v\d+\.\d+/, '');
  if (request.method === 'GET' && path === '/oauth/access_token') {
    const clientId = request.query.get('client_id') ?? undefined;
    if (!appSecretMatches(platform, clientId, request.query.get('client_secret') ?? undefined))
      return graphError(400, 1, 'Error validating client secret.');
    if (request.query.get('grant_type') === 'fb_exchange_token') {
      const short = request.query.get('fb_exchange_token') ?? '';
      if (oauth(state).userTokens.get(short) !== platform) return graphError(400, 190, 'Invalid OAuth access token.');
      const token = issue(state, [platform], 'long-user');
      oauth(state).userTokens.set(token, platform);
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 5_183_944 } };
    }
    const check = redeem(platform, state, {
      code: request.query.get('code') ?? undefined,
      clientId,
      redirectUri: request.query.get('redirect_uri') ?? undefined,
    });
    if (!check.ok) return graphCodeError(check);
    const token = issue(state, [platform], 'short-user');
    oauth(state).userTokens.set(token, platform);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 3600 } };
  }
  if (request.method === 'GET' && path === '/me/accounts') {
    const token = bearer(request) ?? request.query.get('access_token') ?? '';
    if (!oauth(state).userTokens.has(token)) return undefined;
    const pageToken = issue(state, ['facebook', 'instagram'], 'page');
    return {
      status: 200,
      body: {
        data: SIM_SIGNIN.meta.pages.map((page) => ({
          id: page.id,
          name: page.name,
          username: page.username,
          access_token: pageToken,
          tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'],
          ...('instagram' in page ? { instagram_business_account: page.instagram } : {}),
        })),
        paging: { cursors: { before: 'QVFIU', after: 'QVFIU' } },
      },
    };
  }
  return undefined;
}

function threadsGraph(request: SimRequest, state: SimState): SimResponse | undefined {
  if (request.method === 'POST' && request.path === '/oauth/access_token') {
    if (!appSecretMatches('threads', field(request, 'client_id'), field(request, 'client_secret')))
      return graphError(400, 1, 'Error validating client secret.');
    if (field(request, 'grant_type') !== 'authorization_code')
      return graphError(400, 100, 'The parameter grant_type must be authorization_code.');
    const check = redeem('threads', state, {
      code: field(request, 'code'),
      clientId: field(request, 'client_id'),
      redirectUri: field(request, 'redirect_uri'),
    });
    if (!check.ok) return graphCodeError(check);
    const token = issue(state, ['threads'], 'short');
    oauth(state).userTokens.set(token, 'threads');
    return { status: 200, body: { access_token: token, user_id: Number(SIM_SIGNIN.threads.id) } };
  }
  if (request.method === 'GET' && request.path === '/access_token') {
    if (request.query.get('grant_type') !== 'th_exchange_token')
      return graphError(400, 100, 'The parameter grant_type must be th_exchange_token.');
    if (request.query.get('client_secret') !== SIM_APPS.threads?.clientSecret)
      return graphError(400, 1, 'Error validating client secret.');
    if (oauth(state).userTokens.get(request.query.get('access_token') ?? '') !== 'threads')
      return graphError(400, 190, 'Invalid OAuth access token.');
    const token = issue(state, ['threads'], 'long');
    oauth(state).userTokens.set(token, 'threads');
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 5_183_944 } };
  }
  if (request.method === 'GET' && request.path === '/v1.0/me' && oauth(state).userTokens.has(bearer(request) ?? ''))
    return { status: 200, body: { id: SIM_SIGNIN.threads.id, username: SIM_SIGNIN.threads.username } };
  return undefined;
}

/** RFC 6749 §5.2 errors, as X, Google, LinkedIn and Mastodon send them. */
const oauthError = (status: number, error: string, description?: string): SimResponse => ({
  status,
  body: { error, ...(description ? { error_description: description } : {}) },
});

function linkedinToken(request: SimRequest, state: SimState): SimResponse {
  if (!appSecretMatches('linkedin', field(request, 'client_id'), field(request, 'client_secret')))
    return oauthError(401, 'invalid_client', 'Client authentication failed');
  const check = redeem('linkedin', state, {
    code: field(request, 'code'),
    clientId: field(request, 'client_id'),
    redirectUri: field(request, 'redirect_uri'),
  });
  if (!check.ok)
    return oauthError(
      400,
      'invalid_request',
      'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists',
    );
  const token = issue(state, ['linkedin'], 'access');
  oauth(state).userTokens.set(token, 'linkedin');
  return {
    status: 200,
    body: {
      access_token: token,
      expires_in: 5_184_000,
      scope: 'r_organization_social,rw_organization_admin,w_organization_social',
    },
  };
}

function linkedinApi(request: SimRequest, state: SimState): SimResponse | undefined {
  const isAcls = request.method === 'GET' && request.path === '/rest/organizationAcls';
  const organization = /^\/rest\/organizations\/(\d+)$/.exec(request.path)?.[1];
  if (!isAcls && !(request.method === 'GET' && organization)) return undefined;
  if (oauth(state).userTokens.get(bearer(request) ?? '') !== 'linkedin')
    return {
      status: 401,
      body: { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' },
    };
  if (!request.headers['linkedin-version'] || request.headers['x-restli-protocol-version'] !== '2.0.0')
    return { status: 400, body: { status: 400, message: 'A version header is required' } };
  if (isAcls) {
    if (request.query.get('q') !== 'roleAssignee')
      return { status: 400, body: { status: 400, message: 'Unsupported finder' } };
    return {
      status: 200,
      body: {
        paging: { start: 0, count: 10, links: [] },
        elements: SIM_SIGNIN.linkedin.organizations.map((org) => ({
          organization: `urn:li:organization:${org.id}`,
          roleAssignee: 'urn:li:person:simHerold',
          role: 'ADMINISTRATOR',
          state: 'APPROVED',
        })),
      },
    };
  }
  const found = SIM_SIGNIN.linkedin.organizations.find((org) => String(org.id) === organization);
  return found ? { status: 200, body: { ...found } } : { status: 404, body: { status: 404, message: 'Not Found' } };
}

function googleToken(request: SimRequest, state: SimState): SimResponse {
  if (!appSecretMatches('youtube', field(request, 'client_id'), field(request, 'client_secret')))
    return oauthError(401, 'invalid_client', 'Unauthorized');
  if (field(request, 'grant_type') === 'refresh_token') {
    if (
      oauth(state).userTokens.get(field(request, 'refresh_token') ?? '') !== 'youtube' ||
      oauth(state).revoked.has(field(request, 'refresh_token') ?? '')
    )
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    return {
      status: 200,
      body: { access_token: issue(state, ['youtube'], 'access'), expires_in: 3599, token_type: 'Bearer' },
    };
  }
  const check = redeem('youtube', state, {
    code: field(request, 'code'),
    clientId: field(request, 'client_id'),
    redirectUri: field(request, 'redirect_uri'),
    verifier: field(request, 'code_verifier'),
  });
  if (!check.ok)
    return oauthError(400, 'invalid_grant', check.reason === 'verifier' ? 'Invalid code verifier.' : 'Bad Request');
  const access = issue(state, ['youtube'], 'access');
  const refresh = `sim-youtube-refresh-${random()}`;
  oauth(state).userTokens.set(access, 'youtube');
  oauth(state).userTokens.set(refresh, 'youtube');
  return {
    status: 200,
    body: {
      access_token: access,
      expires_in: 3599,
      refresh_token: refresh,
      scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly',
      token_type: 'Bearer',
    },
  };
}

function googleRevoke(request: SimRequest, state: SimState): SimResponse {
  const token = field(request, 'token') ?? '';
  if (!oauth(state).userTokens.has(token)) return oauthError(400, 'invalid_token', 'Token expired or revoked');
  oauth(state).revoked.add(token);
  state.revokeToken('youtube', token);
  return { status: 200, body: {} };
}

function youtubeApi(request: SimRequest, state: SimState): SimResponse | undefined {
  if (request.method !== 'GET' || request.path !== '/youtube/v3/channels') return undefined;
  if (!(request.query.get('part') ?? '').split(',').includes('snippet')) return undefined;
  if (oauth(state).userTokens.get(bearer(request) ?? '') !== 'youtube') return undefined;
  const channel = SIM_SIGNIN.youtube;
  return {
    status: 200,
    body: {
      kind: 'youtube#channelListResponse',
      pageInfo: { totalResults: 1, resultsPerPage: 5 },
      items: [
        {
          kind: 'youtube#channel',
          id: channel.id,
          snippet: { title: channel.title, customUrl: channel.customUrl, description: '' },
        },
      ],
    },
  };
}

/** A token answer (schema OauthAccessTokenResponse…): every answer, a refresh's too, brings a new refresh token. */
function pinterestTokens(state: SimState, responseType: 'authorization_code' | 'refresh_token') {
  const access = issue(state, ['pinterest'], 'access');
  const refresh = `sim-pinterest-refresh-${random()}`;
  oauth(state).userTokens.set(access, 'pinterest');
  oauth(state).refreshTokens.set(refresh, 'pinterest');
  return {
    access_token: access,
    refresh_token: refresh,
    response_type: responseType,
    token_type: 'bearer',
    expires_in: 2_592_000,
    refresh_token_expires_in: 5_184_000,
    refresh_token_expires_at: Math.floor(Date.now() / 1000) + 5_184_000,
    scope: 'boards:read pins:read pins:write user_accounts:read',
  };
}

/** grant_type=refresh_token: a refresh token this simulator issued (continuous refresh keeps it valid). */
function pinterestRefresh(request: SimRequest, state: SimState): SimResponse {
  if (oauth(state).refreshTokens.get(field(request, 'refresh_token') ?? '') !== 'pinterest')
    return { status: 400, body: { code: 1, message: 'Invalid refresh token.' } };
  return { status: 200, body: pinterestTokens(state, 'refresh_token') };
}

function pinterestApi(request: SimRequest, state: SimState): SimResponse | undefined {
  if (request.method === 'POST' && request.path === '/v5/oauth/token') {
    const client = basicClient(request);
    if (!appSecretMatches('pinterest', client.clientId, client.clientSecret))
      return { status: 401, body: { code: 2, message: 'Authentication failed.' } };
    if (field(request, 'grant_type') === 'refresh_token') return pinterestRefresh(request, state);
    const check = redeem('pinterest', state, {
      code: field(request, 'code'),
      clientId: client.clientId,
      redirectUri: field(request, 'redirect_uri'),
    });
    if (!check.ok) return { status: 400, body: { code: 1, message: 'Invalid authorization code.' } };
    return { status: 200, body: pinterestTokens(state, 'authorization_code') };
  }
  if (oauth(state).userTokens.get(bearer(request) ?? '') !== 'pinterest') return undefined;
  if (request.method === 'GET' && request.path === '/v5/user_account')
    return { status: 200, body: { account_type: 'BUSINESS', username: SIM_SIGNIN.pinterest.username } };
  if (request.method === 'GET' && request.path === '/v5/boards')
    return {
      status: 200,
      body: { items: SIM_SIGNIN.pinterest.boards.map((board) => ({ ...board, privacy: 'PUBLIC' })), bookmark: null },
    };
  return undefined;
}

function xApi(request: SimRequest, state: SimState): SimResponse | undefined {
  const isToken = request.method === 'POST' && request.path === '/2/oauth2/token';
  if (isToken && field(request, 'grant_type') === 'authorization_code') {
    const client = basicClient(request);
    if (!client.clientId) return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    if (!appSecretMatches('x', client.clientId, client.clientSecret))
      return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    const check = redeem('x', state, {
      code: field(request, 'code'),
      clientId: client.clientId,
      redirectUri: field(request, 'redirect_uri'),
      verifier: field(request, 'code_verifier'),
    });
    if (!check.ok) return oauthError(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
    const access = issue(state, ['x'], 'access');
    oauth(state).userTokens.set(access, 'x');
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        expires_in: 7200,
        access_token: access,
        scope: 'tweet.read tweet.write users.read media.write offline.access',
        // the x module's refresh accepts any unspent sim-x-refresh- token
        refresh_token: `sim-x-refresh-${random()}`,
      },
    };
  }
  if (request.method === 'POST' && request.path === '/2/oauth2/revoke') {
    const client = basicClient(request);
    if (!appSecretMatches('x', client.clientId, client.clientSecret))
      return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    const token = field(request, 'token') ?? '';
    state.revokeToken('x', token);
    return { status: 200, body: { revoked: true } };
  }
  const token = bearer(request);
  // a sign-in's token reads the account that signed in, until it is revoked
  if (
    request.method === 'GET' &&
    request.path === '/2/users/me' &&
    oauth(state).userTokens.get(token ?? '') === 'x' &&
    state.acceptsToken('x', token)
  )
    return { status: 200, body: { data: { ...SIM_SIGNIN.x } } };
  return undefined;
}

/** Mastodon: registration, discovery, authorisation, token, revocation and instance, all on the instance. */
function mastodonInstance(request: SimRequest, state: SimState): SimResponse | undefined {
  const route = `${request.method} ${request.path}`;
  if (route === 'POST /api/v1/apps') {
    const name = field(request, 'client_name');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const uris = Array.isArray(body.redirect_uris)
      ? body.redirect_uris.map(String)
      : [String(body.redirect_uris ?? '')];
    if (!name) return { status: 422, body: { error: "Validation failed: Application name can't be blank" } };
    if (!uris.every((uri) => /^https?:\/\//.test(uri)))
      return { status: 422, body: { error: 'Validation failed: Redirect URI must be an absolute URI.' } };
    const clientId = random();
    const clientSecret = random();
    oauth(state).mastodonApps.set(clientId, { clientSecret, redirectUris: uris });
    return {
      status: 200,
      body: {
        id: state.nextId(),
        name,
        website: null,
        scopes: String(body.scopes ?? 'read').split(' '),
        redirect_uri: uris.join('\n'),
        redirect_uris: uris,
        client_id: clientId,
        client_secret: clientSecret,
        client_secret_expires_at: 0,
      },
    };
  }
  if (route === 'GET /.well-known/oauth-authorization-server')
    return {
      status: 200,
      body: {
        issuer: `${state.baseUrl}/mastodon/`,
        authorization_endpoint: `${state.baseUrl}/mastodon/oauth/authorize`,
        token_endpoint: `${state.baseUrl}/mastodon/oauth/token`,
        revocation_endpoint: `${state.baseUrl}/mastodon/oauth/revoke`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      },
    };
  if (route === 'GET /oauth/authorize') return authorize('mastodon', request, state);
  if (route === 'POST /oauth/token') {
    const clientId = field(request, 'client_id') ?? '';
    const app = oauth(state).mastodonApps.get(clientId);
    if (!app || app.clientSecret !== field(request, 'client_secret'))
      return oauthError(
        401,
        'invalid_client',
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      );
    const check = redeem('mastodon', state, {
      code: field(request, 'code'),
      clientId,
      redirectUri: field(request, 'redirect_uri'),
      verifier: field(request, 'code_verifier'),
    });
    if (!check.ok)
      return oauthError(
        400,
        'invalid_grant',
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
      );
    const token = issue(state, ['mastodon'], 'access');
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'Bearer',
        scope: 'read:accounts read:statuses write:statuses write:media write:accounts',
        created_at: Math.floor(Date.now() / 1000),
      },
    };
  }
  if (route === 'POST /oauth/revoke') {
    const app = oauth(state).mastodonApps.get(field(request, 'client_id') ?? '');
    if (!app || app.clientSecret !== field(request, 'client_secret'))
      return oauthError(403, 'unauthorized_client', 'You are not authorized to revoke this token');
    state.revokeToken('mastodon', field(request, 'token') ?? '');
    return { status: 200, body: {} };
  }
  if (route === 'GET /api/v2/instance')
    return {
      status: 200,
      body: {
        domain: 'dresden.social',
        title: 'Dresden Social (simulated)',
        version: '4.4.0',
        configuration: {
          statuses: {
            max_characters: SIM_MASTODON_MAX_CHARACTERS,
            max_media_attachments: 4,
            characters_reserved_per_url: 23,
          },
        },
      },
    };
  return undefined;
}

/** Requests under `/auth/<platform>`: the platform's sign-in host. */
export function handleAuthHost(platform: PlatformId, request: SimRequest, state: SimState): SimResponse {
  const route = `${request.method} ${request.path}`;
  const authorizePaths: Partial<Record<PlatformId, RegExp>> = {
    facebook: /^\/v\d+\.\d+\/dialog\/oauth$/,
    instagram: /^\/v\d+\.\d+\/dialog\/oauth$/,
    threads: /^\/oauth\/authorize$/,
    linkedin: /^\/oauth\/v2\/authorization$/,
    youtube: /^\/o\/oauth2\/v2\/auth$/,
    pinterest: /^\/oauth\/?$/,
    x: /^\/i\/oauth2\/authorize$/,
  };
  if (request.method === 'GET' && authorizePaths[platform]?.test(request.path))
    return authorize(platform, request, state);
  if (platform === 'linkedin' && route === 'POST /oauth/v2/accessToken') return linkedinToken(request, state);
  // Google's token host (oauth2.googleapis.com) is simulated beside its sign-in host
  if (platform === 'youtube' && route === 'POST /token') return googleToken(request, state);
  if (platform === 'youtube' && route === 'POST /revoke') return googleRevoke(request, state);
  return plainError(404, `no sign-in page ${route}`);
}

/** Requests on a platform's API host that belong to its sign-in; undefined: the platform module answers. */
export function handleApiHost(platform: PlatformId, request: SimRequest, state: SimState): SimResponse | undefined {
  switch (platform) {
    case 'facebook':
    case 'instagram':
      return metaGraph(platform, request, state);
    case 'threads':
      return threadsGraph(request, state);
    case 'linkedin':
      return linkedinApi(request, state);
    case 'youtube':
      return youtubeApi(request, state);
    case 'pinterest':
      return pinterestApi(request, state);
    case 'x':
      return xApi(request, state);
    case 'mastodon':
      return mastodonInstance(request, state);
    default:
      return undefined;
  }
}

/** Control routes under `/_sim/oauth/`; undefined when the request is not one of them. */
export function handleOAuthControl(request: SimRequest, state: SimState): SimResponse | undefined {
  if (request.method === 'POST' && request.path === '/_sim/oauth/consent') return decide(request, state);
  if (request.method === 'POST' && request.path === '/_sim/oauth/expire-codes') {
    for (const code of oauth(state).codes.values()) code.expiresAt = 0;
    return { status: 204 };
  }
  return undefined;
}

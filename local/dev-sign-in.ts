/**
 * The development sign-in of the local stack: a small OpenID Connect provider (authorization code
 * with PKCE, as Cognito's managed login) whose sign-in page asks for an organisation, roles and a
 * name instead of a password. It issues access tokens signed with the local development key, which
 * the local API verifies as API Gateway's JWT authorizer verifies Cognito's. It exists only here:
 * the CDK app has no such route, and the workspace only ever sees OIDC.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { RoleSchema } from '../shared/model/schemas';
import { devKey, LOCAL_ISSUER, signToken } from './dev-key';
import { seedOrganisations } from './seed';

export const DEV_SIGN_IN_PATH = '/_local/oidc';
export const DEV_CLIENT_ID = 'herold-workspace';
/** a session lasts as long as a Cognito access token by default */
const DEFAULT_SESSION_SECONDS = 60 * 60;
const CODE_LIFETIME_MS = 60_000;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  sub: string;
  name: string;
  org: string;
  roles: z.infer<typeof RoleSchema>[];
  sessionSeconds: number;
  expiresAt: number;
}

const AuthorizeQuerySchema = z.object({
  response_type: z.literal('code'),
  client_id: z.literal(DEV_CLIENT_ID),
  redirect_uri: z.url(),
  state: z.string().min(1).max(512),
  code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a S256 challenge'),
  code_challenge_method: z.literal('S256'),
  nonce: z.string().max(512).optional(),
  scope: z.string().optional(),
});

const SignInFormSchema = AuthorizeQuerySchema.extend({
  org: z.string(),
  roles: z.array(RoleSchema).min(1, 'at least one role'),
  name: z.string().trim().min(1, 'a name').max(64),
  /** seconds: how long the session lasts (short ones let a person try an expiring session) */
  session: z.coerce
    .number()
    .int()
    .min(5)
    .max(12 * 60 * 60),
});

const TokenRequestSchema = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1),
  code_verifier: z.string().min(43).max(128),
  redirect_uri: z.url(),
  client_id: z.literal(DEV_CLIENT_ID),
});

/** The OIDC endpoints on a given origin, as the workspace's config.json names them. */
export const devSignInMetadata = (origin: string) => ({
  issuer: LOCAL_ISSUER,
  authorization_endpoint: `${origin}${DEV_SIGN_IN_PATH}/authorize`,
  token_endpoint: `${origin}${DEV_SIGN_IN_PATH}/token`,
  end_session_endpoint: `${origin}${DEV_SIGN_IN_PATH}/logout`,
});

export function createDevSignIn(options: { allowedRedirectOrigin: () => string }) {
  const codes = new Map<string, PendingCode>();

  const redirectAllowed = (uri: string) => new URL(uri).origin === options.allowedRedirectOrigin();

  return async (request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams) => {
    const method = request.method ?? 'GET';
    if (path === '/authorize' && method === 'GET') {
      const parsed = AuthorizeQuerySchema.safeParse(Object.fromEntries(query));
      if (!parsed.success || !redirectAllowed(parsed.data.redirect_uri))
        return sendText(response, 400, 'invalid authorization request');
      return sendHtml(response, 200, signInPage(parsed.data));
    }
    if (path === '/authorize' && method === 'POST') {
      const form = new URLSearchParams(await readText(request));
      const parsed = SignInFormSchema.safeParse({ ...Object.fromEntries(form), roles: form.getAll('roles') });
      if (
        !parsed.success ||
        !redirectAllowed(parsed.data.redirect_uri) ||
        !seedOrganisations().includes(parsed.data.org)
      ) {
        const known = AuthorizeQuerySchema.safeParse(Object.fromEntries(form));
        if (!known.success) return sendText(response, 400, 'invalid sign-in');
        return sendHtml(
          response,
          422,
          signInPage(known.data, 'Bitte Organisation, mindestens eine Rolle und einen Namen angeben.'),
        );
      }
      const sign = parsed.data;
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId: sign.client_id,
        redirectUri: sign.redirect_uri,
        challenge: sign.code_challenge,
        ...(sign.nonce ? { nonce: sign.nonce } : {}),
        sub: `local-${sign.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        name: sign.name,
        org: sign.org,
        roles: [...new Set(sign.roles)],
        sessionSeconds: sign.session,
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      const target = new URL(sign.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', sign.state);
      response.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' }).end();
      return;
    }
    if (path === '/token' && method === 'POST') {
      const parsed = TokenRequestSchema.safeParse(Object.fromEntries(new URLSearchParams(await readText(request))));
      if (!parsed.success) return sendJson(response, 400, { error: 'invalid_request' });
      const pending = codes.get(parsed.data.code);
      codes.delete(parsed.data.code);
      const challenge = createHash('sha256').update(parsed.data.code_verifier).digest('base64url');
      if (
        !pending ||
        pending.expiresAt < Date.now() ||
        pending.redirectUri !== parsed.data.redirect_uri ||
        pending.challenge !== challenge
      )
        return sendJson(response, 400, { error: 'invalid_grant' });
      // the person's name in the access token too, as Herold's pre-token trigger puts it into Cognito's
      const accessToken = await signToken({
        sub: pending.sub,
        name: pending.name,
        org: pending.org,
        roles: pending.roles,
        ttlSeconds: pending.sessionSeconds,
      });
      const key = await devKey();
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        name: pending.name,
        org: pending.org,
        roles: pending.roles,
        ...(pending.nonce ? { nonce: pending.nonce } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
        .setSubject(pending.sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(pending.clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + pending.sessionSeconds)
        .sign(key.privateKey);
      return sendJson(response, 200, {
        access_token: accessToken,
        id_token: idToken,
        token_type: 'Bearer',
        expires_in: pending.sessionSeconds,
        scope: 'openid email profile',
      });
    }
    if (path === '/logout' && method === 'GET') {
      const target = query.get('post_logout_redirect_uri');
      if (!target || !redirectAllowed(target)) return sendText(response, 400, 'invalid sign-out request');
      const url = new URL(target);
      const state = query.get('state');
      if (state) url.searchParams.set('state', state);
      response.writeHead(303, { location: url.toString(), 'cache-control': 'no-store' }).end();
      return;
    }
    if (path === '/sign-in.css' && method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(SIGN_IN_CSS);
      return;
    }
    return sendText(response, 404, 'not found');
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function signInPage(request: z.infer<typeof AuthorizeQuerySchema>, problem?: string): string {
  const hidden = Object.entries(request)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const orgs = seedOrganisations()
    .map((org, index) => `<option value="${org}"${index === 0 ? ' selected' : ''}>${ORG_NAMES[org] ?? org}</option>`)
    .join('');
  const roles = RoleSchema.options
    .map(
      (role) =>
        `<label class="check"><input type="checkbox" name="roles" value="${role}"${role === 'editor' ? ' checked' : ''}> ${ROLE_NAMES[role]}</label>`,
    )
    .join('\n        ');
  return `<!doctype html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Anmelden (Entwicklung) – Herold</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="${DEV_SIGN_IN_PATH}/sign-in.css">
</head>
<body>
  <main>
    <h1>Bei Herold anmelden</h1>
    <p class="note">Nur in der lokalen Entwicklungsumgebung: Wählen Sie, als wer Sie arbeiten. In AWS meldet man sich mit Passwort und zweitem Faktor an.</p>
    ${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
    <form method="post" action="${DEV_SIGN_IN_PATH}/authorize">
      ${hidden}
      <label for="name">Name</label>
      <input id="name" name="name" required maxlength="64" autocomplete="name" value="Anna Schmidt">
      <label for="org">Organisation</label>
      <select id="org" name="org">${orgs}</select>
      <fieldset>
        <legend>Rollen</legend>
        ${roles}
      </fieldset>
      <label for="session">Sitzungsdauer in Sekunden</label>
      <input id="session" name="session" type="number" min="5" max="43200" value="${DEFAULT_SESSION_SECONDS}">
      <button type="submit">Anmelden</button>
    </form>
  </main>
</body>
</html>`;
}

const ORG_NAMES: Record<string, string> = { city: 'Landeshauptstadt Dresden', 'fire-brigade': 'Feuerwehr Dresden' };
const ROLE_NAMES: Record<string, string> = {
  editor: 'Redaktion (editor)',
  emergency: 'Warnung (emergency)',
  admin: 'Verwaltung (admin)',
};

const SIGN_IN_CSS = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
main { max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; border: 1px solid #c9ced6; }
h1 { font-size: 1.5rem; margin-top: 0; }
.note { color: #3d4550; }
.problem { color: #8a1c12; font-weight: 600; }
label, legend { display: block; font-weight: 600; margin-top: 1rem; }
label.check { font-weight: 400; margin-top: .25rem; }
input:not([type=checkbox]), select { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #6b7480; border-radius: 4px; }
fieldset { border: 0; padding: 0; margin: 0; }
button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; color: #fff; background: #0b5cad; border: 0; border-radius: 4px; cursor: pointer; }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
`;

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 64 * 1024) request.destroy(new Error('body too large'));
    });
    request.once('end', () => resolve(text));
    request.once('error', reject);
  });
}

const sendText = (response: ServerResponse, status: number, text: string) =>
  void response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
const sendHtml = (response: ServerResponse, status: number, html: string) =>
  void response
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(html);
const sendJson = (response: ServerResponse, status: number, value: unknown) =>
  void response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(value));

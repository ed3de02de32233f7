/**
 * LinkedIn organisation pages (3-legged OAuth 2.0; PKCE is for native apps only):
 *   1. www.linkedin.com/oauth/v2/authorization?response_type=code&client_id&redirect_uri&state&scope=…
 *   2. POST www.linkedin.com/oauth/v2/accessToken (form: grant_type=authorization_code, code,
 *      redirect_uri, client_id, client_secret) → { access_token, expires_in (60 days), scope }
 *   3. GET api.linkedin.com/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED
 *      → the organisations the member administers
 *   4. GET api.linkedin.com/rest/organizations/{id} → { localizedName, vanityName }
 * Refresh tokens exist only for approved Marketing Developer Platform partners: without one the
 * token health check warns 7 days before the 60 days are up. LinkedIn's official documentation
 * names no revocation endpoint: retirement deletes the stored token.
 */
import * as z from 'zod';
import { LINKEDIN_VERSION } from '../../platforms/clients/linkedin';
import { connectCall } from '../answers';
import { addSeconds, type ConnectedAccount, type OAuthFlow } from '../flow';
import { TargetInputSchema, type TargetInput } from '../inputs';
import { pickAccount, renewable, targetExtras } from './common';

const SCOPES = ['w_organization_social', 'r_organization_social', 'rw_organization_admin'];

const TokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
  refresh_token: z.string().optional(),
  refresh_token_expires_in: z.number().optional(),
});
const AclsSchema = z.object({
  elements: z.array(z.object({ organization: z.string().regex(/^urn:li:organization:\d+$/), role: z.string() })),
});
const OrganizationSchema = z.object({
  id: z.number(),
  localizedName: z.string(),
  vanityName: z.string().optional(),
});

const orgId = (urn: string) => urn.slice('urn:li:organization:'.length);

export const linkedinConnect: OAuthFlow<TargetInput> = {
  kind: 'oauth',
  input: TargetInputSchema,
  pkce: false,
  extrasOf: targetExtras,
  noRevocation:
    'LinkedIn documents no revocation endpoint; the token expires after 60 days, or remove Herold under Settings → Data privacy → Permitted services',
  authorizationUrl(request, context) {
    const url = new URL(`${context.authUrl}/oauth/v2/authorization`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      scope: SCOPES.join(' '),
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const base = { platform: 'linkedin' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const token = await connectCall(
      {
        ...base,
        call: 'code exchange',
        method: 'POST',
        url: `${context.authUrl}/oauth/v2/accessToken`,
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: exchange.code,
          redirect_uri: exchange.redirectUri,
          client_id: exchange.app.clientId,
          client_secret: exchange.app.clientSecret,
        }),
      },
      TokenSchema,
    );
    const headers = {
      authorization: `Bearer ${token.access_token}`,
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
    };
    const acls = await connectCall(
      {
        ...base,
        call: 'organisation list',
        method: 'GET',
        url: `${context.apiUrl}/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`,
        headers,
      },
      AclsSchema,
    );
    const organizations = await Promise.all(
      [...new Set(acls.elements.map((element) => orgId(element.organization)))].map((id) =>
        connectCall(
          {
            ...base,
            call: 'organisation',
            method: 'GET',
            url: `${context.apiUrl}/rest/organizations/${id}`,
            headers,
          },
          OrganizationSchema,
        ),
      ),
    );
    const organization = pickAccount(
      'linkedin',
      'organisation list',
      organizations,
      (candidate) => [candidate.vanityName, candidate.localizedName, String(candidate.id)],
      { target: exchange.extras.target, context, what: 'organisation page' },
    );
    const expiresAt = addSeconds(context.now, token.expires_in);
    return {
      credentials: {
        accessToken: token.access_token,
        expiresAt,
        issuedAt: context.now.toISOString(),
        ...(token.refresh_token ? renewable(token.refresh_token, exchange.app) : {}),
      },
      account: `urn:li:organization:${organization.id}`,
      accountName: organization.localizedName,
      ...(organization.vanityName
        ? {
            handle: organization.vanityName,
            profileUrl: `https://www.linkedin.com/company/${organization.vanityName}`,
          }
        : {}),
      tokenExpiresAt: expiresAt,
    };
  },
};

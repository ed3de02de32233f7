/**
 * The caller, from the claims API Gateway's JWT authorizer verified (the local server fills the
 * same structure). API Gateway hands array claims to Lambda as a string like "[editor emergency]",
 * and Cognito puts groups in `cognito:groups` and custom attributes under `custom:`.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { PrincipalSchema, RoleSchema, type Principal, type Role } from '../model/schemas';
import { ProblemError } from './problem';

type Claims = Record<string, string | number | boolean | string[]>;

export function principalFromEvent(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>): Principal {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
  if (!claims) throw new ProblemError(401, 'a valid bearer token is required');
  const roles = claimList(claims.roles ?? claims['cognito:groups']).filter(
    (role): role is Role => RoleSchema.safeParse(role).success,
  );
  const parsed = PrincipalSchema.safeParse({
    sub: claims.sub,
    org: claims.org ?? claims['custom:org'],
    roles,
    ...personName(claims),
  });
  if (!parsed.success) throw new ProblemError(403, 'the token does not name a valid organisation and subject');
  // whether Herold serves the organisation is the table's to say: servedPrincipal (shared/api/http.ts)
  return parsed.data;
}

/**
 * Who the person is, for audit records a reader understands: the token's `name`, else its `email`,
 * else `preferred_username` (OIDC standard claims). Cognito's access tokens carry none of these by
 * themselves: Herold's pre-token-generation trigger adds `name` and `email` (shared/auth/token-claims.ts);
 * a token with none of them falls back to the subject.
 */
function personName(claims: Claims): { name?: string } {
  for (const claim of ['name', 'email', 'preferred_username']) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim() !== '') return { name: value.trim().slice(0, 200) };
  }
  return {};
}

/** Accepts a real array, API Gateway's "[a b]" form, a JSON array string, or "a,b". */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // API Gateway's own format: "[editor emergency]"
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

export const hasRole = (principal: Principal, role: Role) => principal.roles.includes(role);

export function requireRole(principal: Principal, role: Role, action: string): void {
  if (!hasRole(principal, role)) throw new ProblemError(403, `${action} needs the "${role}" role`);
}

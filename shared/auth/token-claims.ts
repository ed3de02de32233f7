/**
 * What Cognito's pre-token-generation trigger (V2 event) adds to a person's tokens: the organisation
 * (from the admin-set attribute `custom:org`) and the Herold roles (from the user's groups), in the
 * ACCESS token too, so the workspace can send the access token to the API as AWS advises for an HTTP
 * API's JWT authorizer; and the person's name and e-mail into the access token, which Cognito's
 * lack, so the audit trail names a person rather than a `sub`. Pure: the handler only hands the
 * event through.
 */
import { OrgIdSchema, RoleSchema, type Role } from '../model/schemas';

/** The parts of the V2 event Herold reads. */
export interface PreTokenGenerationV2Event {
  request: {
    userAttributes: Record<string, string | undefined>;
    groupConfiguration?: { groupsToOverride?: string[] };
  };
  response: {
    claimsAndScopeOverrideDetails?: unknown;
  };
}

export interface HeroldClaims {
  org: string;
  roles: Role[];
  /** the person's name and e-mail, so the API (which sees only the access token) can name them in the audit trail */
  name?: string;
  email?: string;
}

/** A user attribute as a claim: trimmed, bounded, absent when empty. */
const attribute = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 200) : undefined;
};

/** The claims, or undefined for a user without a valid organisation (the API then refuses the token with 403). */
export function heroldClaims(event: PreTokenGenerationV2Event): HeroldClaims | undefined {
  const org = OrgIdSchema.safeParse(event.request.userAttributes['custom:org']);
  if (!org.success) return undefined;
  const roles = (event.request.groupConfiguration?.groupsToOverride ?? []).filter(
    (group): group is Role => RoleSchema.safeParse(group).success,
  );
  const attributes = event.request.userAttributes;
  // Cognito's access tokens carry neither name nor e-mail; without them an audit entry names a bare `sub`
  const name =
    attribute(attributes.name) ?? attribute([attributes.given_name, attributes.family_name].filter(Boolean).join(' '));
  const email = attribute(attributes.email);
  return { org: org.data, roles, ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

/** The event with Herold's claims added to the ID and the access token (Cognito returns the event). */
export function withHeroldClaims<E extends PreTokenGenerationV2Event>(event: E): E {
  const claims = heroldClaims(event);
  if (!claims) return event;
  const person = { ...(claims.name ? { name: claims.name } : {}), ...(claims.email ? { email: claims.email } : {}) };
  return {
    ...event,
    response: {
      ...event.response,
      claimsAndScopeOverrideDetails: {
        // the ID token has name and e-mail of its own (scopes profile and email)
        idTokenGeneration: { claimsToAddOrOverride: { org: claims.org, roles: claims.roles } },
        accessTokenGeneration: { claimsToAddOrOverride: { org: claims.org, roles: claims.roles, ...person } },
      },
    },
  };
}

/**
 * What Cognito's pre-token-generation trigger (V2 event) adds to a person's tokens: the organisation
 * (from the admin-set attribute `custom:org`) and the Herold roles (from the user's groups), in the
 * ACCESS token too, so the workspace can send the access token to the API as AWS advises for an HTTP
 * API's JWT authorizer. Pure: the handler only hands the event through.
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
}

/** The claims, or undefined for a user without a valid organisation (the API then refuses the token with 403). */
export function heroldClaims(event: PreTokenGenerationV2Event): HeroldClaims | undefined {
  const org = OrgIdSchema.safeParse(event.request.userAttributes['custom:org']);
  if (!org.success) return undefined;
  const roles = (event.request.groupConfiguration?.groupsToOverride ?? []).filter(
    (group): group is Role => RoleSchema.safeParse(group).success,
  );
  return { org: org.data, roles };
}

/** The event with Herold's claims added to the ID and the access token (Cognito returns the event). */
export function withHeroldClaims<E extends PreTokenGenerationV2Event>(event: E): E {
  const claims = heroldClaims(event);
  if (!claims) return event;
  const claimsToAddOrOverride = { org: claims.org, roles: claims.roles };
  return {
    ...event,
    response: {
      ...event.response,
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride },
        accessTokenGeneration: { claimsToAddOrOverride },
      },
    },
  };
}

/**
 * The organisation routes. Herold knows no operator above the organisations: an administrator
 * sees and changes their own organisation only. `GET /organisations` (admin) lists what the caller
 * may administer — their own organisation; `GET /organisations/{org}` (any member) answers another
 * organisation like one that does not exist; `PUT /organisations/{org}` (admin) replaces the
 * caller's own organisation, refused with 403 for any other. New organisations come from the
 * operator's seed (`npm run organisations`, docs/OPERATIONS.md), since the token of an
 * organisation Herold does not serve yet is refused before any route runs.
 *
 * Concurrent edits: every answer carries the version as ETag; a replacement names it in If-Match
 * (412 when it is stale, 428 when it is missing).
 */
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import {
  getOrganisation,
  OrganisationBodySchema,
  readOrganisation,
  writeOrganisation,
  type ExpectedOrganisation,
  type Organisation,
} from './organisations';

export const organisationEtag = (organisation: Organisation) => `"${organisation.version}"`;

export async function listOrganisationsForPrincipal(store: Store, principal: Principal) {
  requireRole(principal, 'admin', 'listing organisations');
  const own = await getOrganisation(store, principal.org);
  return { items: own ? [own] : [] };
}

export async function getOrganisationForPrincipal(
  store: Store,
  principal: Principal,
  org: string | undefined,
): Promise<Organisation> {
  // another organisation answers like one that does not exist, as its settings do
  const organisation = org === principal.org ? await readOrganisation(store, org) : undefined;
  if (!organisation) throw new ProblemError(404, `organisation "${org ?? ''}" not found`);
  return organisation;
}

export async function putOrganisationForPrincipal(
  store: Store,
  principal: Principal,
  org: string | undefined,
  body: unknown,
  ifMatch: string | undefined,
  now = new Date(),
): Promise<Organisation> {
  requireRole(principal, 'admin', 'changing the organisation');
  if (org !== principal.org)
    throw new ProblemError(403, "an administrator changes their own organisation only, not another's");
  const expected = expectedFromIfMatch(ifMatch);
  const input = parseOrProblem(OrganisationBodySchema, body, 'the organisation has invalid fields');
  return writeOrganisation(store, principal, principal.org, input, expected, now);
}

/** `"3"` (or weak `W/"3"`) names version 3; `*` any existing one; no header means a create. */
function expectedFromIfMatch(ifMatch: string | undefined): ExpectedOrganisation {
  if (ifMatch === undefined || ifMatch.trim() === '') return 'absent';
  if (ifMatch.trim() === '*') return 'existing';
  const version = /^(?:W\/)?"(\d{1,15})"$/.exec(ifMatch.trim())?.[1];
  if (version === undefined)
    throw new ProblemError(400, 'If-Match must be the ETag of the organisation as read, e.g. "3"');
  return Number(version);
}

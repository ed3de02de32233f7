/**
 * The local stack's organisations (local/seed/organisations.json): each one's directory settings
 * and emergency policy. The policy becomes the organisation's item in the table, as an operator's
 * `npm run organisations` seed does in AWS; tests and benchmarks seed their own policies with
 * `seedOrganisations` (the API's cache on this process sees the change at once).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { OrgAlertPolicySchema } from '../shared/alerts/policy';
import { OrgSettingsSchema } from '../shared/directory/settings';
import { OrgIdSchema } from '../shared/model/schemas';
import { writeOrganisation, type Organisation } from '../shared/organisations/organisations';
import type { Store } from '../shared/store/client';
import { localDynamoDocumentClient } from './aws';

export const SEED_ORGANISATIONS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'seed',
  'organisations.json',
);

export const SeedOrganisationSchema = OrgSettingsSchema.extend({ alertPolicy: OrgAlertPolicySchema.prefault({}) });
export type SeedOrganisation = z.output<typeof SeedOrganisationSchema>;
/** Per organisation, the emergency policy as written in JSON (every field has its strict default). */
export type AlertPolicies = Record<string, z.input<typeof OrgAlertPolicySchema>>;

export function loadSeedOrganisations(file = SEED_ORGANISATIONS_FILE): Record<string, SeedOrganisation> {
  return z.record(OrgIdSchema, SeedOrganisationSchema).parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The seed's emergency policies, for a test that changes one organisation's and keeps the rest. */
export const seedAlertPolicies = (): AlertPolicies =>
  Object.fromEntries(Object.entries(loadSeedOrganisations()).map(([org, seed]) => [org, seed.alertPolicy]));

/**
 * Writes the item of every seed organisation and every one `policies` names (replacing what is
 * there, audited as `herold`): the seed file's name, and — like the whole policy document it
 * stands for — the policy given here, the strict default for an organisation it leaves out, or
 * the seed file's policies when none are given.
 */
export async function seedOrganisations(
  store: Store,
  policies?: AlertPolicies,
  now = new Date(),
): Promise<Organisation[]> {
  const seed = loadSeedOrganisations();
  const orgs = [...new Set([...Object.keys(seed), ...Object.keys(policies ?? {})])];
  return Promise.all(
    orgs.map((org) =>
      writeOrganisation(
        store,
        { sub: 'herold' },
        OrgIdSchema.parse(org),
        {
          name: seed[org]?.displayName ?? org,
          alertPolicy: OrgAlertPolicySchema.parse((policies ? policies[org] : seed[org]?.alertPolicy) ?? {}),
        },
        'any',
        now,
      ),
    ),
  );
}

/** Replaces the emergency policies of a running local stack's organisations (see seedOrganisations). */
export async function setAlertPolicies(
  stack: { dynamoEndpoint: string; tableName: string },
  policies: AlertPolicies,
): Promise<Organisation[]> {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  try {
    return await seedOrganisations({ doc, table: stack.tableName }, policies);
  } finally {
    doc.destroy();
  }
}

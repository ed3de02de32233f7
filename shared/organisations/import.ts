/**
 * An operator's organisations file: `{ "<org>": { "name": "…", "alertPolicy": { … } } }`, the form
 * `npm run organisations -- import` takes. Each organisation named is created or replaced (its
 * version raised, audited in its own trail); organisations the file leaves out stay as they are.
 */
import * as z from 'zod';
import { OrgIdSchema, type Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { OrganisationBodySchema, writeOrganisation, type OrganisationBody } from './organisations';

export const OrganisationsFileSchema = z.record(OrgIdSchema, OrganisationBodySchema);
export type OrganisationsFile = z.output<typeof OrganisationsFileSchema>;

/** Writes a few at a time: 500 organisations take seconds, without a burst of 500 transactions. */
const CONCURRENCY = 16;

export async function importOrganisations(
  store: Store,
  actor: Pick<Principal, 'sub' | 'name'>,
  organisations: Record<string, OrganisationBody>,
  now = new Date(),
): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const queue = Object.entries(organisations);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [org, body] = next;
      const written = await writeOrganisation(store, actor, OrgIdSchema.parse(org), body, 'any', now);
      (written.version === 1 ? created : updated).push(org);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { created: created.sort(), updated: updated.sort() };
}

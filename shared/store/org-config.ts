/**
 * The organisation's settings item (`ORG#<org>`/`CONFIG`). Several modules keep settings in it
 * (scheduling, the public directory, the rules for replies); each reads and writes only its own
 * attributes, so one module's change never overwrites another's.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { requireRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut, type AuditInput } from '../audit/audit';
import type { Principal } from '../model/schemas';
import type { Store } from './client';
import { schedulingKeys } from './keys';

export async function readOrgConfig(store: Store, org: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await store.doc.send(new GetCommand({ TableName: store.table, Key: schedulingKeys.orgConfig(org) }));
  return Item;
}

/** The principal's own organisation; another organisation's settings answer like one that does not exist. */
export function ownOrganisation(principal: Principal, org: string | undefined): string {
  if (org !== principal.org) throw new ProblemError(404, `organisation "${org ?? ''}" not found`);
  return org;
}

export interface OrgConfigChange {
  /** the action, for the refusal when the principal is no administrator */
  what: string;
  /** the attributes this module owns, by their names in the item */
  attributes: Record<string, unknown>;
  /** the module's settings as they stand, for the audit record */
  readBefore: () => Promise<unknown>;
  audit: Pick<AuditInput, 'target' | 'after'>;
}

/**
 * An administrator's change of some of the organisation's settings, audited in the same transaction.
 * The role is checked before anything is read: a refused change costs no read and learns nothing.
 */
export async function changeOrgConfig(
  store: Store,
  principal: Principal,
  org: string,
  change: OrgConfigChange,
  now: Date,
): Promise<void> {
  requireRole(principal, 'admin', change.what);
  const before = await change.readBefore();
  const entries = Object.entries({ org, ...change.attributes });
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: store.table,
            Key: schedulingKeys.orgConfig(org),
            UpdateExpression: `SET ${entries.map((_, index) => `#a${index} = :a${index}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
            ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], index) => [`:a${index}`, value])),
          },
        },
        auditPut(store, principal, { action: 'organisation.settings', ...change.audit, before }, now),
      ],
    }),
  );
}

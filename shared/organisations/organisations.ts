/**
 * The organisations a deployment serves, each an item of its own in one partition
 * (`ORGANISATIONS` / `ORG#<org>`, shared/store/keys.ts): its name, its emergency policy
 * (shared/alerts/policy.ts), when it was created and last changed, and a version every change
 * raises (the API's ETag, for optimistic concurrency). Listing them is a paginated Query of that
 * one partition — 500 organisations are about 250 KB, a few pages — never a Scan of the table.
 *
 * They used to be Lambda environment variables; 500 organisations do not fit Lambda's 4 KB
 * environment, and an administrator could not change the policy without a deployment.
 *
 * Hot paths (the API's check of every token's organisation, the alert gate, the daily jobs) read
 * through a per-instance cache: see ORGANISATION_CACHE_TTL_MS.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { OrgAlertPolicySchema, type OrgAlertPolicy } from '../alerts/policy';
import { auditPut } from '../audit/audit';
import { OrgIdSchema, type OrgId, type Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { isConditionFailure, withoutKeys, type Store } from '../store/client';
import { keys } from '../store/keys';
import { TtlCache } from './cache';

/**
 * How long an instance trusts what it read. Every API request checks its token's organisation and
 * every alert reads its policy: without a cache each would read the table. A minute bounds how
 * long another instance acts on an old policy (an administrator who makes an organisation stricter
 * again waits at most that long everywhere) while a warm instance reads an organisation at most
 * once a minute instead of once per request. The instance that made a change sees it at once.
 */
export const ORGANISATION_CACHE_TTL_MS = 60_000;

export const OrganisationBodySchema = z.strictObject({
  /** the organisation's name as people know it ("Landeshauptstadt Dresden") */
  name: z.string().trim().min(1).max(120),
  /** who may send which alerts alone, in which languages, from which NINA region: the strict default when left out */
  alertPolicy: OrgAlertPolicySchema.prefault({}),
});
export type OrganisationBody = z.output<typeof OrganisationBodySchema>;

export const OrganisationSchema = OrganisationBodySchema.extend({
  org: OrgIdSchema,
  /** raised by every change; the API's ETag */
  version: z.int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export type Organisation = z.infer<typeof OrganisationSchema>;

/** An organisation without an item is not served; these are the policy's strict defaults. */
const STRICT_POLICY: OrgAlertPolicy = OrgAlertPolicySchema.parse({});

const byOrg = new TtlCache<Organisation | null>(ORGANISATION_CACHE_TTL_MS);
const lists = new TtlCache<Organisation[]>(ORGANISATION_CACHE_TTL_MS);
const orgCacheKey = (store: Store, org: string) => `${store.table}#${org}`;

/** Forgets everything this instance read (tests that write items behind the API's back). */
export function clearOrganisationCache(): void {
  byOrg.clear();
  lists.clear();
}

/** One organisation as stored now (strongly consistent, uncached): for a change and its ETag. */
export async function readOrganisation(store: Store, org: string): Promise<Organisation | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: keys.organisation(org), ConsistentRead: true }),
  );
  return Item ? OrganisationSchema.parse(withoutKeys(Item)) : undefined;
}

/** Every organisation as stored now, page by page (uncached). */
export async function queryOrganisations(store: Store, options: { pageSize?: number } = {}): Promise<Organisation[]> {
  const organisations: Organisation[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.organisationsPartition() },
        ...(options.pageSize ? { Limit: options.pageSize } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) organisations.push(OrganisationSchema.parse(withoutKeys(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return organisations;
}

/** Every organisation the deployment serves, by id (cached per instance). */
export async function listOrganisations(store: Store): Promise<Organisation[]> {
  return lists.get(store.table, async () => {
    const organisations = await queryOrganisations(store);
    for (const organisation of organisations) byOrg.set(orgCacheKey(store, organisation.org), organisation);
    return organisations.sort((a, b) => a.org.localeCompare(b.org));
  });
}

/** The ids of every organisation the deployment serves (cached per instance). */
export async function organisationIds(store: Store): Promise<OrgId[]> {
  return (await listOrganisations(store)).map((organisation) => organisation.org);
}

/** One organisation, or undefined when Herold does not serve it (cached per instance, the answer "none" too). */
export async function getOrganisation(store: Store, org: string): Promise<Organisation | undefined> {
  return (
    (await byOrg.get(orgCacheKey(store, org), async () => (await readOrganisation(store, org)) ?? null)) ?? undefined
  );
}

export async function isServedOrganisation(store: Store, org: string): Promise<boolean> {
  return (await getOrganisation(store, org)) !== undefined;
}

/** The organisation's emergency policy; the strict default for one Herold does not know. */
export async function organisationAlertPolicy(store: Store, org: string): Promise<OrgAlertPolicy> {
  return (await getOrganisation(store, org))?.alertPolicy ?? STRICT_POLICY;
}

/**
 * What a write expects to find: a version (the API's If-Match), `existing` (If-Match: *),
 * `absent` (a create) or `any` (an operator's seed, which replaces whatever is there).
 */
export type ExpectedOrganisation = number | 'existing' | 'absent' | 'any';

/**
 * Creates or replaces an organisation and its policy, audited in the organisation's own trail in
 * the same transaction. A stale expectation is a 412; the instance that wrote sees the change at once.
 */
export async function writeOrganisation(
  store: Store,
  actor: Pick<Principal, 'sub' | 'name'>,
  org: OrgId,
  body: OrganisationBody,
  expected: ExpectedOrganisation,
  now = new Date(),
): Promise<Organisation> {
  const before = await readOrganisation(store, org);
  if (expected === 'absent' && before)
    throw new ProblemError(
      428,
      `organisation "${org}" exists: send If-Match with its ETag ("${before.version}") to replace it`,
    );
  if (expected === 'existing' && !before) throw new ProblemError(412, `organisation "${org}" does not exist`);
  if (typeof expected === 'number' && before?.version !== expected)
    throw new ProblemError(
      412,
      before
        ? `organisation "${org}" was changed meanwhile (version ${before.version}, not ${expected}); read it again`
        : `organisation "${org}" does not exist`,
    );
  const after: Organisation = {
    org,
    ...body,
    version: (before?.version ?? 0) + 1,
    createdAt: before?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
    updatedBy: actor.sub,
  };
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: store.table,
              Item: { ...keys.organisation(org), ...after },
              // between the read and this write another change may have landed: it wins, this one is refused
              ...(before
                ? { ConditionExpression: 'version = :seen', ExpressionAttributeValues: { ':seen': before.version } }
                : { ConditionExpression: 'attribute_not_exists(PK)' }),
            },
          },
          auditPut(
            store,
            { ...actor, org },
            {
              action: before ? 'organisation.update' : 'organisation.create',
              target: `organisation/${org}`,
              ...(before ? { before } : {}),
              after,
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new ProblemError(412, `organisation "${org}" was changed meanwhile; read it again`);
    throw error;
  }
  byOrg.set(orgCacheKey(store, org), after);
  lists.delete(store.table);
  return after;
}

/** Environment settings of the follower collection, next to the shared contract in shared/config.ts. */
import * as z from 'zod';
import { OrgIdSchema, type OrgId } from '../model/schemas';

export const FOLLOWER_ENV = {
  /** comma-separated organisations whose channels the daily collection measures */
  orgs: 'HEROLD_ORGS',
  /** IANA zone that decides which calendar day a figure belongs to */
  timeZone: 'HEROLD_TIME_ZONE',
} as const;

const DEFAULT_ORGS = 'city,fire-brigade';
const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export function configuredOrgs(env: NodeJS.ProcessEnv = process.env): OrgId[] {
  const raw = env[FOLLOWER_ENV.orgs]?.trim() || DEFAULT_ORGS;
  const orgs = raw
    .split(',')
    .map((org) => org.trim())
    .filter((org) => org.length > 0);
  return z
    .array(OrgIdSchema)
    .min(1)
    .parse([...new Set(orgs)]);
}

export function configuredTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const zone = env[FOLLOWER_ENV.timeZone]?.trim() || DEFAULT_TIME_ZONE;
  // Throws a RangeError for an unknown zone, at start-up rather than at the first collection.
  new Intl.DateTimeFormat('en', { timeZone: zone });
  return zone;
}

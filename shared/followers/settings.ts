/** Environment settings of the follower collection, next to the shared contract in shared/config.ts. */

export const FOLLOWER_ENV = {
  /** IANA zone that decides which calendar day a figure belongs to */
  timeZone: 'HEROLD_TIME_ZONE',
} as const;

const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export function configuredTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const zone = env[FOLLOWER_ENV.timeZone]?.trim() || DEFAULT_TIME_ZONE;
  // Throws a RangeError for an unknown zone, at start-up rather than at the first collection.
  new Intl.DateTimeFormat('en', { timeZone: zone });
  return zone;
}

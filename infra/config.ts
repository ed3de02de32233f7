/**
 * The deployment settings of the Herold stack, read from CDK context (`cdk.json` or `-c key=value`).
 * Values given on the command line arrive as strings, so booleans, numbers and objects are parsed
 * from strings too. Every `herold:` key is checked before anything is built: a wrong value, or a
 * key Herold does not know (a typo would otherwise be ignored), stops the synth naming the key.
 */
import * as z from 'zod';
import type { Node } from 'constructs';
import { LANE_CONCURRENCY } from '../shared/config';
import { PlatformIdSchema } from '../shared/model/schemas';
import { PLATFORM_IDS, type PlatformId } from '../shared/platforms/registry';

import { WorkspaceConfigSchema } from '../shared/workspace/config';

/** Context values given with `-c` are strings: turn JSON-looking strings into values first. */
const fromCommandLine = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === 'false' || /^[{[]/.test(trimmed) || /^-?\d+(\.\d+)?$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
};

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const DailyTimeSchema = z.object({
  hour: z.number().int().min(0).max(23),
  minute: z.number().int().min(0).max(59),
  timeZone: z.string().refine(isTimeZone, 'not an IANA time zone'),
});

/**
 * A stage becomes part of the stack name (`Herold-<stage>`, which CloudFormation allows to hold
 * letters, digits and dashes, starting with a letter) and, in lower case, of every resource name.
 * Lower case only, so two stages never differ in case alone; at most 20 characters, so the longest
 * function name (`herold-<stage>-collect-followers`) stays well inside Lambda's 64.
 */
export const STAGE_PATTERN = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

const LaneConcurrencySchema = z
  .object({ normal: z.number().int().min(2).max(1000), urgent: z.number().int().min(2).max(1000) })
  .refine((c) => c.normal < c.urgent, 'normal must be below urgent');

export const HeroldConfigSchema = z.object({
  /**
   * Deploys a second, independent Herold beside the first: every named resource carries the stage.
   * Empty: the stack `Herold` with the names it has always had.
   */
  stage: z.preprocess(
    fromCommandLine,
    z
      .union([
        z.literal(''),
        z
          .string()
          .regex(
            STAGE_PATTERN,
            'a stage is 1 to 20 lower-case letters, digits and dashes, starting with a letter and not ending with a dash',
          ),
      ])
      .default(''),
  ),
  /** OIDC issuer of the API's tokens; empty: a Cognito user pool is created and used */
  jwtIssuer: z.preprocess(
    fromCommandLine,
    z
      .union([
        z.literal(''),
        z.url({
          protocol: /^https$/,
          hostname: z.regexes.domain,
          error: 'an https URL of the OIDC issuer (e.g. https://login.example.org/realms/herold), or empty for Cognito',
        }),
      ])
      .default(''),
  ),
  /** accepted `aud` values (ignored with the Cognito default, where the app client id is the audience) */
  jwtAudience: z.preprocess(
    fromCommandLine,
    z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .default('herold')
      .transform((audience) => (Array.isArray(audience) ? audience : [audience])),
  ),
  /**
   * the workspace's sign-in when `jwtIssuer` names your own OIDC provider (its public client for the
   * workspace, with its endpoints); with Cognito it is derived. Without it, an own issuer gets no workspace.
   */
  workspaceAuth: z.preprocess(fromCommandLine, WorkspaceConfigSchema.shape.auth.optional()),
  /** email address subscribed to the alarm topic; empty: no subscription */
  alarmEmail: z.preprocess(fromCommandLine, z.union([z.literal(''), z.email()]).default('')),
  /**
   * which alarms to create (each costs by the month, docs/COST.md): 'full', or 'essential' — only
   * what says a message is lost, late or cannot be published (dead-letter queues, function errors,
   * jobs not running, emergency latency, rejected credentials); no throttle, quota-reserve,
   * token-expiry or stale-follower alarms, whose metrics stay on the dashboard
   */
  alarms: z.preprocess(fromCommandLine, z.enum(['full', 'essential']).default('full')),
  /**
   * where channel credentials are kept (each secret costs by the month and each read 5 µUSD,
   * docs/COST.md): 'per-channel', one secret per channel that only its platform's publisher may read;
   * 'per-organisation', one secret per organisation holding all its channels' credentials, which
   * every publisher may read (and those that renew tokens write); or 'table', an item per channel in
   * a DynamoDB table of their own, each publisher limited to its platform's items (what it gives up:
   * docs/DECISIONS.md). Applies to channels created from then on; channels created under a setting
   * need its grants, so move their credentials before leaving it.
   */
  secrets: z.preprocess(fromCommandLine, z.enum(['per-channel', 'per-organisation', 'table']).default('per-channel')),
  /**
   * the Cognito user pool's feature plan (when Herold creates the pool): 'plus', with threat
   * protection (compromised-credential checks, adaptive authentication, in full-function mode), or
   * 'essentials', without it and at a lower price per monthly active user
   */
  cognitoPlan: z.preprocess(fromCommandLine, z.enum(['plus', 'essentials']).default('plus')),
  /**
   * the platforms this deployment publishes to (registry ids): only these get a lane (queues,
   * dead-letter queues, publisher function, event source mappings, alarms, dashboard widgets, secret
   * grants) and their webhook routes. The functions learn the list from the lanes' queues
   * (HEROLD_QUEUES): a channel on any other platform cannot be created or connected, and its
   * deliveries are skipped with the reason (docs/OPERATIONS.md). Default: every platform.
   */
  platforms: z.preprocess(
    fromCommandLine,
    z
      .array(PlatformIdSchema)
      .min(1, 'at least one platform')
      .refine((ids) => new Set(ids).size === ids.length, 'each platform once')
      .default([...PLATFORM_IDS])
      // registry order, whatever order the setting names them in: logical ids and dashboards stay put
      .transform((ids) => PLATFORM_IDS.filter((id) => ids.includes(id))),
  ),
  /** when the daily follower collection runs */
  followerCollection: z.preprocess(
    fromCommandLine,
    DailyTimeSchema.default({ hour: 5, minute: 0, timeZone: 'Europe/Berlin' }),
  ),
  /** when the daily token health check runs (before the follower collection, so refreshed tokens are used) */
  tokenHealth: z.preprocess(
    fromCommandLine,
    DailyTimeSchema.default({ hour: 4, minute: 0, timeZone: 'Europe/Berlin' }),
  ),
  /** a customer-managed KMS key for the table, the queues and the alarm topic */
  kmsKey: z.preprocess(fromCommandLine, z.boolean().default(false)),
  /** poll the NINA warnings feed every minute */
  ninaFeed: z.preprocess(fromCommandLine, z.boolean().default(false)),
  /** default-stage throttling of the HTTP API */
  apiThrottle: z.preprocess(
    fromCommandLine,
    z
      .object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
      .default({ rateLimit: 20, burstLimit: 40 }),
  ),
  /**
   * Maximum concurrent publisher invocations per platform and queue. The routine queue is capped
   * below the urgent one so a backlog of routine posts never takes the capacity an alert needs.
   * SQS event sources accept 2 to 1000.
   */
  queueConcurrency: z.preprocess(
    fromCommandLine,
    LaneConcurrencySchema.and(
      z.object({
        /** a platform's own lanes, e.g. X with its 17 posts a day: `"platforms": { "x": { "normal": 2, "urgent": 3 } }` */
        platforms: z.partialRecord(PlatformIdSchema, LaneConcurrencySchema).default({}),
      }),
    ).default({ ...LANE_CONCURRENCY, platforms: {} }),
  ),
  /** the secret holding each platform app's client id and secret, where it is not `herold-apps/<platform>` */
  appSecrets: z.preprocess(fromCommandLine, z.record(z.string(), z.string().min(1)).default({})),
  /** retention of every function's and the API's log group */
  logRetentionDays: z.preprocess(
    fromCommandLine,
    z
      .number()
      .int()
      .refine(
        (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
        `one of ${LOG_RETENTION_DAYS.join(', ')}`,
      )
      .default(90),
  ),
});

export type HeroldConfig = z.infer<typeof HeroldConfigSchema>;

/** A platform's lane concurrency: its own, or the default for every platform. */
export function laneConcurrency(config: HeroldConfig, platform: PlatformId): { normal: number; urgent: number } {
  const { normal, urgent } = config.queueConcurrency.platforms[platform] ?? config.queueConcurrency;
  return { normal, urgent };
}

/** Every context key Herold reads, as written in cdk.json. */
export const CONTEXT_KEYS = {
  stage: 'herold:stage',
  jwtIssuer: 'herold:jwtIssuer',
  jwtAudience: 'herold:jwtAudience',
  workspaceAuth: 'herold:workspaceAuth',
  alarmEmail: 'herold:alarmEmail',
  alarms: 'herold:alarms',
  secrets: 'herold:secrets',
  cognitoPlan: 'herold:cognitoPlan',
  platforms: 'herold:platforms',
  followerCollection: 'herold:followerCollection',
  tokenHealth: 'herold:tokenHealth',
  kmsKey: 'herold:kmsKey',
  ninaFeed: 'herold:ninaFeed',
  apiThrottle: 'herold:apiThrottle',
  queueConcurrency: 'herold:queueConcurrency',
  logRetentionDays: 'herold:logRetentionDays',
  appSecrets: 'herold:appSecrets',
} as const satisfies Record<keyof HeroldConfig, string>;

/** The context is wrong: the message names every key that is, and what is wrong with it. */
export class HeroldContextError extends Error {
  constructor(problems: string[]) {
    super(`invalid Herold context:\n  ${problems.join('\n  ')}`);
    this.name = 'HeroldContextError';
  }
}

/** Settings that became organisation items in the table, which administrators change without a deployment. */
const MOVED_TO_TABLE = ['herold:organisations', 'herold:alertPolicy'];
const MOVED_HINT =
  'organisations and their emergency policy are items in the table now: remove the key and create them with `npm run organisations` (docs/OPERATIONS.md)';

export function readHeroldConfig(node: Node): HeroldConfig {
  const known = new Set<string>(Object.values(CONTEXT_KEYS));
  const unknown = Object.keys(node.getAllContext())
    .filter((key) => key.startsWith('herold:') && !known.has(key))
    .map(
      (key) =>
        `${key}: ${MOVED_TO_TABLE.includes(key) ? MOVED_HINT : `not a Herold setting (known: ${[...known].join(', ')})`}`,
    );
  const raw = Object.fromEntries(Object.entries(CONTEXT_KEYS).map(([field, key]) => [field, node.tryGetContext(key)]));
  const parsed = HeroldConfigSchema.safeParse(raw);
  const problems = [
    ...unknown,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const field = issue.path[0] as keyof HeroldConfig | undefined;
          return `${field ? CONTEXT_KEYS[field] : 'context'}${issue.path.length > 1 ? `.${issue.path.slice(1).join('.')}` : ''}: ${issue.message}`;
        })),
  ];
  if (problems.length > 0 || !parsed.success) throw new HeroldContextError(problems);
  return parsed.data;
}

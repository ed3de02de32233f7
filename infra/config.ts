/**
 * The deployment settings of the Herold stack, read from CDK context (`cdk.json` or `-c key=value`).
 * Values given on the command line arrive as strings, so booleans, numbers and objects are parsed
 * from strings too; anything invalid stops the synth with the key that is wrong.
 */
import { z } from 'zod';
import type { Node } from 'constructs';
import { LANE_CONCURRENCY } from '../shared/config';
import { AlertPolicySchema } from '../shared/alerts/policy';

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

export const HeroldConfigSchema = z.object({
  /** OIDC issuer of the API's tokens; empty: a Cognito user pool is created and used */
  jwtIssuer: z.preprocess(fromCommandLine, z.string().default('')),
  /** accepted `aud` values (ignored with the Cognito default, where the app client id is the audience) */
  jwtAudience: z.preprocess(
    fromCommandLine,
    z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .default('herold')
      .transform((audience) => (Array.isArray(audience) ? audience : [audience])),
  ),
  /** email address subscribed to the alarm topic; empty: no subscription */
  alarmEmail: z.preprocess(fromCommandLine, z.union([z.literal(''), z.email()]).default('')),
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
  /** each organisation's emergency policy (single-person severities, languages, NINA region): see docs/EMERGENCY.md */
  alertPolicy: z.preprocess(fromCommandLine, AlertPolicySchema.default({})),
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
    z
      .object({ normal: z.number().int().min(2).max(1000), urgent: z.number().int().min(2).max(1000) })
      .default(LANE_CONCURRENCY)
      .refine((c) => c.normal < c.urgent, 'normal must be below urgent'),
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

/** Every context key Herold reads, as written in cdk.json. */
export const CONTEXT_KEYS = {
  jwtIssuer: 'herold:jwtIssuer',
  jwtAudience: 'herold:jwtAudience',
  alarmEmail: 'herold:alarmEmail',
  followerCollection: 'herold:followerCollection',
  tokenHealth: 'herold:tokenHealth',
  kmsKey: 'herold:kmsKey',
  ninaFeed: 'herold:ninaFeed',
  alertPolicy: 'herold:alertPolicy',
  apiThrottle: 'herold:apiThrottle',
  queueConcurrency: 'herold:queueConcurrency',
  logRetentionDays: 'herold:logRetentionDays',
  appSecrets: 'herold:appSecrets',
} as const satisfies Record<keyof HeroldConfig, string>;

export function readHeroldConfig(node: Node): HeroldConfig {
  const raw = Object.fromEntries(Object.entries(CONTEXT_KEYS).map(([field, key]) => [field, node.tryGetContext(key)]));
  const parsed = HeroldConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path[0] as keyof HeroldConfig | undefined;
      return `${field ? CONTEXT_KEYS[field] : 'context'}${issue.path.length > 1 ? `.${issue.path.slice(1).join('.')}` : ''}: ${issue.message}`;
    });
    throw new Error(`invalid Herold context:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

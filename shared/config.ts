/**
 * Runtime configuration of every function, from the environment. CDK sets these in AWS; the local
 * stack sets the same names. AWS SDK clients honour AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS,
 * which is how the local stack points them at DynamoDB Local and the local SQS server.
 */
import * as z from 'zod';
import { PLATFORM_IDS, PLATFORMS, type PlatformId } from './platforms/registry';

/** the deployed platforms' lanes (herold:platforms): a platform that is not deployed has none */
const QueueUrlsSchema = z.partialRecord(
  z.enum(PLATFORM_IDS),
  z.object({ normal: z.string().min(1), urgent: z.string().min(1) }),
);
/** every platform's lanes, as the local stack provisions them */
export type QueueUrls = Record<PlatformId, { normal: string; urgent: string }>;
/** the lanes a deployment has: one per deployed platform */
export type DeployedQueueUrls = z.infer<typeof QueueUrlsSchema>;

/**
 * How many batches of a platform's queues are handled at once, per lane. The urgent lane has more
 * so a routine backlog never delays an alert. CDK's event source mappings and the local pollers
 * both default to these (cdk.json `herold:queueConcurrency` overrides them in AWS).
 */
export const LANE_CONCURRENCY = { normal: 2, urgent: 10 } as const;

export const ENV = {
  table: 'HEROLD_TABLE',
  /** JSON: { "<platform>": { "normal": "<queue url>", "urgent": "<queue url>" } } */
  queues: 'HEROLD_QUEUES',
  /** local stack only: JSON file of channel credentials keyed by `local:<key>` refs */
  credentialsFile: 'HEROLD_CREDENTIALS_FILE',
  /** JSON: { "normal": "<queue url>", "urgent": "<queue url>" } of the alert-card function */
  cardQueues: 'HEROLD_CARD_QUEUES',
  /** where channel secrets are named: `<prefix><platform>/<channel-id>` (default `herold/`; a stage's own otherwise) */
  secretPrefix: 'HEROLD_SECRET_PREFIX',
  /**
   * `per-organisation`: a new channel's credentials are an entry in `<prefix>orgs/<org>`; `table`: an
   * item in the credentials table (HEROLD_CREDENTIALS_TABLE); otherwise a secret of its own
   */
  secretsLayout: 'HEROLD_SECRETS',
  /** the DynamoDB table of channel credentials (`table:` refs), beside the Herold table */
  credentialsTable: 'HEROLD_CREDENTIALS_TABLE',
} as const;

export function tableName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[ENV.table];
  if (!name) throw new Error(`${ENV.table} is not set`);
  return name;
}

let cachedQueues: { raw: string; urls: DeployedQueueUrls } | undefined;

export function queueUrls(env: NodeJS.ProcessEnv = process.env): DeployedQueueUrls {
  const raw = env[ENV.queues];
  if (!raw) throw new Error(`${ENV.queues} is not set`);
  if (cachedQueues?.raw !== raw) cachedQueues = { raw, urls: QueueUrlsSchema.parse(JSON.parse(raw)) };
  return cachedQueues.urls;
}

export function queueUrl(
  platform: PlatformId,
  lane: 'normal' | 'urgent',
  env: NodeJS.ProcessEnv = process.env,
): string {
  const urls = queueUrls(env)[platform];
  if (!urls) throw new Error(`no queue configured for ${platform}`);
  return urls[lane];
}

/**
 * The platforms this deployment publishes to (CDK context `herold:platforms`): those whose lane
 * queues HEROLD_QUEUES names, in registry order. A process without queues (a unit test, a tool)
 * sends no jobs and counts every platform.
 */
export function deployedPlatforms(env: NodeJS.ProcessEnv = process.env): PlatformId[] {
  if (!env[ENV.queues]) return [...PLATFORM_IDS];
  const urls = queueUrls(env);
  return PLATFORM_IDS.filter((id) => urls[id] !== undefined);
}

export const isDeployed = (platform: PlatformId, env: NodeJS.ProcessEnv = process.env): boolean =>
  deployedPlatforms(env).includes(platform);

/** Why nothing is done for a channel on a platform this deployment has no lane for, and what changes that. */
export const notDeployedReason = (platform: PlatformId): string =>
  `${PLATFORMS[platform].displayName} is not deployed here: add "${platform}" to the CDK context setting herold:platforms and deploy again`;

const CardQueueUrlsSchema = z.object({ normal: z.string().min(1), urgent: z.string().min(1) });

/** The alert-card function's queues (urgent for emergencies, normal for routine cards). */
export function cardQueueUrl(lane: 'normal' | 'urgent', env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[ENV.cardQueues];
  if (!raw) throw new Error(`${ENV.cardQueues} is not set`);
  return CardQueueUrlsSchema.parse(JSON.parse(raw))[lane];
}

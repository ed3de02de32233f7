/**
 * Runtime configuration of every function, from the environment. CDK sets these in AWS; the local
 * stack sets the same names. AWS SDK clients honour AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS,
 * which is how the local stack points them at DynamoDB Local and the local SQS server.
 */
import * as z from 'zod';
import { PLATFORM_IDS, type PlatformId } from './platforms/registry';

const QueueUrlsSchema = z.record(
  z.enum(PLATFORM_IDS),
  z.object({ normal: z.string().min(1), urgent: z.string().min(1) }),
);
export type QueueUrls = z.infer<typeof QueueUrlsSchema>;

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
  /** `per-organisation`: a new channel's credentials are an entry in `<prefix>orgs/<org>`; otherwise a secret of its own */
  secretsLayout: 'HEROLD_SECRETS',
} as const;

export function tableName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[ENV.table];
  if (!name) throw new Error(`${ENV.table} is not set`);
  return name;
}

let cachedQueues: { raw: string; urls: QueueUrls } | undefined;

export function queueUrls(env: NodeJS.ProcessEnv = process.env): QueueUrls {
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

const CardQueueUrlsSchema = z.object({ normal: z.string().min(1), urgent: z.string().min(1) });

/** The alert-card function's queues (urgent for emergencies, normal for routine cards). */
export function cardQueueUrl(lane: 'normal' | 'urgent', env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[ENV.cardQueues];
  if (!raw) throw new Error(`${ENV.cardQueues} is not set`);
  return CardQueueUrlsSchema.parse(JSON.parse(raw))[lane];
}

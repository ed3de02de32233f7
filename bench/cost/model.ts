/**
 * The cost model: measured events (bench/cost/scenarios.ts) times how often a profile causes them,
 * priced with bench/cost/prices-eu-central-1.json, plus the fixed monthly cost read from the
 * synthesised template. A counted quantity without a price stops the model (MissingPriceError):
 * no figure is printed that silently leaves a request out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { MAX_POSTS_PER_REPLIES_JOB } from '../../shared/model/schemas';
import { isDue } from '../../shared/replies/cadence';
import { DEFAULT_RETENTION_DAYS } from '../../shared/replies/settings';
import type { PlatformId } from '../../shared/platforms/registry';

const PriceSchema = z.object({
  usd: z.number().nonnegative(),
  per: z.number().positive(),
  unit: z.string(),
  confidence: z.enum(['OFF', 'PL', 'SEC', 'UNCONF']),
  source: z.string().min(1),
  seen: z.iso.date(),
});

export const PriceListSchema = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  kind: z.string(),
  compiled: z.iso.date(),
  confidence: z.record(z.string(), z.string()),
  prices: z.record(z.string(), PriceSchema),
});
export type PriceList = z.infer<typeof PriceListSchema>;

export const PRICE_FILE = path.join(import.meta.dirname, 'prices-eu-central-1.json');
export const loadPrices = (file = PRICE_FILE): PriceList =>
  PriceListSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

export class MissingPriceError extends Error {
  constructor(readonly meters: string[]) {
    super(`no price for ${meters.join(', ')}: add it to ${path.basename(PRICE_FILE)} with its source and date`);
    this.name = 'MissingPriceError';
  }
}

export interface Quantity {
  meter: string;
  quantity: number;
}

export interface Priced {
  usd: number;
  byMeter: Record<string, { quantity: number; usd: number }>;
}

/** Prices every quantity; throws MissingPriceError naming every meter that has none. */
export function price(quantities: Quantity[], prices: PriceList): Priced {
  const missing = [...new Set(quantities.filter((entry) => !prices.prices[entry.meter]).map((entry) => entry.meter))];
  if (missing.length) throw new MissingPriceError(missing.sort());
  const byMeter: Priced['byMeter'] = {};
  let usd = 0;
  for (const { meter, quantity } of quantities) {
    const unit = prices.prices[meter]!;
    const cost = (quantity * unit.usd) / unit.per;
    const entry = (byMeter[meter] ??= { quantity: 0, usd: 0 });
    entry.quantity += quantity;
    entry.usd += cost;
    usd += cost;
  }
  return { usd, byMeter };
}

/** Lambda bills each invocation's duration, rounded up to the millisecond, times its configured memory. */
export function lambdaDuration(
  invocations: { functionName: string; durationMs: number }[],
  memoryMb: Record<string, number>,
): Quantity[] {
  return invocations.map(({ functionName, durationMs }) => {
    const memory = memoryMb[functionName];
    if (memory === undefined) throw new Error(`the template has no function ${functionName}: its memory is unknown`);
    return { meter: 'lambda.gb-second', quantity: (Math.ceil(durationMs) / 1000) * (memory / 1024) };
  });
}

/** An assumption the model states beside its figure. */
export interface Profile {
  name: string;
  organisations: number;
  channels: number;
  messagesPerDay: number;
  /** active channels one message goes to */
  channelsPerMessage: number;
  scheduledShare: number;
  emergencyAlertsPerMonth: number;
  /** organisations whose NINA feed is polled every minute */
  ninaOrganisations: number;
  workspaceSessionsPerDay: number;
  /** people who sign in in a month (Cognito MAU) */
  monthlyActiveUsers: number;
  directoryViewsPerDay: number;
}

/**
 * The platforms Dresden runs its 15 channels on (X frozen, but connected): the `herold:platforms`
 * a deployment of its own would set. Mastodon, Bluesky and Telegram are not among them.
 */
export const DRESDEN_PLATFORMS: readonly PlatformId[] = [
  'threads',
  'whatsapp',
  'facebook',
  'instagram',
  'youtube',
  'linkedin',
  'pinterest',
  'x',
];

export const PROFILES: Profile[] = [
  {
    name: 'Dresden today',
    organisations: 2,
    channels: 15,
    messagesPerDay: 15,
    channelsPerMessage: 10,
    scheduledShare: 0.2,
    emergencyAlertsPerMonth: 4,
    ninaOrganisations: 1,
    workspaceSessionsPerDay: 10,
    monthlyActiveUsers: 20,
    directoryViewsPerDay: 500,
  },
  {
    name: 'large city',
    organisations: 10,
    channels: 110,
    messagesPerDay: 100,
    channelsPerMessage: 11,
    scheduledShare: 0.2,
    emergencyAlertsPerMonth: 10,
    ninaOrganisations: 3,
    workspaceSessionsPerDay: 60,
    monthlyActiveUsers: 80,
    directoryViewsPerDay: 3_000,
  },
  {
    name: 'state',
    organisations: 500,
    channels: 5_500,
    messagesPerDay: 2_000,
    channelsPerMessage: 11,
    scheduledShare: 0.2,
    emergencyAlertsPerMonth: 60,
    ninaOrganisations: 500,
    workspaceSessionsPerDay: 1_000,
    monthlyActiveUsers: 2_500,
    directoryViewsPerDay: 50_000,
  },
];

export const DAYS_PER_MONTH = 30;
const MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60;

/** How often a profile causes each measured event in a month, scaled from what the measurement covered. */
export function monthlyEvents(
  profile: Profile,
  measured: { channelsPerMessage: number; channels: number },
): Record<string, number> {
  const perMessage = profile.channelsPerMessage / measured.channelsPerMessage;
  const perChannel = profile.channels / measured.channels;
  const messages = profile.messagesPerDay * DAYS_PER_MONTH;
  return {
    'routine message': messages * (1 - profile.scheduledShare) * perMessage,
    'scheduled message': messages * profile.scheduledShare * perMessage,
    'emergency alert with approval': profile.emergencyAlertsPerMonth * perMessage,
    'follower collection (day)': DAYS_PER_MONTH * perChannel,
    'token-health run': DAYS_PER_MONTH * perChannel,
    'reconciler run': MINUTES_PER_MONTH,
    'NINA poll': MINUTES_PER_MONTH * profile.ninaOrganisations,
    'workspace session': profile.workspaceSessionsPerDay * DAYS_PER_MONTH,
  };
}

/**
 * Reads of one post's replies over its life, by shared/replies/cadence.ts: every minute in its first
 * hour (an emergency message's: its first day), every 5 minutes until a day old, every 15 until three
 * days, then hourly until the organisation's retention period (default 14 days) ends.
 */
export function pollsPerPost(emergency: boolean, retentionDays = DEFAULT_RETENTION_DAYS): number {
  const firstDay = emergency ? 24 * 60 : 60 + 23 * 12;
  return firstDay + 2 * 24 * 4 + Math.max(0, retentionDays - 3) * 24;
}

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 24 * 60;

/** The jobs a watched channel's minute needs: one per MAX_POSTS_PER_REPLIES_JOB posts due, none without. */
const jobsFor = (due: number) => Math.ceil(due / MAX_POSTS_PER_REPLIES_JOB);

/**
 * The replies schedule's work for one watched channel, counted minute by minute with the cadence
 * itself (shared/replies/cadence.ts, one offset for the channel's posts): routine posts published
 * evenly, `postsPerDay` a day, for as long as the retention period has watched them (the steady
 * state). Evenly spread posts are the dearest case: posts that come in clusters share their
 * every-minute hour. `jobsPerDay` are the collect-replies jobs of a day, `readsPerDay` the post reads
 * they carry (`postsPerDay × pollsPerPost(false)`, as a check), and `jobsPerEmergencyPost` what one
 * emergency post adds to the channel's jobs over its life (its first day read every minute).
 */
export function channelReplyJobs(postsPerDay: number, retentionDays = DEFAULT_RETENTION_DAYS): ChannelReplyJobs {
  const key = `${postsPerDay}/${retentionDays}`;
  const counted = countedChannels.get(key) ?? countChannelReplyJobs(postsPerDay, retentionDays);
  countedChannels.set(key, counted);
  return counted;
}

interface ChannelReplyJobs {
  jobsPerDay: number;
  readsPerDay: number;
  jobsPerEmergencyPost: number;
}
/** counting takes a second; the report asks for each profile several times */
const countedChannels = new Map<string, ChannelReplyJobs>();

function countChannelReplyJobs(postsPerDay: number, retentionDays: number): ChannelReplyJobs {
  const spacing = MINUTES_PER_DAY / postsPerDay;
  const span = retentionDays * MINUTES_PER_DAY;
  // routine posts from a retention period before the counted minutes until their end
  const routine: number[] = [];
  for (let at = -span; at < span; at += spacing) routine.push(Math.floor(at));
  const dueAt = (minute: number, published: number, emergency: boolean) =>
    published <= minute &&
    isDue({ publishedAtMs: published * MINUTE_MS, emergency, spread: 0 }, minute * MINUTE_MS, retentionDays);
  const routineDue = (minute: number) => routine.filter((published) => dueAt(minute, published, false)).length;
  let jobsPerDay = 0;
  let readsPerDay = 0;
  let jobsPerEmergencyPost = 0;
  for (let minute = 0; minute < span; minute += 1) {
    const due = routineDue(minute);
    if (minute < MINUTES_PER_DAY) {
      jobsPerDay += jobsFor(due);
      readsPerDay += due;
    }
    // an emergency post published at minute 0, beside the routine ones
    jobsPerEmergencyPost += jobsFor(due + (dueAt(minute, 0, true) ? 1 : 0)) - jobsFor(due);
  }
  return { jobsPerDay, readsPerDay, jobsPerEmergencyPost };
}

/**
 * The replies schedule in a month: a run every minute (what a run costs with nothing due), the
 * collect-replies jobs it sends (one per watched channel and minute with a post due, see
 * channelReplyJobs) and the post reads they carry (pollsPerPost for each watched post). A share
 * `postsPerMessage / channelsPerMessage` (measured) of the channels is watched: the others are push
 * only or have no inbox. A watched channel gets `messagesPerDay × channelsPerMessage / channels` posts
 * a day and `emergencyAlertsPerMonth × channelsPerMessage / channels` emergency posts a month.
 */
export function monthlyReplyPolls(
  profile: Profile,
  measured: { channelsPerMessage: number; postsPerMessage: number },
): { runs: number; jobs: number; polls: number; watchedChannels: number } {
  const watchedShare = measured.postsPerMessage / measured.channelsPerMessage;
  const posts = watchedShare * profile.channelsPerMessage;
  const routine = profile.messagesPerDay * DAYS_PER_MONTH * posts * pollsPerPost(false);
  const emergency = profile.emergencyAlertsPerMonth * posts * pollsPerPost(true);
  const watchedChannels = watchedShare * profile.channels;
  const perChannel = channelReplyJobs((profile.messagesPerDay * profile.channelsPerMessage) / profile.channels);
  const emergencyPostsPerChannel = (profile.emergencyAlertsPerMonth * profile.channelsPerMessage) / profile.channels;
  const jobs =
    watchedChannels *
    (DAYS_PER_MONTH * perChannel.jobsPerDay + emergencyPostsPerChannel * perChannel.jobsPerEmergencyPost);
  return { runs: MINUTES_PER_MONTH, jobs, polls: routine + emergency, watchedChannels };
}

/** What the synthesised template holds that costs by the month. */
export interface TemplateCounts {
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  secrets: number;
  /** SQS event source mappings: Lambda long-polls each queue while idle */
  eventSourceMappings: number;
  distributions: number;
  pointInTimeRecovery: boolean;
  cognitoPlan?: 'LITE' | 'ESSENTIALS' | 'PLUS';
  /** herold:secrets: one secret per channel, one per organisation, or none (the credentials table) */
  secretsLayout: 'per-channel' | 'per-organisation' | 'table';
}

export const TEMPLATE_TYPES = {
  alarms: 'AWS::CloudWatch::Alarm',
  dashboards: 'AWS::CloudWatch::Dashboard',
  kmsKeys: 'AWS::KMS::Key',
  secrets: 'AWS::SecretsManager::Secret',
  eventSourceMappings: 'AWS::Lambda::EventSourceMapping',
  distributions: 'AWS::CloudFront::Distribution',
} as const;

/**
 * Idle polling of an SQS event source mapping: Lambda keeps several long polls (20 s) open per
 * queue; five pollers is the documented starting point for standard queues.
 */
export const IDLE_POLLS_PER_MAPPING_PER_MONTH = 5 * 3 * MINUTES_PER_MONTH;
/**
 * Metric series a message's publishing emits: PublishOutcome and PublishLatency for each of the 7
 * platforms a routine message reaches. No series gets data every hour: the every-minute jobs emit
 * only when they have something to count (requeued deliveries, new warnings, replies stored), which
 * the model leaves out as rare.
 */
const SERIES_PER_PUBLISHING_HOUR = 14;
/** A table item per delivery and per message, kept a year: what the storage estimate assumes. */
const BYTES_PER_DELIVERY = 1_500;
const PAGE_BYTES = 200 * 1024;
const REQUESTS_PER_PAGE = 4;

export function fixedMonthly(profile: Profile, template: TemplateCounts): Quantity[] {
  const deliveriesKept = profile.messagesPerDay * 365 * profile.channelsPerMessage;
  const storageGb = (deliveriesKept * BYTES_PER_DELIVERY) / 1e9;
  const publishingHours = Math.min(1, profile.messagesPerDay / 24);
  const mauMeter = template.cognitoPlan === 'PLUS' ? 'cognito.plus-mau' : 'cognito.essentials-mau';
  const billedUsers =
    template.cognitoPlan === 'PLUS' ? profile.monthlyActiveUsers : Math.max(0, profile.monthlyActiveUsers - 10_000);
  const views = profile.directoryViewsPerDay * DAYS_PER_MONTH;
  return [
    { meter: 'cloudwatch.alarm-month', quantity: template.alarms },
    { meter: 'cloudwatch.dashboard-month', quantity: template.dashboards },
    {
      meter: 'cloudwatch.custom-metric-month',
      quantity: SERIES_PER_PUBLISHING_HOUR * publishingHours,
    },
    { meter: 'kms.key-month', quantity: template.kmsKeys },
    // one secret per channel (or organisation, or none: the credentials table), created when it is connected, plus the template's own
    {
      meter: 'secretsmanager.secret-month',
      quantity: template.secrets + channelSecrets(profile, template.secretsLayout),
    },
    { meter: 'sqs.request', quantity: template.eventSourceMappings * IDLE_POLLS_PER_MAPPING_PER_MONTH },
    { meter: 'dynamodb.storage-gb-month', quantity: storageGb },
    ...(template.pointInTimeRecovery ? [{ meter: 'dynamodb.pitr-gb-month', quantity: storageGb }] : []),
    { meter: mauMeter, quantity: billedUsers },
    { meter: 'cloudfront.https-request', quantity: template.distributions > 0 ? views * REQUESTS_PER_PAGE : 0 },
    { meter: 'cloudfront.transfer-gb', quantity: template.distributions > 0 ? (views * PAGE_BYTES) / 1e9 : 0 },
  ];
}

const channelSecrets = (profile: Profile, layout: TemplateCounts['secretsLayout']): number =>
  layout === 'per-organisation' ? profile.organisations : layout === 'table' ? 0 : profile.channels;

/** What each fixed meter is, in the report. */
export const FIXED_LABELS: Record<string, string> = {
  'cloudwatch.alarm-month': 'CloudWatch alarms',
  'cloudwatch.dashboard-month': 'CloudWatch dashboards',
  'cloudwatch.custom-metric-month': 'custom metrics (EMF)',
  'kms.key-month': 'KMS keys',
  'secretsmanager.secret-month': 'Secrets Manager secrets (channel credentials)',
  'sqs.request': 'SQS idle polling by event source mappings',
  'dynamodb.storage-gb-month': 'DynamoDB storage (a year of deliveries)',
  'dynamodb.pitr-gb-month': 'DynamoDB point-in-time recovery',
  'cognito.plus-mau': 'Cognito users (Plus)',
  'cognito.essentials-mau': 'Cognito users (Essentials)',
  'cloudfront.https-request': 'CloudFront requests (channel directory)',
  'cloudfront.transfer-gb': 'CloudFront transfer (channel directory)',
};

/** Every Lambda invocation writes its START/END/REPORT lines and some log and EMF lines: about 1 KB. */
export const LOG_BYTES_PER_INVOCATION = 1024;

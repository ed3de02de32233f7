/**
 * The daily follower run: one `collect-followers` job per measurable channel into its platform's normal
 * queue, and a check for channels that have gone unmeasured too long. Re-running a day is harmless:
 * each job overwrites that day's figure.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../bounded';
import { isDeployed, queueUrl } from '../config';
import { JobSchema, type Channel, type Job, type OrgId } from '../model/schemas';
import { PLATFORMS, type PlatformId } from '../platforms/registry';
import { listChannelsOfOrgs } from '../store/channels';
import { localDate } from './dates';
import { emitCollectionAge, NEVER_MEASURED_SECONDS } from './metrics';
import { latestFollowerFigure, type FollowerFigure } from './store';

/** Measured by an API and not retired: frozen channels keep their audience, so they are still counted. */
export const isMeasurable = (channel: Channel): boolean =>
  channel.state !== 'retired' && PLATFORMS[channel.platform].followers === 'api';

/**
 * Measurable, on a platform the deployment publishes to (herold:platforms): only its function can
 * measure the channel. The others are counted in the run's summary and neither measured nor alarmed on.
 */
export const isCollectable = (channel: Channel): boolean => isMeasurable(channel) && isDeployed(channel.platform);

const SQS_BATCH_SIZE = 10;
const MAX_SEND_ATTEMPTS = 3;

async function sendBatch(sqs: SQSClient, url: string, platform: PlatformId, jobs: readonly Job[]): Promise<void> {
  let entries = jobs.map((job, index) => ({ Id: `job-${index}`, MessageBody: JSON.stringify(job) }));
  for (let attempt = 1; entries.length > 0; attempt++) {
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    const failed = result.Failed ?? [];
    if (failed.length === 0) return;
    // Sender faults (a malformed entry) will not heal by sending again.
    if (attempt >= MAX_SEND_ATTEMPTS || failed.some((failure) => failure.SenderFault)) {
      throw new Error(
        `could not enqueue ${failed.length} collect-followers jobs for ${platform}: ${failed.map((failure) => `${failure.Code}: ${failure.Message}`).join('; ')}`,
      );
    }
    const failedIds = new Set(failed.map((failure) => failure.Id));
    entries = entries.filter((entry) => failedIds.has(entry.Id));
  }
}

/**
 * Sends one job per collectable channel to its platform's normal queue, 10 per SendMessageBatch.
 * Throws after trying every platform if any could not be reached; the scheduler's retry then runs the
 * day again, which only overwrites figures.
 */
export async function enqueueFollowerJobs(options: {
  sqs: SQSClient;
  channels: readonly Channel[];
  date: string;
  queueUrlFor?: (platform: PlatformId) => string;
}): Promise<Partial<Record<PlatformId, number>>> {
  const queueUrlFor = options.queueUrlFor ?? ((platform: PlatformId) => queueUrl(platform, 'normal'));
  const byPlatform = new Map<PlatformId, Channel[]>();
  for (const channel of options.channels.filter(isCollectable))
    byPlatform.set(channel.platform, [...(byPlatform.get(channel.platform) ?? []), channel]);

  const enqueued: Partial<Record<PlatformId, number>> = {};
  const failures: Error[] = [];
  // One platform's queue failing must not keep the other platforms from being measured.
  for (const [platform, channels] of byPlatform) {
    try {
      const url = queueUrlFor(platform);
      for (let start = 0; start < channels.length; start += SQS_BATCH_SIZE) {
        const batch = channels.slice(start, start + SQS_BATCH_SIZE);
        await sendBatch(
          options.sqs,
          url,
          platform,
          batch.map((channel) =>
            JobSchema.parse({ type: 'collect-followers', channelId: channel.id, date: options.date }),
          ),
        );
        enqueued[platform] = (enqueued[platform] ?? 0) + batch.length;
      }
    } catch (error) {
      failures.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  if (failures.length > 0)
    throw new AggregateError(
      failures,
      `collect-followers jobs not enqueued: ${failures.map((failure) => failure.message).join(' | ')}`,
    );
  return enqueued;
}

export interface MissingFigure {
  channelId: string;
  platform: PlatformId;
  org: OrgId;
  latest: FollowerFigure | null;
  /** hours since the latest figure; null when the channel was never measured */
  ageHours: number | null;
}

export const MAX_FIGURE_AGE_HOURS = 48;

/**
 * Latest-figure Queries in flight at once: a state's 5,500 channels are read in a few seconds
 * without queueing thousands of requests behind the SDK's sockets (and the table's) at once.
 */
export const FIGURE_READ_CONCURRENCY = 16;

/** When a figure stands for: its collection time, but never later than the end of its day (imports are written long after). */
function figureTime(figure: FollowerFigure): number {
  return Math.min(Date.parse(figure.collectedAt), Date.parse(`${figure.date}T23:59:59Z`));
}

/**
 * Emits `FollowerCollectionAge` (hours) for every measured channel, so the alarm on it fires once a
 * channel goes 48 h without a figure, and returns the channels past that age or never measured.
 */
export async function missingFigures(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  channels: readonly Channel[];
  metrics: Metrics;
  now?: Date;
  maxAgeHours?: number;
}): Promise<MissingFigure[]> {
  const now = (options.now ?? new Date()).getTime();
  const maxAgeHours = options.maxAgeHours ?? MAX_FIGURE_AGE_HOURS;
  const checked = await mapBounded(
    options.channels.filter(isCollectable),
    FIGURE_READ_CONCURRENCY,
    async (channel): Promise<MissingFigure> => {
      const latest = await latestFollowerFigure(options.doc, options.table, channel.id);
      const ageHours = latest ? Math.round(((now - figureTime(latest)) / 3_600_000) * 10) / 10 : null;
      emitCollectionAge(
        options.metrics,
        channel,
        latest ? Math.round((now - figureTime(latest)) / 1000) : NEVER_MEASURED_SECONDS,
      );
      return { channelId: channel.id, platform: channel.platform, org: channel.org, latest, ageHours };
    },
  );
  return checked.filter((check) => check.ageHours === null || check.ageHours > maxAgeHours);
}

export interface DailyRunSummary {
  date: string;
  enqueued: Partial<Record<PlatformId, number>>;
  missing: MissingFigure[];
  /** measurable channels on platforms that are not deployed (herold:platforms): not measured */
  undeployed: number;
}

export async function runDailyFollowerSchedule(options: {
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  table: string;
  orgs: readonly OrgId[];
  timeZone: string;
  metrics: Metrics;
  now?: Date;
  /** a day to collect other than today, e.g. to re-run a missed one */
  date?: string;
  queueUrlFor?: (platform: PlatformId) => string;
}): Promise<DailyRunSummary> {
  const now = options.now ?? new Date();
  const date = options.date ?? localDate(now, options.timeZone);
  const channels = await listChannelsOfOrgs({ doc: options.doc, table: options.table }, options.orgs);
  const enqueued = await enqueueFollowerJobs({
    sqs: options.sqs,
    channels,
    date,
    ...(options.queueUrlFor ? { queueUrlFor: options.queueUrlFor } : {}),
  });
  // The jobs have not run yet, so this sees the figures up to yesterday's run.
  const missing = await missingFigures({
    doc: options.doc,
    table: options.table,
    channels,
    metrics: options.metrics,
    now,
  });
  const undeployed = channels.filter((channel) => isMeasurable(channel) && !isCollectable(channel)).length;
  return { date, enqueued, missing, undeployed };
}

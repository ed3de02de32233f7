/**
 * The publisher Lambda factory: one SQS-fed function per platform (functions/publish/<platform>.ts).
 * Each record is processed on its own; failures are reported per record (batchItemFailures) so
 * one bad job never holds back the others.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { queueUrls } from '../config';
import {
  JobSchema,
  type Channel,
  type CheckTokenJob,
  type CollectRepliesJob,
  type Job,
  type ModerateReplyJob,
} from '../model/schemas';
import type { PlatformClient } from '../platforms/client';
import { platformBaseUrl, type PlatformId } from '../platforms/registry';
import { getChannel } from '../store/channels';
import { collectFollowers } from '../followers/collect';
import { emitMetric, logger, metrics } from '../observability/powertools';
import { sendJobs, sqs } from '../queue/jobs';
import { defaultStore } from '../store/client';
import { noteLastPublish } from '../channels/last-publish';
import { checkChannelToken, isTokenCheckable } from '../tokens/health';
import { channelRenewal } from '../tokens/refresh-lease';
import { renewOnce } from '../tokens/refresh-on-use';
import { tokenHealthDeps } from '../tokens/wiring';
import { channelCredentials, forgetCredentials } from './credentials';
import { collectRepliesJob } from '../replies/collect';
import { moderateReplyJob } from '../replies/moderate';
import { telegramWebhook } from '../replies/webhook-secrets';
import { processPublishJob, type JobOutcome, type PublishDeps } from './publish';

const requestTimeoutMs = () => Number(process.env.HEROLD_REQUEST_TIMEOUT_MS ?? 10_000);

/** A record that should be offered again later; its visibility has been set already. */
class RetryLater extends Error {}

export function createPublishHandler(platform: PlatformId, client?: PlatformClient) {
  const deps = (): PublishDeps => ({
    store: defaultStore(),
    platform,
    client,
    credentials: (channel) => channelCredentials(channel),
    forgetCredentials: (channel) => forgetCredentials(channel.credentialsRef),
    renewCredentials: (channel, used, refresh) =>
      renewOnce(
        channel.id,
        used,
        refresh,
        channelRenewal(defaultStore(), channel, { requestTimeoutMs: requestTimeoutMs() }),
      ),
    now: Date.now,
    leaseMs: Number(process.env.HEROLD_LEASE_MS ?? 60_000),
    maxReceiveCount: Number(process.env.HEROLD_MAX_RECEIVE_COUNT ?? 5),
    requestTimeoutMs: requestTimeoutMs(),
    reserveShare: Number(process.env.HEROLD_EMERGENCY_RESERVE ?? 0.2),
    maxBackoffSeconds: Number(process.env.HEROLD_MAX_BACKOFF_SECONDS ?? 300),
    onQuotaBelowReserve: (channel) => {
      emitMetric('QuotaBelowReserve', 1, { platform });
      logger.warn('publishing budget is down to the emergency reserve', { channelId: channel.id });
    },
  });

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const job = parseJob(record);
    if (!job) return;
    if (job.type === 'collect-followers') return collectJob(job);
    if (job.type === 'check-token') return checkToken(job);
    if (job.type === 'collect-replies') return collectReplies(job);
    if (job.type === 'moderate-reply') return moderateReply(job);
    // Records of one batch are processed at the same time: each log line names its own job, never
    // through keys appended to the shared logger, which the records would overwrite for each other.
    const ids = { messageId: job.messageId, channelId: job.channelId };
    const outcome = await processPublishJob(job, Number(record.attributes.ApproximateReceiveCount ?? 1), deps());
    report(outcome, isUrgentArn(record.eventSourceARN) ? 'emergency' : 'normal', ids);
    if (outcome.kind === 'settled' && outcome.delivery)
      await noteLastPublish(defaultStore(), {
        ...ids,
        org: outcome.delivery.org,
        state: outcome.state,
        detail: outcome.errorClass,
      });
    await applyOutcome(outcome, record, job);
  };

  const report = (
    outcome: JobOutcome,
    priority: 'emergency' | 'normal',
    ids: { messageId: string; channelId: string },
  ) => {
    if (outcome.kind === 'ignored') {
      logger.info('job ignored', { ...ids, reason: outcome.reason });
      emitMetric('DuplicateJobIgnored', 1, { platform });
      return;
    }
    const outcomeName =
      outcome.kind === 'settled'
        ? outcome.state === 'PUBLISHED'
          ? 'published'
          : (outcome.errorClass ?? outcome.state.toLowerCase())
        : outcome.errorClass;
    emitMetric('PublishOutcome', 1, { platform, class: outcomeName, priority });
    if (outcome.kind === 'settled' && outcome.state === 'PUBLISHED' && outcome.message) {
      emitMetric(
        'PublishLatency',
        Date.now() - Date.parse(outcome.message.createdAt),
        { platform, priority: outcome.message.priority },
        MetricUnit.Milliseconds,
      );
      logger.info('published', { ...ids, latencyMs: Date.now() - Date.parse(outcome.message.createdAt) });
    } else {
      logger.info('publish attempt ended', { ...ids, outcome: outcomeName, kind: outcome.kind });
    }
  };

  const applyOutcome = async (outcome: JobOutcome, record: SQSRecord, job: Job) => {
    if (outcome.kind === 'retry') {
      await sqs().send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrlForArn(record.eventSourceARN),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: outcome.afterSeconds,
        }),
      );
      throw new RetryLater(`retry in ${outcome.afterSeconds}s (${outcome.errorClass})`);
    }
    if (outcome.kind === 'requeue') {
      const lane = isUrgentArn(record.eventSourceARN) ? 'emergency' : 'normal';
      const unsent = await sendJobs([{ platform, priority: lane, job, delaySeconds: outcome.afterSeconds }]);
      if (unsent.length) throw new RetryLater('could not requeue; SQS offers the job again');
    }
  };

  /** The platform's function owns its credentials and client, so it also reads its channels' follower counts. */
  const collectJob = async (job: Extract<Job, { type: 'collect-followers' }>): Promise<void> => {
    const store = defaultStore();
    const channel = await getChannel(store, job.channelId);
    if (!channel || channel.platform !== platform || !client) {
      logger.error('cannot collect followers for this channel here', { channelId: job.channelId, date: job.date });
      emitMetric('InvalidJobDropped', 1);
      return;
    }
    const credentials = await channelCredentials(channel);
    await collectFollowers({
      channel,
      date: job.date,
      readCount: () =>
        client.followerCount({
          channel,
          credentials,
          baseUrl: platformBaseUrl(platform),
          saveCheckpoint: async () => undefined,
          timeoutMs: deps().requestTimeoutMs,
        }),
      doc: store.doc,
      table: store.table,
      metrics,
    });
  };

  /**
   * The daily token check of one channel, here for the same reason. A check the platform could not
   * answer recorded nothing: the record fails alone, SQS offers it again, and after the last receive
   * it rests in the DLQ.
   */
  const checkToken = async (job: CheckTokenJob): Promise<void> => {
    const store = defaultStore();
    const channel = await getChannel(store, job.channelId);
    if (!channel || channel.platform !== platform) {
      logger.error('cannot check the token of this channel here', { channelId: job.channelId });
      emitMetric('InvalidJobDropped', 1);
      return;
    }
    // retired (or moved to hand-off) since the run listed it
    if (!isTokenCheckable(channel)) return;
    const result = await checkChannelToken(channel, tokenHealthDeps({ store, metrics, logger }));
    logger.info('token checked', { channelId: channel.id, outcome: result.outcome });
    if (result.outcome === 'check-failed')
      throw new Error(`the token of ${channel.id} could not be checked: ${result.reason ?? 'unknown'}`);
  };

  /** Replies are read, hidden and shown by the platform's function too: it owns the channel's credentials and client. */
  const replyDeps = () => ({
    store: defaultStore(),
    client,
    credentials: (channel: Channel) => channelCredentials(channel),
    now: Date.now,
    requestTimeoutMs: deps().requestTimeoutMs,
  });

  const collectReplies = async (job: CollectRepliesJob): Promise<void> => {
    const outcome = await collectRepliesJob(job, {
      ...replyDeps(),
      webhook: (channel) => (platform === 'telegram' ? telegramWebhook(channel) : Promise.resolve(undefined)),
    });
    if (outcome.kind !== 'read') {
      logger.info('replies collected', { channelId: job.channelId, outcome: outcome.kind });
      return;
    }
    const outcomes: Record<string, number> = {};
    let stored = 0;
    for (const { outcome: read } of outcome.posts) {
      outcomes[read.kind] = (outcomes[read.kind] ?? 0) + 1;
      if (read.kind === 'collected') stored += read.stored;
    }
    // only with replies: a custom metric is billed for every hour it gets data, and the poll runs every minute
    if (stored > 0) emitMetric('RepliesCollected', stored, { platform });
    // counts, outcomes and ids only: nothing a citizen wrote goes into a log line
    const failed = outcome.posts.flatMap(({ messageId, outcome: read }) =>
      read.kind === 'failed' ? [{ messageId, reason: read.reason }] : [],
    );
    const fields = { channelId: job.channelId, outcomes, failed, unread: outcome.unread.length };
    if (failed.length > 0) logger.warn('replies collected, some posts failed', fields);
    else logger.info('replies collected', fields);
  };

  const moderateReply = async (job: ModerateReplyJob): Promise<void> => {
    const outcome = await moderateReplyJob(job, replyDeps());
    logger.info('reply moderation ended', { channelId: job.channelId, outcome: outcome.kind });
  };

  // No metric of jobs received: the queue's NumberOfMessagesReceived says it at no cost (custom metrics are billed per series).
  // A processor keeps its batch's records and failures: one per invocation, so invocations that
  // overlap in one process (the local stack's pollers) never report each other's failed records.
  const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });

  return middy(handler).use(injectLambdaContext(logger));
}

/** A body that is not a job can never succeed: log it, count it, drop it, keep the batch going. */
function parseJob(record: SQSRecord): Job | undefined {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = JobSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const messageId = typeof body === 'object' && body !== null ? (body as { messageId?: unknown }).messageId : undefined;
  logger.error('dropping a job that does not parse', {
    sqsMessageId: record.messageId,
    messageId: typeof messageId === 'string' ? messageId.slice(0, 64) : undefined,
  });
  emitMetric('InvalidJobDropped', 1);
  return undefined;
}

const queueName = (arnOrUrl: string) => arnOrUrl.split(/[:/]/).pop() ?? '';

function queueUrlForArn(arn: string): string {
  const name = queueName(arn);
  for (const urls of Object.values(queueUrls())) {
    for (const url of [urls.normal, urls.urgent]) if (queueName(url) === name) return url;
  }
  throw new Error(`no configured queue for ${arn}`);
}

const isUrgentArn = (arn: string) =>
  Object.values(queueUrls()).some((urls) => queueName(urls.urgent) === queueName(arn));

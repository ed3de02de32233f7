/**
 * The alert-card function: fed by its own queues (urgent and routine, each with a DLQ), it renders
 * the card of one delivery per record and queues that delivery's publish job (shared/cards/job.ts).
 * Its bundle carries the renderer (satori, sharp, fonts, emoji); the ingest function and the
 * publishers never load it.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RenderCardJobSchema } from '../../shared/model/schemas';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { processCardJob } from '../../shared/cards/job';
import { cardStoreFromEnv } from '../../shared/cards/store';
import { defaultStore } from '../../shared/store/client';

async function processRecord(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const job = RenderCardJobSchema.safeParse(body);
  if (!job.success) {
    // never succeeds: dropped and counted, the batch goes on
    logger.error('dropping a card job that does not parse', { sqsMessageId: record.messageId });
    emitMetric('InvalidJobDropped', 1);
    return;
  }
  const ids = { messageId: job.data.messageId, channelId: job.data.channelId };
  const outcome = await processCardJob(job.data, { store: defaultStore(), cards: cardStoreFromEnv() });
  emitMetric('CardOutcome', 1, { outcome: outcome.kind });
  if (outcome.kind === 'rendered') {
    emitMetric('CardRenderTime', outcome.renderMs, {}, MetricUnit.Milliseconds);
    logger.info('card rendered', { ...ids, renderMs: Math.round(outcome.renderMs), queued: outcome.queued });
  } else if (outcome.kind === 'failed')
    logger.warn('card failed: the delivery fails with the reason', { ...ids, reason: outcome.reason });
  else logger.info('card job ignored', { ...ids, reason: outcome.reason });
}

export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  // one processor per invocation: it keeps the batch's failures (see shared/publishing/handler.ts)
  processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
    context,
    throwOnFullBatchFailure: false,
  }),
).use(injectLambdaContext(logger));

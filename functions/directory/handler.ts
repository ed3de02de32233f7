/**
 * The directory builder: takes build requests from the directory queue (in batches, so bursts
 * arrive together), builds each organisation's public directory once per batch, and reports only
 * the requests of an organisation whose build failed, for SQS to offer again.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { buildDirectory } from '../../shared/directory/build';
import { DIRECTORY_ENV, DirectoryJobSchema } from '../../shared/directory/request';
import { bucketWriter, folderWriter } from '../../shared/directory/writers';
import { emitMetric, logger } from '../../shared/observability/powertools';
import { defaultStore } from '../../shared/store/client';

function writer() {
  const bucket = process.env[DIRECTORY_ENV.bucket];
  if (bucket) return bucketWriter(bucket);
  const folder = process.env[DIRECTORY_ENV.folder];
  if (folder) return folderWriter(folder);
  throw new Error(`${DIRECTORY_ENV.bucket} or ${DIRECTORY_ENV.folder} must be set`);
}

async function handle(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const latest = new Map<string, { requestedAt: string; records: string[] }>();
  for (const record of event.Records) {
    let parsed;
    try {
      parsed = DirectoryJobSchema.safeParse(JSON.parse(record.body));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      logger.error('dropping a directory job that does not parse', { sqsMessageId: record.messageId });
      emitMetric('InvalidJobDropped', 1);
      continue;
    }
    const seen = latest.get(parsed.data.org);
    latest.set(parsed.data.org, {
      requestedAt: seen && seen.requestedAt > parsed.data.requestedAt ? seen.requestedAt : parsed.data.requestedAt,
      records: [...(seen?.records ?? []), record.messageId],
    });
  }
  const failures: string[] = [];
  const baseUrl = process.env[DIRECTORY_ENV.url] ?? '';
  for (const [org, { requestedAt, records }] of latest) {
    try {
      const result = await buildDirectory(org, requestedAt, { store: defaultStore(), writer: writer(), baseUrl });
      logger.info(result.built ? 'directory built' : 'directory already current', {
        org,
        files: result.files.length,
        requests: records.length,
      });
      if (result.built) emitMetric('DirectoryBuilt', 1);
    } catch (error) {
      logger.error('directory build failed', { org, error: error as Error });
      failures.push(...records);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(handle).use(injectLambdaContext(logger));

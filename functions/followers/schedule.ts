/** Daily EventBridge Scheduler target: enqueue follower collection jobs and check for stale figures. */
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { tableName } from '../../shared/config';
import { followerMetrics } from '../../shared/followers/metrics';
import { runDailyFollowerSchedule, type DailyRunSummary } from '../../shared/followers/schedule';
import { configuredOrgs, configuredTimeZone } from '../../shared/followers/settings';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const metrics = followerMetrics();
const logger = new Logger({ serviceName: 'followers' });

/** The schedule sends `{}`; a run for a missed day can name it. */
const ScheduleEventSchema = z.object({ date: z.iso.date().optional() }).loose();

export const handler = async (event: unknown): Promise<DailyRunSummary> => {
  const { date } = ScheduleEventSchema.parse(event ?? {});
  const summary = await runDailyFollowerSchedule({ doc, sqs, table: tableName(), orgs: configuredOrgs(), timeZone: configuredTimeZone(), metrics, ...(date ? { date } : {}) });
  for (const missing of summary.missing) logger.warn('channel has no recent follower figure', { ...missing });
  logger.info('follower collection enqueued', { date: summary.date, enqueued: summary.enqueued, missing: summary.missing.length });
  return summary;
};

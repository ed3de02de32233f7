/**
 * EventBridge Scheduler targets of the follower collection.
 * - `handler` (daily, 05:00 Europe/Berlin by default): enqueue one collect-followers job per channel
 *   and report stale figures.
 * - `checkFigureAges` (hourly): only the age check, so the 48 h alarm fires within the hour it is due
 *   rather than at the next daily run.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableName } from '../../shared/config';
import { logger } from '../../shared/observability/powertools';
import { listChannelsOfOrgs } from '../../shared/store/channels';
import { followerMetrics } from '../../shared/followers/metrics';
import {
  missingFigures,
  runDailyFollowerSchedule,
  type DailyRunSummary,
  type MissingFigure,
} from '../../shared/followers/schedule';
import { configuredTimeZone } from '../../shared/followers/settings';
import { organisationIds } from '../../shared/organisations/organisations';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const metrics = followerMetrics();

/**
 * The schedule sends EventBridge Scheduler's default notification (it has no Input); a run for a
 * missed day can name its date.
 */
const ScheduleEventSchema = z.object({ date: z.iso.date().optional() }).loose();

const warnMissing = (missing: readonly MissingFigure[]) => {
  for (const channel of missing) logger.warn('channel has no recent follower figure', { ...channel });
};

export const handler = async (event: unknown): Promise<DailyRunSummary> => {
  const { date } = ScheduleEventSchema.parse(event ?? {});
  const summary = await runDailyFollowerSchedule({
    doc,
    sqs,
    table: tableName(),
    orgs: await organisationIds({ doc, table: tableName() }),
    timeZone: configuredTimeZone(),
    metrics,
    ...(date ? { date } : {}),
  });
  // A channel never measured is being collected by this very run (a fresh stack, a new channel): the
  // hourly age check warns about it if its figure does not arrive; stale figures are news now.
  warnMissing(summary.missing.filter((missing) => missing.ageHours !== null));
  logger.info('follower collection enqueued', {
    date: summary.date,
    enqueued: summary.enqueued,
    missing: summary.missing.length,
    undeployed: summary.undeployed,
  });
  return summary;
};

export const checkFigureAges = async (): Promise<MissingFigure[]> => {
  const table = tableName();
  const channels = await listChannelsOfOrgs({ doc, table }, await organisationIds({ doc, table }));
  const missing = await missingFigures({ doc, table, channels, metrics });
  warnMissing(missing);
  return missing;
};

/** Figures entered by a person, for platforms without a follower API (WhatsApp Channels) or to correct one. */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditPut } from '../audit/audit';
import * as z from 'zod';
import { IdSchema, type Channel, type OrgId, type Principal } from '../model/schemas';
import { getChannel } from '../store/channels';
import { localDate } from './dates';
import { problem, validationProblem, type HttpAnswer } from './problems';
import { CalendarDateSchema, fieldErrors, type Validated } from './report';
import { FollowerCountSchema, FollowerFigureSchema, followerPut, type FollowerFigure } from './store';

const ManualFigureSchema = z.object({
  date: CalendarDateSchema,
  count: FollowerCountSchema,
});

/**
 * `PUT /channels/{id}/followers/{date}` with `{ "count": n }` (admin). The date is the one of the path,
 * the count the body's; a figure for a day that has not begun yet is refused. The figure and its
 * audit record (who entered it) are written in one transaction.
 */
export async function recordManualFigure(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  channel: Channel;
  /** the person entering it */
  by: Pick<Principal, 'org' | 'sub' | 'name'>;
  date: unknown;
  count: unknown;
  timeZone: string;
  now?: Date;
}): Promise<Validated<FollowerFigure>> {
  const now = options.now ?? new Date();
  const parsed = ManualFigureSchema.safeParse({ date: options.date, count: options.count });
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const today = localDate(now, options.timeZone);
  if (parsed.data.date > today)
    return { ok: false, errors: [{ field: 'date', message: `must not be in the future (today is ${today})` }] };
  const write = {
    channel: options.channel,
    date: parsed.data.date,
    count: parsed.data.count,
    source: 'manual' as const,
    collectedAt: now.toISOString(),
  };
  const figure = FollowerFigureSchema.parse({
    channelId: write.channel.id,
    date: write.date,
    count: write.count,
    source: write.source,
    collectedAt: write.collectedAt,
  });
  await options.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        followerPut(options.table, write),
        auditPut(
          { doc: options.doc, table: options.table },
          options.by,
          {
            action: 'followers.record',
            target: `channel/${options.channel.id}`,
            after: { date: write.date, count: write.count },
          },
          now,
        ),
      ],
    }),
  );
  return { ok: true, value: figure };
}

/**
 * The whole `PUT /channels/{id}/followers/{date}` route once the caller has checked the admin role:
 * `body` is the raw request body. A channel of another organisation answers 404 like an unknown one,
 * so ids of other organisations cannot be probed.
 */
export async function manualFigureResponse(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  org: OrgId;
  /** the person entering the figure */
  by: Pick<Principal, 'org' | 'sub' | 'name'>;
  channelId: string;
  date: string | undefined;
  body: string | undefined;
  timeZone: string;
  now?: Date;
}): Promise<HttpAnswer> {
  const channel = IdSchema.safeParse(options.channelId).success
    ? await getChannel({ doc: options.doc, table: options.table }, options.channelId)
    : undefined;
  if (!channel || channel.org !== options.org) return problem(404, 'Not Found', `no channel ${options.channelId}`);
  let body: unknown;
  try {
    body = JSON.parse(options.body ?? '');
  } catch {
    return validationProblem([{ field: '(body)', message: 'must be JSON: { "count": <number> }' }]);
  }
  const count = typeof body === 'object' && body !== null && 'count' in body ? body.count : undefined;
  const result = await recordManualFigure({
    doc: options.doc,
    table: options.table,
    channel,
    by: options.by,
    date: options.date,
    count,
    timeZone: options.timeZone,
    ...(options.now ? { now: options.now } : {}),
  });
  if (!result.ok) return validationProblem(result.errors);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(result.value),
  };
}

/** Figures entered by a person, for platforms without a follower API (WhatsApp Channels) or to correct one. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Channel } from '../model/schemas';
import { localDate } from './dates';
import { CalendarDateSchema, fieldErrors, type Validated } from './report';
import { FollowerCountSchema, putFollowerCount, type FollowerFigure } from './store';

const ManualFigureSchema = z.object({
  date: CalendarDateSchema,
  count: FollowerCountSchema,
});

/**
 * `PUT /channels/{id}/followers/{date}` with `{ "count": n }` (admin). The date is the one of the path,
 * the count the body's; a figure for a day that has not begun yet is refused.
 */
export async function recordManualFigure(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  channel: Channel;
  date: unknown;
  count: unknown;
  timeZone: string;
  now?: Date;
}): Promise<Validated<FollowerFigure>> {
  const now = options.now ?? new Date();
  const parsed = ManualFigureSchema.safeParse({ date: options.date, count: options.count });
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const today = localDate(now, options.timeZone);
  if (parsed.data.date > today) return { ok: false, errors: [{ field: 'date', message: `must not be in the future (today is ${today})` }] };
  const figure = await putFollowerCount(options.doc, options.table, { channel: options.channel, date: parsed.data.date, count: parsed.data.count, source: 'manual', collectedAt: now.toISOString() });
  return { ok: true, value: figure };
}

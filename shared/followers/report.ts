/**
 * The follower report: per channel the figures at the start and end of a period, the change, and the
 * series. Pure: the figures come in, the report goes out; loading lives in load-report.ts.
 */
import * as z from 'zod';
import { ChannelSchema, IdSchema, OrgIdSchema, PlatformIdSchema, type Channel } from '../model/schemas';
import { PLATFORM_IDS, PLATFORMS } from '../platforms/registry';
import { addYears, isCalendarDate } from './dates';
import { FollowerSourceSchema, type FollowerFigure } from './store';

export const MAX_REPORT_YEARS = 5;

export const REPORT_FORMATS = ['json', 'csv', 'md', 'svg', 'html'] as const;
export const ReportFormatSchema = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

const required = (issue: { input?: unknown }, message: string) => (issue.input === undefined ? 'is required' : message);

/** z.iso.date() knows the length of each month and leap years: 2024-02-30 fails. */
export const CalendarDateSchema = z.iso.date({ error: (issue) => required(issue, 'must be a date as yyyy-mm-dd') });

export const FollowerReportQuerySchema = z
  .object({
    from: CalendarDateSchema,
    to: CalendarDateSchema,
    org: z.string({ error: (issue) => required(issue, 'must be a string') }).pipe(OrgIdSchema),
    format: ReportFormatSchema.optional(),
  })
  .superRefine((query, context) => {
    // Runs even when a field failed; compare only real dates.
    if (!isCalendarDate(query.from) || !isCalendarDate(query.to)) return;
    if (query.from > query.to) context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    else if (query.to > addYears(query.from, MAX_REPORT_YEARS))
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the period must not exceed ${MAX_REPORT_YEARS} years`,
      });
  });
export type FollowerReportQuery = z.infer<typeof FollowerReportQuerySchema>;

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(input)', message: issue.message }));
}

export function validateReportQuery(params: Record<string, string | undefined>): Validated<FollowerReportQuery> {
  const parsed = FollowerReportQuerySchema.safeParse(params);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}

const DatedCountSchema = z.object({ date: z.iso.date(), count: z.number().int().nonnegative() });

export const ChannelFollowerReportSchema = z.object({
  channelId: IdSchema,
  platform: PlatformIdSchema,
  platformName: z.string(),
  handle: z.string(),
  profileUrl: z.string().optional(),
  /** the figure nearest to `from` within the period (the first one on or after it) */
  start: DatedCountSchema.nullable(),
  /** the figure nearest to `to` within the period (the last one on or before it) */
  end: DatedCountSchema.nullable(),
  change: z.number().int().nullable(),
  /** percent, one decimal */
  changePercent: z.number().nullable(),
  /** one entry per measured day; days without a figure are absent, never zero */
  series: z.array(
    z.object({ date: z.iso.date(), count: z.number().int().nonnegative(), source: FollowerSourceSchema }),
  ),
  /** days whose figure a person entered by hand */
  manualDates: z.array(z.iso.date()),
});
export type ChannelFollowerReport = z.infer<typeof ChannelFollowerReportSchema>;

export const FollowerReportSchema = z.object({
  org: OrgIdSchema.optional(),
  from: z.iso.date(),
  to: z.iso.date(),
  channels: z.array(ChannelFollowerReportSchema),
});
export type FollowerReport = z.infer<typeof FollowerReportSchema>;

export interface FollowerReportInput {
  channels: readonly Channel[];
  /** figures per channel id, in any order; figures outside the period are ignored */
  series: ReadonlyMap<string, readonly FollowerFigure[]> | Readonly<Record<string, readonly FollowerFigure[]>>;
  from: string;
  to: string;
  org?: string;
}

/** Percent with one decimal, halves away from zero, computed on integers so -6.15 does not become -6.1. */
function percentChange(start: number, end: number): number {
  const tenths = ((end - start) * 1000) / start;
  return (Math.sign(tenths) * Math.round(Math.abs(tenths))) / 10;
}

function channelReport(
  channel: Channel,
  figures: readonly FollowerFigure[],
  from: string,
  to: string,
): ChannelFollowerReport {
  const series = figures
    .filter((figure) => figure.date >= from && figure.date <= to)
    .toSorted((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .map(({ date, count, source }) => ({ date, count, source }));
  const first = series[0];
  const last = series.at(-1);
  const start = first ? { date: first.date, count: first.count } : null;
  const end = last ? { date: last.date, count: last.count } : null;
  // One figure is no change over time: leave it uncomputed rather than claim 0.
  const comparable = start !== null && end !== null && start.date !== end.date;
  const change = comparable ? end.count - start.count : null;
  const changePercent = comparable && start.count > 0 ? percentChange(start.count, end.count) : null;
  return {
    channelId: channel.id,
    platform: channel.platform,
    platformName: PLATFORMS[channel.platform].displayName,
    handle: channel.handle,
    ...(channel.profileUrl ? { profileUrl: channel.profileUrl } : {}),
    start,
    end,
    change,
    changePercent,
    series,
    manualDates: series.filter((point) => point.source === 'manual').map((point) => point.date),
  };
}

const platformOrder = (platform: Channel['platform']) => PLATFORM_IDS.indexOf(platform);

export function buildFollowerReport({ channels, series, from, to, org }: FollowerReportInput): FollowerReport {
  const figuresOf = (id: string) =>
    (series instanceof Map ? series.get(id) : (series as Record<string, readonly FollowerFigure[]>)[id]) ?? [];
  const ordered = channels
    .map((channel) => ChannelSchema.parse(channel))
    .toSorted(
      (a, b) =>
        platformOrder(a.platform) - platformOrder(b.platform) ||
        a.handle.localeCompare(b.handle, 'de') ||
        a.id.localeCompare(b.id),
    );
  return {
    ...(org ? { org } : {}),
    from,
    to,
    channels: ordered.map((channel) => channelReport(channel, figuresOf(channel.id), from, to)),
  };
}

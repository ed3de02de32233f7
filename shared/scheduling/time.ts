/**
 * Reading the time a person means. A scheduled post carries either an offset (`+02:00`, `Z`) or a
 * local date-time with an IANA zone; local times that do not exist (spring forward) or exist twice
 * (fall back) are refused with the exact alternatives, never silently moved.
 *
 * Built on Intl.DateTimeFormat: Temporal is not enabled by default in Node 24 (it needs
 * --harmony-temporal), and the Lambda runtime runs without that flag.
 */
import { ProblemError, type FieldError } from '../api/problem';

/** The earliest a scheduled time may lie in the past (the request took a moment to arrive). */
export const PAST_TOLERANCE_MS = 60_000;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** fractional seconds in ms, for rounding up to a whole second */
  fractionMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `timeZone` at an instant, as if it were UTC (ms). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(instantMs))
      .map((part) => [part.type, part.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7,200,000). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(wholeSecond, timeZone) - wholeSecond;
}

export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** An instant shown in a zone with its offset, e.g. 2027-03-28T03:30:00+02:00. */
export function formatInZone(instant: Date, timeZone: string): string {
  const offset = offsetAt(instant.getTime(), timeZone);
  const wall = new Date(Math.floor(instant.getTime() / 1000) * 1000 + offset).toISOString().slice(0, 19);
  return `${wall}${formatOffset(offset)}`;
}

/** Every instant at which the zone's clocks show this wall time: none (gap), one, or two (overlap). */
export function instantsForWallTime(wallMs: number, timeZone: string): number[] {
  // Offsets in force a day either side cover every transition a zone has ever had around one time.
  const offsets = new Set([
    offsetAt(wallMs - DAY_MS, timeZone),
    offsetAt(wallMs + DAY_MS, timeZone),
    offsetAt(wallMs, timeZone),
  ]);
  const instants = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => offsetAt(instant, timeZone) === wallMs - instant);
  return [...new Set(instants)].sort((a, b) => a - b);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const wallText = (local: LocalDateTime) =>
  `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:${pad(local.minute)}${local.second ? `:${pad(local.second)}` : ''}`;

export interface ScheduleRequest {
  scheduledAt: string;
  timeZone?: string;
}

/**
 * The instant a request means, rounded up to a whole second (schedules fire on whole seconds and
 * must never fire early). Throws a 422 problem naming the field and saying what to send instead.
 */
export function parseScheduledAt(request: ScheduleRequest, context: { now: Date; orgTimeZone: string }): Date {
  const { now, orgTimeZone } = context;
  const refuse = (field: string, message: string): never => {
    const errors: FieldError[] = [{ field, message }];
    throw new ProblemError(422, `${field} ${message}`, { errors });
  };
  const text = request.scheduledAt.trim();
  const match = DATE_TIME.exec(text);
  if (!match) {
    if (DATE_ONLY.test(text))
      refuse('scheduledAt', `needs a time of day as well as a date, e.g. "${text}T09:30:00+02:00"`);
    return refuse(
      'scheduledAt',
      `"${request.scheduledAt}" is not an ISO 8601 date-time; send e.g. "2027-05-01T09:30:00+02:00", or "2027-05-01T09:30" together with "timeZone": "Europe/Berlin"`,
    );
  }
  const [, year, month, day, hour, minute, second, fraction, offsetText] = match;
  const local: LocalDateTime = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? 0),
    fractionMs: fraction ? Number(`0.${fraction}`) * 1000 : 0,
  };
  if (local.month < 1 || local.month > 12) refuse('scheduledAt', `is not a date: there is no month ${month}`);
  if (local.day < 1 || local.day > daysInMonth(local.year, local.month)) {
    refuse('scheduledAt', `is not a date: ${year}-${month} has no day ${day}`);
  }
  if (local.hour > 23 || local.minute > 59 || local.second > 59)
    refuse('scheduledAt', `is not a time of day: ${hour}:${minute}:${second ?? '00'}`);

  const timeZone = request.timeZone;
  if (timeZone !== undefined && !isTimeZone(timeZone))
    refuse('timeZone', `"${timeZone}" is not an IANA time zone, e.g. "Europe/Berlin"`);
  const wallMs =
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) + local.fractionMs;

  let instantMs: number;
  if (offsetText) {
    const offsetMs = offsetText === 'Z' ? 0 : parseOffset(offsetText, refuse);
    instantMs = wallMs - offsetMs;
    if (timeZone !== undefined && offsetAt(instantMs, timeZone) !== offsetMs) {
      refuse(
        'scheduledAt',
        `${wallText(local)}${formatOffset(offsetMs)} is not a ${timeZone} time: ${timeZone} is at ${formatOffset(offsetAt(instantMs, timeZone))} then; drop the offset or correct it`,
      );
    }
  } else {
    if (timeZone === undefined) {
      const [guess] = instantsForWallTime(wallMs, orgTimeZone);
      const withOffset =
        guess === undefined ? '' : ` "${wallText(local)}${formatOffset(wallMs - guess)}" (with its offset), or`;
      refuse('scheduledAt', `has no offset and no time zone: send${withOffset} add "timeZone": "${orgTimeZone}"`);
    }
    instantMs = resolveWallTime(local, wallMs, timeZone as string, refuse);
  }

  const roundedMs = Math.ceil(instantMs / 1000) * 1000;
  if (roundedMs < now.getTime() - PAST_TOLERANCE_MS)
    refuse('scheduledAt', `${request.scheduledAt} is in the past (it is now ${now.toISOString()})`);
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + 1);
  if (roundedMs > latest.getTime())
    refuse('scheduledAt', `${request.scheduledAt} is more than a year ahead (latest: ${latest.toISOString()})`);
  return new Date(roundedMs);
}

function parseOffset(text: string, refuse: (field: string, message: string) => never): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const hours = Number(text.slice(1, 3));
  const minutes = Number(text.slice(4, 6));
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0))
    refuse('scheduledAt', `${text} is not a UTC offset (they run from -12:00 to +14:00)`);
  return sign * (hours * HOUR_MS + minutes * 60_000);
}

function resolveWallTime(
  local: LocalDateTime,
  wallMs: number,
  timeZone: string,
  refuse: (field: string, message: string) => never,
): number {
  const instants = instantsForWallTime(wallMs, timeZone);
  if (instants.length === 1) return instants[0] as number;
  const shown = wallText(local);
  if (instants.length === 0) {
    const before = offsetAt(wallMs - DAY_MS, timeZone);
    const after = offsetAt(wallMs + DAY_MS, timeZone);
    // The same instant read with the offset before the jump lands just after the gap.
    const suggestion = formatInZone(new Date(wallMs - before), timeZone);
    return refuse(
      'scheduledAt',
      `${shown} does not exist in ${timeZone}: that night the clocks jump forward from ${formatOffset(before)} to ${formatOffset(after)}, skipping this time; choose another time, e.g. ${suggestion}`,
    );
  }
  const [first, second] = instants.map((instant) => formatInZone(new Date(instant), timeZone));
  return refuse(
    'scheduledAt',
    `${shown} happens twice in ${timeZone} (the clocks go back that night): add the offset, "${first}" for the first or "${second}" for the second`,
  );
}

/** The at() expression EventBridge Scheduler takes, in UTC (with ScheduleExpressionTimezone UTC). */
export const atExpression = (instant: Date): string => `at(${instant.toISOString().slice(0, 19)})`;

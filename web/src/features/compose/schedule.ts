/**
 * Reading the scheduled time as the API will, before anything is sent: a local time in the
 * organisation's zone that does not exist (spring forward) or exists twice (autumn) is caught with
 * the same functions the API uses (shared/scheduling/time.ts), so the field can say it in words.
 */
import { formatInZone, instantsForWallTime, PAST_TOLERANCE_MS } from '@shared/scheduling/time';

export type ScheduleCheck =
  | { ok: true; scheduledAt: string; timeZone?: string; instant: Date }
  | { ok: false; code: 'missing' | 'invalid' | 'past' | 'too-far' }
  | { ok: false; code: 'gap'; suggestion: string }
  | { ok: false; code: 'repeated'; first: string; second: string };

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

export function checkSchedule(
  local: string,
  timeZone: string,
  repeated: 'first' | 'second' | undefined,
  now = new Date(),
): ScheduleCheck {
  if (!local) return { ok: false, code: 'missing' };
  const match = LOCAL.exec(local);
  if (!match) return { ok: false, code: 'invalid' };
  const [, year, month, day, hour, minute] = match.map(Number) as number[];
  const wallMs = Date.UTC(year!, month! - 1, day!, hour!, minute!);
  const instants = instantsForWallTime(wallMs, timeZone);
  if (instants.length === 0) {
    const suggestion = instantsForWallTime(wallMs + 60 * 60 * 1000, timeZone)[0];
    return {
      ok: false,
      code: 'gap',
      suggestion: suggestion === undefined ? '' : formatInZone(new Date(suggestion), timeZone),
    };
  }
  if (instants.length === 2 && !repeated) {
    const [first, second] = instants.map((instant) => formatInZone(new Date(instant), timeZone));
    return { ok: false, code: 'repeated', first: first!, second: second! };
  }
  const instant = new Date(instants.length === 2 && repeated === 'second' ? instants[1]! : instants[0]!);
  if (instant.getTime() < now.getTime() - PAST_TOLERANCE_MS) return { ok: false, code: 'past' };
  if (instant.getTime() > now.getTime() + YEAR_MS - 24 * 60 * 60 * 1000) return { ok: false, code: 'too-far' };
  // with the offset the API takes exactly the instant the person chose, also in the repeated hour
  return { ok: true, scheduledAt: formatInZone(instant, timeZone), instant };
}

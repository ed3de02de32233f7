/**
 * How often the replies to a post are read, by its age: every minute for an emergency message's
 * first day and for any post's first hour, then every 5 minutes until it is a day old, every 15
 * minutes until three days, hourly after that, and never once the organisation's retention period
 * has ended (the replies are deleted then, too). The schedule runs every minute and reads a post
 * in the minutes its interval divides, shifted by its channel's offset: the intervals divide each
 * other, so whenever a channel's post is due, every one of its posts with an equal or shorter
 * interval is due as well, and one job reads them together; the offsets differ between channels, so
 * not every channel falls in the same minute. Stateless: nothing is written to know when a post is due.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface WatchedPost {
  publishedAtMs: number;
  emergency: boolean;
  /** a stable number of the post's channel (its id's hash), for its offset within the interval */
  spread: number;
}

/** Minutes between two reads of the post's replies; undefined once the retention period is over. */
export function pollIntervalMinutes(post: WatchedPost, nowMs: number, retentionDays: number): number | undefined {
  const age = nowMs - post.publishedAtMs;
  if (age >= retentionDays * DAY_MS) return undefined;
  if (age < HOUR_MS || (post.emergency && age < DAY_MS)) return 1;
  if (age < DAY_MS) return 5;
  if (age < 3 * DAY_MS) return 15;
  return 60;
}

/** Whether the post's replies are read in the minute of `nowMs`. */
export function isDue(post: WatchedPost, nowMs: number, retentionDays: number): boolean {
  const interval = pollIntervalMinutes(post, nowMs, retentionDays);
  if (interval === undefined) return false;
  const minute = Math.floor(nowMs / MINUTE_MS);
  return (minute + (post.spread % interval)) % interval === 0;
}

/** Channels whose replies come only by push (Telegram) are checked every 10 minutes, and at once while their state is unknown or wrong. */
export const ACCESS_CHECK_MINUTES = 10;

export const isAccessCheckDue = (nowMs: number, spread: number, known: boolean): boolean =>
  !known || (Math.floor(nowMs / MINUTE_MS) + (spread % ACCESS_CHECK_MINUTES)) % ACCESS_CHECK_MINUTES === 0;

/**
 * Time as a duty officer reads it: a clock that ticks while something is waiting, and elapsed time
 * as minutes and seconds. Elapsed times are counted on the server's clock (`asOf` in its answers)
 * plus the time since the answer arrived, so a workstation whose clock is wrong shows the truth.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Date.now(), renewed every `intervalMs` while it is set (null: not ticking). */
export function useNow(intervalMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** How far the server's clock is ahead of this one, from an answer's `asOf` read just now. */
export const serverOffset = (asOf: string | undefined): number => (asOf ? Date.parse(asOf) - Date.now() : 0);

/** "0:42", "12:05", "1:02:07": minutes and seconds, hours when it has come to that. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Elapsed time with its unit, as people write it: "0:42 Min.", "1:02:07 Std.". */
export function useElapsed(): (ms: number) => string {
  const { t } = useTranslation();
  return (ms) => t(ms >= 3_600_000 ? 'clock.hours' : 'clock.minutes', { time: formatElapsed(ms) });
}

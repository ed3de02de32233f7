/**
 * The daily fan-out jobs, watched from outside: a job is started through the local stack's
 * schedule endpoint and is done when the table shows its result for every channel or organisation
 * (today's follower figure; a token check since the start; a NINA poll since the start). Nothing
 * here depends on how the job spreads its work, so the same measurement holds before and after
 * it is fanned out. Platform calls are counted per platform from this process's fetch.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { feedStateKey } from '../../shared/alerts/feed';
import { latestFollowerFigure } from '../../shared/followers/store';
import type { Channel } from '../../shared/model/schemas';
import { isPlatformId, type PlatformId } from '../../shared/platforms/registry';
import { listChannels } from '../../shared/store/channels';

/** each look reads every pending channel: not so often that the watching competes with the job */
const POLL_MS = 10_000;
const READ_CONCURRENCY = 8;
const CHECKS_PER_LOOK = 500;

export interface JobProgress {
  total: number;
  done: number;
  /** seconds from the start until the last one was done; undefined when not all were */
  seconds?: number;
  /** seconds watched */
  watched: number;
  /** what was still missing at the end (ids, at most a few) */
  missing: string[];
  /** when the schedule endpoint answered (the job's own run ended), seconds after the start */
  answeredAfter?: number;
  answer?: string;
}

async function inParallel<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await run(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return results;
}

/**
 * Starts `job` and waits until `isDone` holds for every one of `pending` (except those expected to
 * fail) or `until` passes.
 */
export async function watchJob<T extends string>(options: {
  apiUrl: string;
  job: string;
  pending: readonly T[];
  /** checks some of the still pending ones, returns those that are done */
  done: (pending: readonly T[], startedAt: Date) => Promise<Set<T>>;
  expectedToFail?: ReadonlySet<T>;
  until: number;
}): Promise<JobProgress> {
  const startedAt = new Date();
  const started = performance.now();
  let pending = options.pending.filter((item) => !options.expectedToFail?.has(item));
  let offset = 0;
  const total = pending.length;
  const progress: JobProgress = { total, done: 0, watched: 0, missing: [] };
  const call = fetch(`${options.apiUrl}/_local/schedules/${options.job}/run`, { method: 'POST' }).then(
    async (response) => {
      progress.answeredAfter = (performance.now() - started) / 1000;
      progress.answer = `${response.status}${response.ok ? '' : ` ${(await response.text()).slice(0, 200)}`}`;
    },
    (error: unknown) => {
      progress.answer = `failed: ${String(error)}`;
    },
  );
  call.catch(() => undefined);
  while (pending.length > 0 && Date.now() < options.until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, options.until - Date.now()))));
    // a share of the pending ones per look, in turn: reading all 5,000 every time would slow the job
    const looked = pending.slice(offset, offset + CHECKS_PER_LOOK);
    offset = offset + CHECKS_PER_LOOK >= pending.length ? 0 : offset + CHECKS_PER_LOOK;
    const done = await options.done(looked, startedAt);
    pending = pending.filter((item) => !done.has(item));
    progress.done = total - pending.length;
    if (pending.length === 0) progress.seconds = (performance.now() - started) / 1000;
  }
  progress.watched = (performance.now() - started) / 1000;
  progress.missing = pending.slice(0, 5);
  return progress;
}

/** Channels with a follower figure of `date`. */
export const followerFiguresOf =
  (doc: DynamoDBDocumentClient, table: string, date: string) =>
  async (pending: readonly string[]): Promise<Set<string>> => {
    const figures = await inParallel(pending, (id) => latestFollowerFigure(doc, table, id));
    return new Set(pending.filter((_, index) => figures[index]?.date === date));
  };

/** Channels whose token was checked since the job started (read per organisation). */
export const tokenChecksOf =
  (doc: DynamoDBDocumentClient, table: string, channels: ReadonlyMap<string, Channel>) =>
  async (pending: readonly string[], startedAt: Date): Promise<Set<string>> => {
    const orgs = [...new Set(pending.map((id) => channels.get(id)!.org))];
    const listed = (await inParallel(orgs, (org) => listChannels({ doc, table }, org))).flat();
    const since = startedAt.toISOString();
    return new Set(
      listed
        .filter((channel) => channel.tokenCheckedAt !== undefined && channel.tokenCheckedAt >= since)
        .map((channel) => channel.id),
    );
  };

/** Organisations whose NINA feed was polled since the job started. */
export const ninaPollsOf =
  (doc: DynamoDBDocumentClient, table: string) =>
  async (pending: readonly string[], startedAt: Date): Promise<Set<string>> => {
    const since = startedAt.toISOString();
    const polled = await inParallel(pending, async (org) => {
      const { Item } = await doc.send(new GetCommand({ TableName: table, Key: feedStateKey(org) }));
      return typeof Item?.polledAt === 'string' && Item.polledAt >= since;
    });
    return new Set(pending.filter((_, index) => polled[index]));
  };

export interface PlatformCalls {
  calls: number;
  /** the most calls within any one minute */
  peakPerMinute: number;
  /** answers 429 Too Many Requests: a limit the simulator enforces was hit */
  tooMany: number;
}

/**
 * Counts the calls this process makes to the simulator's platform hosts (`<simulator>/<platform>/…`):
 * the handlers run in process, so every platform call of a job passes through fetch here.
 */
export function countPlatformCalls(): {
  start(simulatorUrl: string): void;
  take(): Map<PlatformId, PlatformCalls>;
  stop(): void;
} {
  const original = globalThis.fetch;
  let prefix: string | undefined;
  let seen: { platform: PlatformId; at: number; status: number }[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (prefix && url.startsWith(prefix)) {
      const platform = url.slice(prefix.length).split('/')[0] ?? '';
      if (isPlatformId(platform)) seen.push({ platform, at: Date.now(), status: response.status });
    }
    return response;
  };
  return {
    start(simulatorUrl) {
      prefix = `${simulatorUrl.replace(/\/+$/, '')}/`;
      seen = [];
    },
    take() {
      const byPlatform = new Map<PlatformId, PlatformCalls>();
      for (const platform of new Set(seen.map((call) => call.platform))) {
        const calls = seen.filter((call) => call.platform === platform);
        let peak = 0;
        for (let first = 0, last = 0; last < calls.length; last += 1) {
          while (calls[last]!.at - calls[first]!.at >= 60_000) first += 1;
          peak = Math.max(peak, last - first + 1);
        }
        byPlatform.set(platform, {
          calls: calls.length,
          peakPerMinute: peak,
          tooMany: calls.filter((call) => call.status === 429).length,
        });
      }
      seen = [];
      return byPlatform;
    },
    stop() {
      globalThis.fetch = original;
      prefix = undefined;
    },
  };
}

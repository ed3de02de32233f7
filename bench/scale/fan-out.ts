/**
 * The daily fan-out jobs, watched from outside: a job is started through the local stack's
 * schedule endpoint and is done when the table shows its result for every channel or organisation
 * (today's follower figure; a token check since the start; a NINA poll since the start). Nothing
 * here depends on how the job spreads its work, so the same measurement holds before and after
 * it is fanned out. Platform calls are counted per platform from this process's fetch.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { feedStateKey } from '../../shared/alerts/feed';
import { followerFigureKey } from '../../shared/followers/store';
import { isPlatformId, type PlatformId } from '../../shared/platforms/registry';
import { keys } from '../../shared/store/keys';

/** each look reads every pending one, 100 keys to a BatchGetItem: a few dozen requests, not thousands */
const POLL_MS = 10_000;
const READ_CONCURRENCY = 4;
const BATCH_GET_KEYS = 100;

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

/** The items of `keys` that exist, with the attributes named (unprocessed keys are asked for again). */
async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  itemKeys: readonly Record<string, string>[],
  attributes: readonly string[],
): Promise<Record<string, unknown>[]> {
  const chunks: Record<string, string>[][] = [];
  for (let start = 0; start < itemKeys.length; start += BATCH_GET_KEYS)
    chunks.push(itemKeys.slice(start, start + BATCH_GET_KEYS));
  const names = Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name]));
  const pages = await inParallel(chunks, async (chunk) => {
    const found: Record<string, unknown>[] = [];
    let wanted: Record<string, unknown>[] = chunk;
    while (wanted.length > 0) {
      const answer = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: wanted,
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
            },
          },
        }),
      );
      found.push(...(answer.Responses?.[table] ?? []));
      wanted = answer.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    return found;
  });
  return pages.flat();
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
    const done = await options.done(pending, startedAt);
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
    const figures = await batchGet(
      doc,
      table,
      pending.map((id) => followerFigureKey(id, date)),
      ['PK'],
    );
    const found = new Set(figures.map((figure) => figure.PK));
    return new Set(pending.filter((id) => found.has(followerFigureKey(id, date).PK)));
  };

/** Channels whose token was checked since the job started. */
export const tokenChecksOf =
  (doc: DynamoDBDocumentClient, table: string) =>
  async (pending: readonly string[], startedAt: Date): Promise<Set<string>> => {
    const since = startedAt.toISOString();
    const channels = await batchGet(doc, table, pending.map(keys.channel), ['id', 'tokenCheckedAt']);
    return new Set(
      channels
        .filter((channel) => typeof channel.tokenCheckedAt === 'string' && channel.tokenCheckedAt >= since)
        .map((channel) => String(channel.id)),
    );
  };

/** Organisations whose NINA feed was polled since the job started. */
export const ninaPollsOf =
  (doc: DynamoDBDocumentClient, table: string) =>
  async (pending: readonly string[], startedAt: Date): Promise<Set<string>> => {
    const since = startedAt.toISOString();
    const states = await batchGet(doc, table, pending.map(feedStateKey), ['PK', 'polledAt']);
    const polled = new Set(
      states.filter((state) => typeof state.polledAt === 'string' && state.polledAt >= since).map((state) => state.PK),
    );
    return new Set(pending.filter((org) => polled.has(feedStateKey(org).PK)));
  };

export interface PlatformCalls {
  calls: number;
  /** the most calls within any one minute */
  peakPerMinute: number;
  /** answers 429 Too Many Requests: a limit the simulator enforces was hit */
  tooMany: number;
  /** the most calls within the window of a limit every channel of the platform shares (SHARED_LIMITS) */
  shared?: { peak: number; limit: number; windowSeconds: number; note: string };
}

/**
 * The documented limits that all of a deployment's channels of a platform share, which the
 * simulator does not enforce (it limits each account: Bluesky's createSession, the publishing
 * quotas). The other platforms' read limits are per account or Page (see the registry's inbox
 * read budgets), which a daily job's one or two calls per channel stay far below.
 */
const SHARED_LIMITS: Partial<Record<PlatformId, { limit: number; windowSeconds: number; note: string }>> = {
  bluesky: { limit: 3_000, windowSeconds: 5 * 60, note: 'PDS: 3,000 requests per 5 minutes per IP' },
  youtube: {
    limit: 10_000,
    windowSeconds: 24 * 60 * 60,
    note: '10,000 quota units a day per Google Cloud project; each call counted as a unit (channels.list costs 1)',
  },
};

/** The most calls within any `windowMs`. */
function peakWithin(times: readonly number[], windowMs: number): number {
  let peak = 0;
  for (let first = 0, last = 0; last < times.length; last += 1) {
    while (times[last]! - times[first]! >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** A platform, or NINA's warning feed (the simulator serves it at `<simulator>/nina`). */
export type CalledHost = PlatformId | 'nina';

/**
 * Counts the calls this process makes to the simulator's platform hosts (`<simulator>/<platform>/…`)
 * and its NINA feed: the handlers run in process, so every call of a job passes through fetch here.
 */
export function countPlatformCalls(): {
  start(simulatorUrl: string): void;
  take(): Map<CalledHost, PlatformCalls>;
  stop(): void;
} {
  const original = globalThis.fetch;
  let prefix: string | undefined;
  let seen: { platform: CalledHost; at: number; status: number }[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (prefix && url.startsWith(prefix)) {
      const platform = url.slice(prefix.length).split('/')[0] ?? '';
      if (isPlatformId(platform) || platform === 'nina')
        seen.push({ platform, at: Date.now(), status: response.status });
    }
    return response;
  };
  return {
    start(simulatorUrl) {
      prefix = `${simulatorUrl.replace(/\/+$/, '')}/`;
      seen = [];
    },
    take() {
      const byPlatform = new Map<CalledHost, PlatformCalls>();
      for (const platform of new Set(seen.map((call) => call.platform))) {
        const calls = seen.filter((call) => call.platform === platform);
        const times = calls.map((call) => call.at);
        const shared = platform === 'nina' ? undefined : SHARED_LIMITS[platform];
        byPlatform.set(platform, {
          calls: calls.length,
          peakPerMinute: peakWithin(times, 60_000),
          tooMany: calls.filter((call) => call.status === 429).length,
          ...(shared ? { shared: { ...shared, peak: peakWithin(times, shared.windowSeconds * 1000) } } : {}),
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

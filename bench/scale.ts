/**
 * npm run bench:scale: one deployment carrying a whole state. Seeds the local stack with the state
 * profile (500 organisations, 5,500 channels, a year of daily follower figures, 1,000,000 settled
 * deliveries) and measures, each figure beside its baseline from the same run:
 * - the reconciler's run time and DynamoDB reads with 1,000 past deliveries and with 1,000,000,
 *   the same open deliveries in both (target: within 20 %): the reads from the function, metered,
 *   once before and once after seeding; the run time in turns against a second table that holds
 *   the 1,000 only, so the shared machine's load falls on both alike;
 * - ingest of a message to 50 channels against one to 10 (target ≤ 2 ×), and a message to an
 *   organisation with more than 98 active channels that names none;
 * - the writes per partition of an emergency message to as many channels as the stack takes,
 *   scaled to a state-wide alert to 5,500 channels within 60 s (limit 1,000 WCU/s per partition);
 * - the daily follower collection, token-health check and NINA poll for every organisation with
 *   the simulator answering in 100 ms (target < 15 min), the calls per platform (429 answers, and
 *   the limits every channel of a platform shares), and that the one channel without credentials
 *   did not stop the others.
 * The run keeps to `--minutes` (default 15): a stage that runs over its share stops and says how
 * far it got. `--quick` is a small version (20 organisations, 220 channels, 10,000 deliveries).
 */
import './scale/quiet';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDocumentClient } from '../local/aws';
import { observeInvocations } from '../local/invocations';
import { signToken } from '../local/dev-key';
import { startDynamoDbLocal } from '../local/services';
import { startLocalStack } from '../local/start';
import { localDate } from '../shared/followers/dates';
import { isCollectable } from '../shared/followers/schedule';
import { configuredTimeZone } from '../shared/followers/settings';
import type { Channel } from '../shared/model/schemas';
import { PLATFORMS } from '../shared/platforms/registry';
import { DELIVERY_SK_PREFIX, OPEN_INDEX, openDeliveryShards } from '../shared/store/keys';
import { getMessageWithDeliveries } from '../shared/store/messages';
import { startMeter } from './cost/meter';
import { Budget, type StageResult } from './scale/budget';
import {
  countPlatformCalls,
  followerFiguresOf,
  ninaPollsOf,
  tokenChecksOf,
  watchJob,
  type CalledHost,
  type JobProgress,
  type PlatformCalls,
} from './scale/fan-out';
import {
  QUICK_SIZE,
  seedChannelItems,
  seedStateOrganisations,
  STATE_SIZE,
  stateProfile,
  writeCredentialsFile,
  type ScaleSize,
} from './scale/profile';
import {
  BATCH_SIZE,
  batchesOf,
  followerFigureItem,
  followerHistory,
  openDeliveryItems,
  pastDeliveryItems,
  putItems,
  SCALE_DYNAMODB,
  SeedWriter,
  writeInParallel,
  type Written,
} from './scale/seed';
import { percentile } from './stats';
import { provisionTable } from '../local/provision';
import { reconcile } from '../shared/reconcile/reconcile';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    quick: { type: 'boolean', default: false },
    orgs: { type: 'string' },
    channels: { type: 'string' },
    deliveries: { type: 'string' },
    'follower-days': { type: 'string' },
  },
});
const base = values.quick ? QUICK_SIZE : STATE_SIZE;
const size: ScaleSize = {
  ...base,
  organisations: Number(values.orgs ?? base.organisations),
  channels: Number(values.channels ?? base.channels),
  pastDeliveries: Number(values.deliveries ?? base.pastDeliveries),
  followerDays: Number(values['follower-days'] ?? base.followerDays),
};
const MINUTES = Number(values.minutes ?? (values.quick ? 4 : 15));
const STATE_WIDE_CHANNELS = 5_500;
const EMERGENCY_WINDOW_S = 60;
const PARTITION_WCU_LIMIT = 1_000;
/** open deliveries the reconciler finds due, the same with little and with much history */
const OPEN_DELIVERIES = 50;
/**
 * Through the function: one metered run (reads), one unmeasured (the first runs after DynamoDB
 * Local started or after a long seeding are slower while its JVM compiles and collects), then the
 * timed ones.
 */
const RECONCILER_RUNS = 4;
const RECONCILER_WARM_UP = 2;
/**
 * The run time beside its baseline: rounds of one run against a table holding 1,000 past
 * deliveries and one against the seeded table, in turns, so the shared machine's load falls on
 * both; the first round only warms up (the first runs against a table are several times slower).
 * A round takes under a second; with 12 the two tables' medians still differed by 21 % where the
 * median of the rounds' own ratios was 1.08, the machine's noise, so the median is taken of 30.
 */
const RECONCILER_ROUNDS = 30;
const INGEST_RUNS = 5;
const HISTORY_BASELINE = 1_000;
/** the states of a delivery that has writes still to come (the reconciler's open index) */
const IN_FLIGHT = new Set(['PENDING', 'QUEUED', 'PUBLISHING', 'RETRYING', 'VERIFY']);

const log = (line: string) => console.log(line);
const budget = new Budget(MINUTES, log);
const profile = stateProfile(size);
const channelsByOrg = new Map<string, Channel[]>();
for (const channel of profile.channels)
  channelsByOrg.set(channel.org, [...(channelsByOrg.get(channel.org) ?? []), channel]);
const workDirectory = await mkdtemp(path.join(tmpdir(), 'herold-scale-'));
const platformCalls = countPlatformCalls();
const runStarted = Date.now();
const stackLog: string[] = [];

log(
  `Scale run: ${size.organisations} organisations, ${profile.channels.length} channels, ${size.pastDeliveries.toLocaleString('en')} past deliveries, ${size.followerDays} days of follower figures; budget ${MINUTES} min`,
);
const dynamo = await startDynamoDbLocal(SCALE_DYNAMODB);
const stack = await startLocalStack({
  dynamoEndpoint: dynamo.endpoint,
  port: 0,
  simulatorPort: 0,
  directoryPort: 0,
  // kept, not printed: a failed request's report names what the function logged
  log: (line, error) => {
    stackLog.push(`${line}${error ? ` ${error instanceof Error ? error.message : String(error)}` : ''}`);
    if (stackLog.length > 200) stackLog.shift();
  },
  credentialsFile: await writeCredentialsFile(profile, workDirectory),
  // a real API's latency; the simulator's publishing limits are per simulated account, which every
  // bench channel of a platform shares, so they are off (the fan-out jobs read, they do not publish)
  simulator: { responseDelayMs: { min: 100, max: 100 }, enforceQuotas: false },
  reconcileIntervalMs: 3_600_000,
  alertsFeedIntervalMs: 3_600_000,
  collectRepliesIntervalMs: 3_600_000,
});
platformCalls.start(stack.simulatorUrl);
log(`[${budget.elapsed()}] local stack up in ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
const seedWriter = new SeedWriter(stack.dynamoEndpoint);
const table = stack.tableName;
const store = { doc, table };
/** a second table with the same 1,000 past deliveries the main one starts with, and nothing else */
const baselineTable = `${table}-history-baseline`;
const report: string[] = [];
const results: {
  seeding: Record<string, Written & { what: string }>;
  reconciler: Record<string, { ms: number[]; reads: number[]; rru: number[]; open: number[]; load: string }>;
  /** reconcile() in turns against the baseline table and the seeded one */
  alternating?: {
    few: number[];
    many: number[];
    /** each round's seeded-table time over its baseline time */
    paired: number[];
    looked: number[];
    load: string[];
    past: number;
  };
  ingest?: { ten: number[]; fifty: number[]; unnamed?: string };
  hot?: { channels: number; top: [string, number][]; note: string; settled: number };
  jobs: Record<string, JobProgress & { calls: Map<CalledHost, PlatformCalls>; failingUntouched?: boolean }>;
} = { seeding: {}, reconciler: {}, jobs: {} };

try {
  await budget.stage('seed organisations and channels', 0.03, async () => {
    await seedChannelItems(doc, table, profile.channels);
    await seedStateOrganisations(store, profile);
    return { detail: `${profile.orgs.length} organisations, ${profile.channels.length} channels` };
  });

  let pastSeeded = 0;
  const pastItems = pastDeliveryItems(channelsByOrg, size.pastDeliveries, 'past');
  const seedPast = async (upTo: number, until: number): Promise<StageResult> => {
    const before = pastSeeded;
    let deliveries = 0;
    // not a for-of: leaving one would close the shared generator for the next call
    const limited = (function* () {
      while (before + deliveries < upTo) {
        const next = pastItems.next();
        if (next.done) return;
        yield next.value;
        if (String(next.value.SK).startsWith(DELIVERY_SK_PREFIX)) deliveries += 1;
      }
    })();
    const written = await writeInParallel({
      batches: batchesOf(limited, BATCH_SIZE),
      write: seedWriter.putItems(table),
      until,
    });
    pastSeeded = before + deliveries;
    const previous = results.seeding.deliveries;
    results.seeding.deliveries = {
      what: 'past deliveries (with their messages)',
      items: (previous?.items ?? 0) + written.items,
      ms: (previous?.ms ?? 0) + written.ms,
      cut: written.cut,
    };
    return {
      detail: `${pastSeeded.toLocaleString('en')} past deliveries (${written.items.toLocaleString('en')} items, ${rate(written)} items/s)`,
      cut: written.cut,
    };
  };

  await budget.stage(
    `reconciler with ${HISTORY_BASELINE.toLocaleString('en')} past deliveries`,
    0.03,
    async (until) => {
      const seeded = await seedPast(HISTORY_BASELINE, until);
      if (seeded.cut) return seeded;
      await provisionTable(stack.dynamoEndpoint, baselineTable);
      await writeInParallel({
        batches: batchesOf(pastDeliveryItems(channelsByOrg, HISTORY_BASELINE, 'baseline'), BATCH_SIZE),
        write: seedWriter.putItems(baselineTable),
      });
      return measureReconciler(`${pastSeeded.toLocaleString('en')} past`, until);
    },
  );

  // Each share is the most a stage may take; one that finishes early leaves its time to the later
  // ones, within the run's deadline. A million past deliveries (1.09 million items with their
  // messages) took 270 s at 4,000 items/s and would have taken 310 s at 3,500 (load 7-10); the
  // daily jobs after them took 3½–4 minutes at that load.
  await budget.stage('seed past deliveries', 0.4, (until) => seedPast(size.pastDeliveries, until));

  // no figure depends on it (the daily run reads one latest figure per channel): a few weeks of the year
  await budget.stage('seed follower history', 0.02, async (until) => {
    const today = localDate(new Date(), configuredTimeZone());
    const figures = (function* () {
      for (const write of followerHistory(profile.channels, size.followerDays, today))
        yield followerFigureItem(table, write);
    })();
    const written = await writeInParallel({
      batches: batchesOf(figures, BATCH_SIZE),
      write: seedWriter.putItems(table),
      until,
    });
    results.seeding.followers = { what: 'daily follower figures', ...written };
    const days = Math.floor(written.items / profile.channels.length);
    return {
      detail: `${written.items.toLocaleString('en')} figures (${rate(written)} items/s): every channel's last ${days} days${written.items % profile.channels.length ? ` and ${written.items % profile.channels.length} channels' day ${days + 1}` : ''}`,
      cut: written.cut,
    };
  });

  await budget.stage('reconciler with the seeded past deliveries', 0.03, (until) =>
    measureReconciler(`${pastSeeded.toLocaleString('en')} past`, until),
  );
  await budget.stage(
    `reconciler run time, ${HISTORY_BASELINE.toLocaleString('en')} and ${pastSeeded.toLocaleString('en')} past deliveries in turns`,
    0.05,
    (until) => compareReconciler(pastSeeded, until),
  );

  await budget.stage('ingest 10 / 50 / all channels', 0.02, measureIngest);
  await budget.stage('hot partitions', 0.03, measureHotPartitions);
  await budget.stage('NINA poll', 0.03, (until) =>
    runJob('alerts-feed', profile.orgs, ninaPollsOf(doc, table), new Set(), until),
  );

  const collectable = profile.channels.filter(isCollectable).map((channel) => channel.id);
  const failing = new Set([profile.failingChannelId]);
  const today = localDate(new Date(), configuredTimeZone());
  await budget.stage('daily follower collection', 0.3, (until) =>
    runJob('collect-followers', collectable, followerFiguresOf(doc, table, today), failing, until),
  );
  const checkable = profile.channels
    .filter((channel) => channel.state !== 'retired' && PLATFORMS[channel.platform].publishing === 'api')
    .map((channel) => channel.id);
  await budget.stage('daily token-health check', 0.25, (until) =>
    runJob('token-health', checkable, tokenChecksOf(doc, table), failing, until),
  );
} finally {
  printReport();
  platformCalls.stop();
  doc.destroy();
  seedWriter.destroy();
  // a job cut by its deadline may still be running: stop what can be stopped without waiting for it
  await Promise.race([stack.stop(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  await dynamo.stop();
  // a job still running may be writing renewed credentials into it
  await rm(workDirectory, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  process.exit(process.exitCode ?? 0);
}

/** The machine's load average (1, 5, 15 min): the figures are only comparable with it beside them. */
function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(1))
    .join(' / ');
}

function rate(written: Written): string {
  return Math.round(written.items / Math.max(0.001, written.ms / 1000)).toLocaleString('en');
}

/** Deliveries in the reconciler's index, summed over its shards; `due`: only those it would take now. */
async function openDeliveries(due = false): Promise<number> {
  const now = new Date().toISOString();
  const perShard = await Promise.all(
    openDeliveryShards().map((shard) => openDeliveriesIn(shard, due ? now : undefined)),
  );
  return perShard.reduce((sum, count) => sum + count, 0);
}

async function openDeliveriesIn(shard: string, dueBefore: string | undefined): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: OPEN_INDEX.name,
        KeyConditionExpression: dueBefore ? 'OPENPK = :open AND OPENSK < :now' : 'OPENPK = :open',
        ExpressionAttributeValues: { ':open': shard, ...(dueBefore ? { ':now': dueBefore } : {}) },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Waits until no delivery is open (or, `due`, due for the reconciler), at most until `until`. */
async function quiet(until: number, due = false): Promise<number> {
  for (;;) {
    const open = await openDeliveries(due);
    if (open === 0 || Date.now() >= until) return open;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * Each run finds the same number of fresh open deliveries due. The first run is metered (its
 * DynamoDB reads); the others are not, and give the run time: the meter reads every written
 * item before and after the write, which would stretch the run on a busy machine.
 */
async function measureReconciler(label: string, until: number): Promise<StageResult> {
  const figures = {
    ms: [] as number[],
    reads: [] as number[],
    rru: [] as number[],
    open: [] as number[],
    load: loadAverage(),
  };
  const failures: string[] = [];
  results.reconciler[label] = figures;
  for (let run = 0; run < RECONCILER_RUNS; run += 1) {
    if (Date.now() >= until) return { detail: `${run} of ${RECONCILER_RUNS} runs${failed(failures)}`, cut: true };
    // what the previous run requeued is not due again for minutes; anything else due would be taken too
    await quiet(Math.min(until, Date.now() + 30_000), true);
    const items = openDeliveryItems(channelsByOrg, OPEN_DELIVERIES, `open-${label.replace(/\W/g, '')}-${run}`);
    await writeInParallel({ batches: batchesOf(items, 25), write: putItems(doc, table) });
    figures.open.push(await openDeliveries(true));
    const meter = run === 0 ? await startMeter({ dynamoEndpoint: stack.dynamoEndpoint, tableName: table }) : undefined;
    const durations: number[] = [];
    if (!meter)
      observeInvocations((invocation, durationMs) => {
        if (invocation.functionName === 'herold-reconciler') durations.push(durationMs);
      });
    try {
      const response = await fetch(`${stack.apiUrl}/_local/schedules/reconciler/run`, { method: 'POST' });
      if (!response.ok) {
        failures.push(`${response.status} ${problemTitle(await response.text())}`);
        continue;
      }
      if (meter) {
        const reads = meter.usages.filter(
          (usage) => usage.functionName === 'herold-reconciler' && usage.meter === 'dynamodb.read-request-unit',
        );
        figures.reads.push(reads.length);
        figures.rru.push(reads.reduce((sum, usage) => sum + usage.quantity, 0));
      } else if (run >= RECONCILER_WARM_UP) figures.ms.push(durations.reduce((sum, duration) => sum + duration, 0));
    } finally {
      if (meter) meter.stop();
      else observeInvocations(undefined);
    }
  }
  return {
    detail: `median ${median(figures.ms).toFixed(0)} ms (${figures.ms.map((ms) => ms.toFixed(0)).join(', ')}), ${median(figures.rru)} RRU in ${median(figures.reads)} reads, ${figures.open.join('/')} due open deliveries, load ${figures.load}${failed(failures)}`,
    cut: figures.ms.length === 0 || figures.reads.length === 0,
  };
}

/**
 * reconcile(), what the reconciler function runs, in turns against the baseline table (1,000 past
 * deliveries) and the seeded one, each time with 50 fresh due open deliveries. The jobs it would
 * send are not sent (the same for both tables): the baseline table's deliveries are unknown to the
 * publishers, and the seeded table's would be published while the next run is timed.
 */
async function compareReconciler(past: number, until: number): Promise<StageResult> {
  const figures = {
    few: [] as number[],
    many: [] as number[],
    paired: [] as number[],
    looked: [] as number[],
    load: [] as string[],
    past,
  };
  results.alternating = figures;
  const notSent = async () => [];
  for (let round = 0; round <= RECONCILER_ROUNDS; round += 1) {
    if (Date.now() >= until) return { detail: `${round} of ${RECONCILER_ROUNDS} rounds`, cut: true };
    figures.load.push(loadAverage());
    const turns = round % 2 === 0 ? (['few', 'many'] as const) : (['many', 'few'] as const);
    const times = { few: 0, many: 0 };
    for (const turn of turns) {
      const into = turn === 'few' ? baselineTable : table;
      const items = openDeliveryItems(channelsByOrg, OPEN_DELIVERIES, `turn-${turn}-${round}`);
      await writeInParallel({ batches: batchesOf(items, 25), write: putItems(doc, into) });
      const started = performance.now();
      const report = await reconcile({ doc, table: into }, { send: notSent });
      times[turn] = performance.now() - started;
      figures.looked.push(report.looked);
    }
    if (round === 0) continue;
    figures.few.push(times.few);
    figures.many.push(times.many);
    figures.paired.push(times.many / times.few);
  }
  const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
  return {
    detail: `median ${median(figures.many).toFixed(0)} ms (${past.toLocaleString('en')} past: ${list(figures.many)}) against ${median(figures.few).toFixed(0)} ms (${HISTORY_BASELINE.toLocaleString('en')} past: ${list(figures.few)}), median of the rounds' ratios ${median(figures.paired).toFixed(2)}; ${figures.looked.join('/')} due open deliveries looked at`,
  };
}

function failed(failures: readonly string[]): string {
  return failures.length > 0 ? `; failed runs: ${failures.join('; ')}` : '';
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

async function measureIngest(until: number): Promise<StageResult> {
  const editor = await signToken({ sub: 'scale-editor', org: profile.bigOrg, roles: ['editor'] });
  const active = channelsByOrg
    .get(profile.bigOrg)!
    .filter((channel) => channel.state === 'active')
    .map((channel) => channel.id);
  const post = async (body: Record<string, unknown>) => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  };
  const figures = { ten: [] as number[], fifty: [] as number[] } as NonNullable<typeof results.ingest>;
  results.ingest = figures;
  for (let run = 0; run < INGEST_RUNS && Date.now() < until; run += 1) {
    // alternating, so a slower moment of the shared machine does not fall on one size only
    for (const [count, into] of run % 2 === 0
      ? ([
          [10, figures.ten],
          [50, figures.fifty],
        ] as const)
      : ([
          [50, figures.fifty],
          [10, figures.ten],
        ] as const)) {
      const answer = await post({
        text: `Skalierung: Nachricht an ${count} Kanäle (${run}).`,
        channels: active.slice(0, count),
      });
      if (answer.status !== 201 && answer.status !== 202)
        throw new Error(`a message to ${count} channels answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      into.push(answer.ms);
    }
  }
  const unnamed = await post({ text: 'Skalierung: Nachricht an alle Kanäle des Landesamts.' });
  figures.unnamed =
    unnamed.status < 300
      ? `accepted (${unnamed.status}, ${unnamed.ms.toFixed(0)} ms)`
      : `FAILS: ${unnamed.status} ${problemTitle(unnamed.text)}`;
  return {
    detail: `10 channels ${median(figures.ten).toFixed(0)} ms, 50 channels ${median(figures.fifty).toFixed(0)} ms; ${active.length} active channels unnamed: ${figures.unnamed}`,
    cut: figures.ten.length < INGEST_RUNS,
  };
}

/** A refused request in a line: the problem's title and detail, and for a 500 what the function logged. */
function problemTitle(text: string): string {
  let summary = text.slice(0, 300);
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; status?: number };
    summary = [problem.title, problem.detail].filter(Boolean).join(': ').slice(0, 300);
    if (problem.status === 500) {
      const logged = stackLog.findLast((line) => /herold-ingest/.test(line));
      if (logged) summary += ` (logged: ${logged.replace(/\s+/g, ' ').slice(0, 300)})`;
    }
  } catch {
    // not problem+json: the text itself
  }
  return summary;
}

async function measureHotPartitions(until: number): Promise<StageResult> {
  const sender = await signToken({ sub: 'scale-sender', org: profile.bigOrg, roles: ['editor', 'emergency'] });
  const active = channelsByOrg
    .get(profile.bigOrg)!
    .filter((channel) => channel.state === 'active')
    .map((channel) => channel.id);
  await quiet(Math.min(until, Date.now() + 60_000));
  const meter = await startMeter({ dynamoEndpoint: stack.dynamoEndpoint, tableName: table });
  try {
    const send = async (channels?: string[]) =>
      fetch(`${stack.apiUrl}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sender}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          text: 'Unwetterwarnung: Sturmböen bis 100 km/h im ganzen Land.',
          priority: 'emergency',
          severity: 'Severe',
          ...(channels ? { channels } : {}),
        }),
      });
    // all the organisation's channels, else the most one message may name, else half of that
    const refused: string[] = [];
    let response: Response | undefined;
    let note = '';
    for (const channels of [undefined, active.slice(0, 98), active.slice(0, 50)]) {
      meter.reset();
      response = await send(channels);
      note = `${channels ? `${channels.length} named channels` : `all ${active.length} active channels of one organisation`}`;
      if (response.ok) break;
      refused.push(
        `${channels?.length ?? active.length} refused: ${response.status} ${problemTitle(await response.text())}`,
      );
    }
    if (!response!.ok) throw new Error(`every emergency message was refused: ${refused.join('; ')}`);
    if (refused.length > 0) note += ` (${refused.join('; ')})`;
    const text = await response!.text();
    const id = String((JSON.parse(text) as { id?: unknown }).id);
    let deliveries = 0;
    let open = 0;
    for (;;) {
      const message = await getMessageWithDeliveries(store, id);
      deliveries = message?.deliveries.length ?? 0;
      open = (message?.deliveries ?? []).filter((delivery) => IN_FLIGHT.has(delivery.state)).length;
      if ((message && open === 0) || Date.now() >= until) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const top = [...meter.partitionWrites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    // a delivery still in flight has not made all its writes yet: the figures are then a lower bound
    results.hot = { channels: deliveries, top, note, settled: deliveries - open };
    const scale = STATE_WIDE_CHANNELS / deliveries;
    return {
      cut: open > 0,
      detail: `${deliveries} deliveries (${deliveries - open} settled); top ${top[0]?.[0]}: ${top[0]?.[1]} WRU → ${(((top[0]?.[1] ?? 0) * scale) / EMERGENCY_WINDOW_S).toFixed(0)} WCU/s at ${STATE_WIDE_CHANNELS}`,
    };
  } finally {
    meter.stop();
  }
}

async function runJob(
  job: string,
  pending: string[],
  done: (pending: readonly string[], startedAt: Date) => Promise<Set<string>>,
  failing: ReadonlySet<string>,
  until: number,
): Promise<StageResult> {
  platformCalls.take();
  const progress = await watchJob({ apiUrl: stack.apiUrl, job, pending, done, expectedToFail: failing, until });
  const failingDone =
    failing.size > 0 ? await done([...failing], new Date(Date.now() - progress.watched * 1000)) : undefined;
  results.jobs[job] = {
    ...progress,
    calls: platformCalls.take(),
    ...(failingDone ? { failingUntouched: ![...failing].some((id) => failingDone.has(id)) } : {}),
  };
  const rateNote =
    progress.seconds === undefined && progress.done > 0
      ? `, at this rate all in ${((progress.watched * progress.total) / progress.done / 60).toFixed(1)} min`
      : '';
  return {
    detail: `${progress.done} of ${progress.total} in ${(progress.seconds ?? progress.watched).toFixed(0)} s${rateNote}${progress.missing.length > 0 ? ` (still missing e.g. ${progress.missing.join(', ')})` : ''}`,
    cut: progress.seconds === undefined,
  };
}

function printReport(): void {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out(`\n## Scale (state profile), ${new Date().toISOString().slice(0, 10)}, budget ${MINUTES} min\n`);
  out('| stage | status | seconds | reached |');
  out('|---|---|---|---|');
  for (const outcome of budget.outcomes)
    out(`| ${outcome.name} | ${outcome.status} | ${outcome.seconds.toFixed(0)} | ${outcome.detail} |`);

  out('\n| figure | measured | baseline (same run) | ratio | target | met |');
  out('|---|---|---|---|---|---|');
  const [few, many] = Object.entries(results.reconciler);
  const within = (a: number, b: number) => Math.abs(a - b) / b < 0.2;
  const alternating = results.alternating;
  if (alternating && alternating.few.length > 0 && alternating.many.length > 0) {
    const [msFew, msMany] = [median(alternating.few), median(alternating.many)];
    out(
      `| reconciler run time (reconcile(), ${OPEN_DELIVERIES} due open deliveries; median of ${alternating.many.length} in turns with the baseline, load ${alternating.load[0]} … ${alternating.load.at(-1)}), ${alternating.past.toLocaleString('en')} past | ${msMany.toFixed(0)} ms | ${msFew.toFixed(0)} ms (${HISTORY_BASELINE.toLocaleString('en')} past, table of its own) | ${(msMany / msFew).toFixed(2)} (rounds' ratios: median ${median(alternating.paired).toFixed(2)}) | within 20 % | ${within(msMany, msFew) ? 'yes' : 'NO'} |`,
    );
  }
  if (few && many && few[1].ms.length > 0 && many[1].ms.length > 0) {
    const [msFew, msMany] = [median(few[1].ms), median(many[1].ms)];
    out(
      `| reconciler function's run time, ${OPEN_DELIVERIES} open deliveries, ${many[0]} (median of ${many[1].ms.length}, minutes apart: load ${many[1].load}) | ${msMany.toFixed(0)} ms | ${msFew.toFixed(0)} ms (${few[0]}; load ${few[1].load}) | ${(msMany / msFew).toFixed(2)} | | |`,
    );
  }
  if (few && many && few[1].rru.length > 0 && many[1].rru.length > 0) {
    const [rruFew, rruMany] = [median(few[1].rru), median(many[1].rru)];
    out(
      `| reconciler DynamoDB reads, ${many[0]} | ${rruMany} RRU in ${median(many[1].reads)} requests | ${rruFew} RRU in ${median(few[1].reads)} requests | ${(rruMany / rruFew).toFixed(2)} | within 20 % | ${within(rruMany, rruFew) ? 'yes' : 'NO'} |`,
    );
  }
  if (results.ingest && results.ingest.ten.length > 0 && results.ingest.fifty.length > 0) {
    const [ten, fifty] = [median(results.ingest.ten), median(results.ingest.fifty)];
    out(
      `| POST /messages to 50 channels (median of ${results.ingest.fifty.length}) | ${ten ? fifty.toFixed(0) : '?'} ms | ${ten.toFixed(0)} ms (10 channels) | ${(fifty / ten).toFixed(2)} | ≤ 2 | ${fifty <= 2 * ten ? 'yes' : 'NO'} |`,
    );
  }
  if (results.ingest?.unnamed)
    out(
      `| message to all ${channelsByOrg.get(profile.bigOrg)!.filter((channel) => channel.state === 'active').length} active channels of one organisation, none named | ${results.ingest.unnamed} | | | accepted | ${results.ingest.unnamed.startsWith('accepted') ? 'yes' : 'NO'} |`,
    );
  for (const [job, progress] of Object.entries(results.jobs)) {
    const seconds = progress.seconds;
    out(
      `| ${job} for ${progress.total} ${job === 'alerts-feed' ? 'organisations' : 'channels'} | ${seconds === undefined ? `${progress.done} of ${progress.total} after ${progress.watched.toFixed(0)} s (stopped)` : `${seconds.toFixed(0)} s`} | today's code is the baseline | | < 900 s | ${seconds === undefined ? (progress.done > 0 && (progress.watched * progress.total) / progress.done < 900 ? 'on course' : 'NO') : seconds < 900 ? 'yes' : 'NO'} |`,
    );
    if (progress.failingUntouched !== undefined)
      out(
        `| ${job}: the channel without credentials did not stop the others | ${progress.done} of ${progress.total} others done; the failing one ${progress.failingUntouched ? 'failed' : 'did not fail'} | | | all others done | ${progress.seconds !== undefined ? 'yes' : 'not shown'} |`,
      );
    const tooMany = [...progress.calls.values()].reduce((sum, calls) => sum + calls.tooMany, 0);
    out(
      `| ${job}: platform calls, peak per minute (429 answers) | ${[...progress.calls.entries()].map(([platform, calls]) => `${platform} ${calls.calls}, ${calls.peakPerMinute}/min${calls.tooMany ? ` (${calls.tooMany}× 429)` : ''}`).join('; ') || 'none'} | | | no 429 | ${tooMany === 0 ? 'yes' : 'NO'} |`,
    );
    for (const [platform, calls] of progress.calls) {
      if (!calls.shared) continue;
      const { peak, limit, note } = calls.shared;
      out(
        `| ${job}: ${platform} calls against the limit all its channels share (${note}; not enforced by the simulator) | ${peak} at most in one window | ${limit.toLocaleString('en')} | ${(peak / limit).toFixed(2)} | ≤ 1 | ${peak <= limit ? 'yes' : 'NO'} |`,
      );
    }
  }
  if (results.hot) {
    const scale = STATE_WIDE_CHANNELS / results.hot.channels;
    out(
      `\nHottest partitions of an emergency message to ${results.hot.channels} channels (${results.hot.note}; ${results.hot.settled} of them settled when counted), scaled to ${STATE_WIDE_CHANNELS.toLocaleString('en')} channels within ${EMERGENCY_WINDOW_S} s (limit ${PARTITION_WCU_LIMIT} WCU/s per partition)\n`,
    );
    out(
      `| partition | WRU measured (${results.hot.channels} channels) | WRU at 5,500 channels | WCU/s over ${EMERGENCY_WINDOW_S} s | within the limit |`,
    );
    out('|---|---|---|---|---|');
    for (const [partition, units] of results.hot.top) {
      const perSecond = (units * scale) / EMERGENCY_WINDOW_S;
      out(
        `| ${partition} | ${units} | ${Math.round(units * scale).toLocaleString('en')} | ${perSecond.toFixed(0)} | ${perSecond <= PARTITION_WCU_LIMIT ? 'yes' : 'NO'} |`,
      );
    }
  }
  out('\nSeeding');
  for (const written of Object.values(results.seeding))
    out(
      `- ${written.what}: ${written.items.toLocaleString('en')} items in ${(written.ms / 1000).toFixed(0)} s (${rate(written)} items/s)${written.cut ? ', stopped by the time budget' : ''}`,
    );
  report.push(...lines);
  console.log(report.join('\n'));
}

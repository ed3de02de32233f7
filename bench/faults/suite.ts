/**
 * The fault-injection run: the local stack with every knob shortened, the simulator failing
 * requests on every platform, every job on the queues twice, and the publishers in a child
 * process that is SIGKILLed and restarted at random moments. Messages go in through the real
 * HTTP API; at the end every delivery is compared with what the platforms hold (see report.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Delivery } from '../../shared/model/schemas';
import { platformList, type PlatformId } from '../../shared/platforms/registry';
import { sqs } from '../../shared/queue/jobs';
import { dueOpenDeliveries } from '../../shared/store/deliveries';
import { getMessageWithDeliveries } from '../../shared/store/messages';
import type { Store } from '../../shared/store/client';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { queueArn } from '../../local/provision';
import { loadSeedChannels, seedChannels } from '../../local/seed';
import { startLocalStack, type LocalStack } from '../../local/start';
import type { SimFault, SimPost } from '../../local/simulator/types';
import { duplicateEverySend, type DuplicateSends } from './duplicate-jobs';
import { DEFAULT_FAULT_MIX, faultPlan, injectedCounts, type FaultMix } from './faults';
import { messageTag, SETTLED_STATES, tallyRun, verdict, type RunFigures } from './report';

/** Every knob shortened so a run takes minutes, not days; the ratios stay as deployed where they matter. */
export const SUITE_KNOBS = {
  visibilityTimeoutSeconds: 6,
  /**
   * In AWS an attempt can never outlive its lease: the function times out after 5 s, the lease
   * lasts 60 s. Locally nothing stops an attempt, and on a busy machine one can take several
   * seconds, so the lease stays above that rather than being shortened with the rest. (At 5 s,
   * expired leases of live attempts let a second claim publish beside the first.)
   */
  leaseMs: 10_000,
  requestTimeoutMs: 800,
  maxBackoffSeconds: 3,
  reconcileIntervalMs: 1_000,
  retryAfterSeconds: 1,
  /**
   * Receives before the dead-letter queue. The injected fault rates are far above any real
   * platform's, so at the deployed 5 a delivery would now and then run out of attempts on
   * transient faults alone; such a give-up would be reported, and fail the run, as "other".
   */
  maxReceiveCount: 20,
  /** channel budgets and the simulator's platform limits, raised so quotas never hold a run up */
  channelQuota: { limit: 1_000_000, windowSeconds: 24 * 60 * 60, note: 'raised for the fault suite' },
  simulatorQuotaScale: 1_000,
  /**
   * Messages go in no faster than the publishers keep up: at most this many open deliveries. Every
   * platform's lookup after a lost answer reads the account's recent posts; a backlog of thousands
   * would put hundreds of posts between an attempt and its lookup, where no real account gets near
   * (the platforms' own limits are a few hundred posts a day).
   */
  maxOpenDeliveries: 150,
} as const;

export interface FaultSuiteOptions {
  messages: number;
  /** the run fails unless the publisher was killed at least this often */
  minKills: number;
  mix?: FaultMix;
  /** time between a started worker and its kill, drawn at random from this range */
  killGapMs?: [number, number];
  /** give up waiting for settled deliveries after this long (default scales with the size) */
  deadlineMs?: number;
  /** messages in flight at the API at once */
  ingestConcurrency?: number;
  /** where the stack and the worker write their logs (default a file in the temp directory) */
  logFile?: string;
  progress?: (line: string) => void;
  /** DynamoDB Local and SQS servers already running (the test run's shared ones); default: start both */
  services?: { dynamoEndpoint: string; sqsEndpoint: string; tableName: string; queuePrefix: string };
}

export interface FaultSuiteResult {
  runId: string;
  messages: number;
  figures: RunFigures;
  kills: number;
  /** worker exits the suite did not cause */
  crashes: number;
  /** jobs the API and the reconciler sent a second time (the worker's own requeues are doubled too) */
  duplicatedJobs: number;
  rejectedMessages: number;
  durationMs: number;
  timedOut: boolean;
  problems: string[];
  passed: boolean;
  logFile: string;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'publisher-child.ts');

export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultSuiteResult> {
  const started = Date.now();
  const runId = randomBytes(3).toString('hex');
  const logFile = options.logFile ?? path.join(tmpdir(), `herold-faults-${runId}.log`);
  const logFd = openSync(logFile, 'a');
  const log = (line: string, error?: unknown) =>
    writeSync(
      logFd,
      `${new Date().toISOString()} ${line}${error ? ` ${error instanceof Error ? error.stack : String(error)}` : ''}\n`,
    );
  const progress = (line: string) => {
    log(line);
    options.progress?.(line);
  };
  const platforms = platformList().map(({ id }) => id);
  let stack: LocalStack | undefined;
  let worker: KilledAtRandom | undefined;
  let duplicates: DuplicateSends | undefined;
  // The in-process handlers (API, reconciler) log and emit metrics to stdout; the run's output is the table.
  const quiet = { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' };
  const loud = Object.fromEntries(Object.keys(quiet).map((name) => [name, process.env[name]]));
  Object.assign(process.env, quiet);
  try {
    stack = await startLocalStack({
      ...options.services,
      port: 0,
      simulatorPort: 0,
      visibilityTimeoutSeconds: SUITE_KNOBS.visibilityTimeoutSeconds,
      reconcileIntervalMs: SUITE_KNOBS.reconcileIntervalMs,
      simulator: { quotaScale: SUITE_KNOBS.simulatorQuotaScale },
      log,
    });
    // The publishers run in the child process only, where they can be killed.
    await Promise.all(stack.eventSources.map((source) => source.stop()));
    await raiseMaxReceiveCount(stack, SUITE_KNOBS.maxReceiveCount);
    await seedChannels(stack.tableName, {
      dynamoEndpoint: stack.dynamoEndpoint,
      channels: loadSeedChannels().map((channel) => ({
        ...channel,
        state: 'active' as const,
        quota: { ...SUITE_KNOBS.channelQuota },
      })),
    });
    duplicates = duplicateEverySend(sqs());
    await simulatorCall(stack, 'POST', '/_sim/faults', faultPlan(options.mix ?? DEFAULT_FAULT_MIX, SUITE_KNOBS));
    progress(`run ${runId}: stack up (API ${stack.apiUrl}, simulator ${stack.simulatorUrl}); logs in ${logFile}`);

    worker = new KilledAtRandom({
      env: {
        ...(process.env as Record<string, string>),
        ...stack.env,
        HEROLD_LEASE_MS: String(SUITE_KNOBS.leaseMs),
        HEROLD_MAX_RECEIVE_COUNT: String(SUITE_KNOBS.maxReceiveCount),
        HEROLD_REQUEST_TIMEOUT_MS: String(SUITE_KNOBS.requestTimeoutMs),
        HEROLD_MAX_BACKOFF_SECONDS: String(SUITE_KNOBS.maxBackoffSeconds),
        ...quiet,
        // every attempt's outcome, with message and channel ids, goes to the log file for diagnosis
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      logFd,
      gapMs: options.killGapMs ?? [4_000, 12_000],
      log,
    });
    await worker.start();

    const tags = new Map<string, string>();
    const rejected = await sendMessages(stack, runId, options.messages, options.ingestConcurrency ?? 4, tags, progress);
    progress(
      `run ${runId}: ${tags.size} message(s) accepted, ${rejected} rejected; waiting for every delivery to settle`,
    );

    const store: Store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
    // 800 ms a message: odd answers on writes and reads add about a fifth more attempts than the
    // faults before them, and a run on a busy two-core machine needs every second of it
    const deadline = started + (options.deadlineMs ?? 240_000 + options.messages * 800);
    const settled = await waitUntilSettled(store, [...tags.keys()], deadline, progress);
    const timedOut = [...settled.values()].some((list) =>
      list.some((delivery) => !SETTLED_STATES.includes(delivery.state)),
    );

    await worker.stop();
    const { kills, crashes } = worker;
    worker = undefined;
    // Requests the simulator holds back (slow answers) land before the posts are read.
    await new Promise((resolve) => setTimeout(resolve, SUITE_KNOBS.requestTimeoutMs + 1_500));
    const final = await readDeliveries(store, [...tags.keys()]);
    const posts = (await simulatorCall(stack, 'GET', '/_sim/posts')) as SimPost[];
    const active = (await simulatorCall(stack, 'GET', '/_sim/faults')) as (SimFault & { remaining: number })[];
    store.doc.destroy();

    const figures = tallyRun({
      deliveries: [...final.values()].flat(),
      posts,
      tags,
      injected: injectedCounts(active, platforms),
    });
    const problems = verdict(figures, { kills, minKills: options.minKills, rejectedMessages: rejected });
    if (timedOut) problems.unshift('the deadline passed before every delivery settled');
    return {
      runId,
      messages: options.messages,
      figures,
      kills,
      crashes,
      duplicatedJobs: duplicates.duplicated,
      rejectedMessages: rejected,
      durationMs: Date.now() - started,
      timedOut,
      problems,
      passed: problems.length === 0,
      logFile,
    };
  } finally {
    duplicates?.remove();
    await worker?.stop().catch((error: unknown) => log('stopping the worker:', error));
    await stack?.stop().catch((error: unknown) => log('stopping the stack:', error));
    closeSync(logFd);
    for (const [name, value] of Object.entries(loud)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The deployed queues give up after 5 receives; the suite's fault rates need a longer budget (see SUITE_KNOBS). */
async function raiseMaxReceiveCount(stack: LocalStack, maxReceiveCount: number): Promise<void> {
  const client = localSqsClient(stack.sqsEndpoint);
  try {
    await Promise.all(
      Object.entries(stack.queues).flatMap(([platform, lanes]) =>
        (['normal', 'urgent'] as const).map(async (lane) => {
          const deadLetterTargetArn = await queueArn(client, stack.deadLetterQueues[platform as PlatformId][lane]);
          await client.send(
            new SetQueueAttributesCommand({
              QueueUrl: lanes[lane],
              Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount }) },
            }),
          );
        }),
      ),
    );
  } finally {
    client.destroy();
  }
}

async function simulatorCall(
  stack: LocalStack,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${stack.simulatorUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

const ORGS = ['city', 'fire-brigade'] as const;

/**
 * N messages through POST /messages, taking turns between the city and the fire brigade, each to
 * all of its organisation's channels. Every third carries an image and every third a video, so
 * the platforms that need media get their share. The text starts with a tag unique to the message.
 */
async function sendMessages(
  stack: LocalStack,
  runId: string,
  count: number,
  concurrency: number,
  tags: Map<string, string>,
  progress: (line: string) => void,
): Promise<number> {
  const tokens = Object.fromEntries(
    await Promise.all(
      ORGS.map(async (org) => [org, await signToken({ sub: `faults-${org}`, org, roles: ['editor'] })] as const),
    ),
  );
  let next = 0;
  let rejected = 0;
  const store: Store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
  const backlogBelowCap = async () => {
    while ((await openDeliveryStates(store)).length >= SUITE_KNOBS.maxOpenDeliveries)
      await new Promise((resolve) => setTimeout(resolve, 500));
  };
  const sendOne = async (index: number) => {
    const org = ORGS[index % ORGS.length]!;
    const tag = messageTag(runId, index);
    const media =
      index % 3 === 1
        ? [
            {
              url: `${stack.simulatorUrl}/_sim/media/sample.jpg`,
              mime: 'image/jpeg',
              altText: 'Blick über die Elbe auf die Altstadt',
            },
          ]
        : index % 3 === 2
          ? [
              {
                url: `${stack.simulatorUrl}/_sim/media/sample.mp4`,
                mime: 'video/mp4',
                altText: 'Kurzes Video vom Elbufer',
              },
            ]
          : [];
    const body = {
      text: `[${tag}] Meldung ${index + 1} der ${org === 'city' ? 'Landeshauptstadt' : 'Feuerwehr'} Dresden.`,
      link: 'https://www.dresden.de/',
      media,
    };
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${stack.apiUrl}/messages`, {
        method: 'POST',
        // the same key on a repeat makes a retried request return the first message, never a second one
        headers: { authorization: `Bearer ${tokens[org]}`, 'content-type': 'application/json', 'idempotency-key': tag },
        body: JSON.stringify(body),
      }).catch(() => undefined);
      if (response?.status === 202) {
        tags.set(((await response.json()) as { id: string }).id, tag);
        return;
      }
      if (attempt >= 3 || (response && response.status < 500)) {
        rejected += 1;
        progress(`message ${tag} rejected: ${response ? `${response.status} ${await response.text()}` : 'no answer'}`);
        return;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      for (;;) {
        await backlogBelowCap();
        if (next >= count) return;
        const index = next++;
        await sendOne(index);
        if ((index + 1) % 100 === 0) progress(`  ${index + 1}/${count} messages sent`);
      }
    }),
  );
  store.doc.destroy();
  return rejected;
}

async function readDeliveries(store: Store, messageIds: string[], concurrency = 8): Promise<Map<string, Delivery[]>> {
  const result = new Map<string, Delivery[]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messageIds.length) {
        const id = messageIds[next++]!;
        result.set(id, (await getMessageWithDeliveries(store, id))?.deliveries ?? []);
      }
    }),
  );
  return result;
}

/**
 * Waits until the reconciler's sparse index of open deliveries is empty (a delivery leaves it when it
 * settles; a hand-off never enters it) or the deadline passes, then reads every delivery.
 */
async function waitUntilSettled(
  store: Store,
  messageIds: string[],
  deadline: number,
  progress: (line: string) => void,
): Promise<Map<string, Delivery[]>> {
  let lastReport = 0;
  for (;;) {
    const open = await openDeliveryStates(store);
    if (open.length === 0 || Date.now() > deadline) break;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const byState = open.reduce<Record<string, number>>(
        (counts, state) => ({ ...counts, [state]: (counts[state] ?? 0) + 1 }),
        {},
      );
      progress(
        `  ${open.length} deliveries not settled yet: ${Object.entries(byState)
          .map(([state, n]) => `${n} ${state}`)
          .join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return readDeliveries(store, messageIds);
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** far more than the suite ever keeps open (SUITE_KNOBS.maxOpenDeliveries), so none is left out */
const OPEN_PER_SHARD = 1000;

async function openDeliveryStates(store: Store): Promise<string[]> {
  // every open delivery, whenever it is due: the reconciler's own read, a year ahead
  const open = await dueOpenDeliveries(store, Date.now() + YEAR_MS, OPEN_PER_SHARD);
  return open.deliveries.map(({ delivery }) => delivery.state);
}

/** The publisher worker, forked and SIGKILLed at random moments, started again each time. */
class KilledAtRandom {
  kills = 0;
  crashes = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: {
      env: Record<string, string>;
      logFd: number;
      gapMs: [number, number];
      log: (line: string) => void;
    },
  ) {}

  async start(): Promise<void> {
    await this.spawn();
    this.loop = this.killLoop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async killLoop(): Promise<void> {
    const [low, high] = this.options.gapMs;
    while (!this.stopping) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, low + Math.random() * (high - low));
      });
      if (this.stopping) return;
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        this.kills += 1;
        this.options.log(`publisher worker killed (${this.kills})`);
      }
      if (!this.stopping) await this.spawn();
    }
  }

  private async spawn(): Promise<void> {
    for (;;) {
      const forkedAt = Date.now();
      const child = fork(CHILD, [], {
        execArgv: ['--import', 'tsx'],
        env: this.options.env,
        stdio: ['ignore', this.options.logFd, this.options.logFd, 'ipc'],
      });
      this.child = child;
      const ready = await new Promise<boolean>((resolve) => {
        child.once('message', () => resolve(true));
        child.once('exit', () => resolve(false));
      });
      if (ready) {
        this.options.log(`publisher worker ready after ${Date.now() - forkedAt} ms`);
        child.once('exit', (code, signal) => {
          if (signal === 'SIGKILL' || this.stopping) return;
          this.crashes += 1;
          this.options.log(`publisher worker exited by itself (code ${code}, signal ${signal})`);
        });
        return;
      }
      this.crashes += 1;
      this.options.log('publisher worker died while starting; starting it again');
      if (this.stopping) return;
    }
  }
}

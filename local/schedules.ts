/**
 * The local stand-in for EventBridge rules: runs each registered job at its interval and on demand
 * (`POST /_local/schedules/<name>/run`). A job never overlaps itself; a run asked for while one is
 * going starts when that one ends.
 */

export interface ScheduledJob {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000;

/** The reconciler's interval: every minute as in AWS, HEROLD_RECONCILE_INTERVAL_MS overrides. */
export function reconcileIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HEROLD_RECONCILE_INTERVAL_MS;
  if (raw === undefined || raw === '') return DEFAULT_RECONCILE_INTERVAL_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`HEROLD_RECONCILE_INTERVAL_MS must be a positive whole number of milliseconds, got "${raw}"`);
  return value;
}

interface JobState {
  job: ScheduledJob;
  timer?: NodeJS.Timeout;
  current?: Promise<void>;
}

export class ScheduleLoop {
  private readonly jobs = new Map<string, JobState>();
  private running = false;

  constructor(
    jobs: ScheduledJob[],
    private readonly log: (message: string, error?: unknown) => void = (message, error) =>
      console.error(message, error ?? ''),
  ) {
    for (const job of jobs) {
      if (this.jobs.has(job.name)) throw new Error(`schedule "${job.name}" is registered twice`);
      if (!(job.intervalMs > 0)) throw new Error(`schedule "${job.name}" needs a positive interval`);
      this.jobs.set(job.name, { job });
    }
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const state of this.jobs.values()) this.arm(state);
  }

  /** Runs a job now and resolves when that run is done; rejects with the job's error. */
  async runNow(name: string): Promise<void> {
    const state = this.jobs.get(name);
    if (!state) throw new Error(`no schedule "${name}"`);
    while (state.current) await state.current.catch(() => undefined);
    const run = state.job.run();
    state.current = run;
    try {
      await run;
    } finally {
      state.current = undefined;
    }
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    this.running = false;
    for (const state of this.jobs.values()) clearInterval(state.timer);
    await Promise.all([...this.jobs.values()].map((state) => state.current?.catch(() => undefined)));
  }

  private arm(state: JobState): void {
    // fixed rate, as an EventBridge rate rule; a tick that finds the previous run still going is skipped
    state.timer = setInterval(() => {
      if (state.current) return;
      this.runNow(state.job.name).catch((error: unknown) => this.log(`schedule ${state.job.name} failed`, error));
    }, state.job.intervalMs);
    state.timer.unref();
  }
}

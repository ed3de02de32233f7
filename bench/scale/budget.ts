/**
 * The scale benchmark's time budget: each stage gets a share of the run's minutes and stops at
 * its deadline (or the run's) with what it reached; a stage that comes after the run's deadline is
 * not started. The summary says which stages finished and how far the others got.
 */

export type StageStatus = 'done' | 'cut' | 'failed' | 'not reached';

export interface StageOutcome {
  name: string;
  status: StageStatus;
  seconds: number;
  /** counts reached, or why it failed */
  detail: string;
}

/** What a stage hands back: its detail line, and whether its deadline stopped it. */
export interface StageResult {
  detail: string;
  cut?: boolean;
}

export class Budget {
  readonly outcomes: StageOutcome[] = [];
  readonly deadline: number;

  constructor(
    readonly minutes: number,
    private readonly log: (line: string) => void,
    readonly started = Date.now(),
  ) {
    this.deadline = started + minutes * 60_000;
  }

  /** Runs a stage with `share` of the whole budget (never past the run's deadline). */
  async stage(name: string, share: number, run: (until: number) => Promise<StageResult>): Promise<boolean> {
    const begun = Date.now();
    if (begun >= this.deadline) {
      this.outcomes.push({ name, status: 'not reached', seconds: 0, detail: 'the run was out of time' });
      return false;
    }
    const until = Math.min(this.deadline, begun + share * this.minutes * 60_000);
    this.log(`[${this.elapsed()}] ${name} (until +${((until - this.started) / 60_000).toFixed(1)} min) …`);
    try {
      const result = await run(until);
      const status: StageStatus = result.cut ? 'cut' : 'done';
      this.outcomes.push({ name, status, seconds: (Date.now() - begun) / 1000, detail: result.detail });
      this.log(`[${this.elapsed()}] ${name}: ${status}, ${result.detail}`);
      return status === 'done';
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.outcomes.push({ name, status: 'failed', seconds: (Date.now() - begun) / 1000, detail });
      this.log(`[${this.elapsed()}] ${name}: FAILED, ${detail}`);
      return false;
    }
  }

  elapsed(): string {
    const seconds = Math.round((Date.now() - this.started) / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }
}

/**
 * What a fault run proves, per platform: every delivery Herold created compared with every post
 * the simulator holds. Posts are matched to deliveries by the run's unique tag in the text.
 */
import type { Delivery } from '../../shared/model/schemas';
import type { PlatformId } from '../../shared/platforms/registry';
import type { SimPost } from '../../local/simulator/types';
import { FAULT_KINDS, PERMANENT_FAULT_MARKER, type FaultKind, type InjectedCounts } from './faults';

/** States the suite waits for: the terminal ones, and HANDOFF (a person takes it from there). */
export const SETTLED_STATES: readonly Delivery['state'][] = ['PUBLISHED', 'FAILED', 'SKIPPED', 'HANDOFF', 'CANCELLED'];

export interface PlatformRow {
  platform: PlatformId;
  /** deliveries Herold created for this platform */
  sent: number;
  published: number;
  skipped: number;
  /** HANDOFF because the platform has no publishing API (WhatsApp Channels) */
  handoff: number;
  /**
   * HANDOFF because an attempt may have reached the platform and no lookup could tell (Telegram's Bot
   * API cannot look at all; elsewhere five lookups in a row failed): a person checks
   */
  checkByHand: number;
  /** … of which the platform does hold the post */
  checkByHandPosted: number;
  /** FAILED by an injected permanent error */
  failedInjected: number;
  /** FAILED because Herold has no client for the platform */
  failedUnsupported: number;
  /** FAILED for any other reason: each one fails the run */
  failedUnexplained: number;
  /** reason → count, for every FAILED */
  failureReasons: Record<string, number>;
  /** posts beyond the first for the same delivery */
  duplicates: number;
  duplicateDetails: string[];
  /** not settled, PUBLISHED without a post, or a post without a PUBLISHED delivery */
  lost: number;
  lostDetails: string[];
  /** publish attempts (claims) summed over the deliveries */
  attempts: number;
  /** the longest a delivery took to settle after its last attempt that tried to publish (ms) */
  longestToSettleMs: number;
  /** the longest a delivery took from its creation to settling (ms): retries and queueing included */
  longestFromCreationMs: number;
  /** settled deliveries that took longer than SETTLE_BOUND_MS, with their ids */
  slowDetails: string[];
  /** settled deliveries without a reason: FAILED without lastError, HANDOFF without reason */
  unexplainedDetails: string[];
  injected: Record<FaultKind, number>;
}

export interface RunFigures {
  rows: PlatformRow[];
  totals: Omit<
    PlatformRow,
    | 'platform'
    | 'failureReasons'
    | 'lostDetails'
    | 'duplicateDetails'
    | 'injected'
    | 'slowDetails'
    | 'unexplainedDetails'
  > & {
    injected: Record<FaultKind, number>;
  };
}

const TAG_PATTERN = /\[(fs[a-z0-9]+-\d+)\]/;

/**
 * Every delivery settles within this of its last attempt that was not a wait for quota (the start of
 * the last attempt that tried to publish, `publishTriedAt`; its creation when none recorded one):
 * five lookups at the verify delay plus a lease, with room to spare (docs/DECISIONS.md).
 */
export const SETTLE_BOUND_MS = 5 * 60_000;

/** The tag a run puts into a message's text; unique per message. */
export const messageTag = (runId: string, index: number) => `fs${runId}-${index}`;

export function tallyRun(input: {
  deliveries: Delivery[];
  posts: SimPost[];
  /** message id → the tag in its text */
  tags: Map<string, string>;
  injected: InjectedCounts;
}): RunFigures {
  const platforms = [...new Set(input.deliveries.map((delivery) => delivery.platform))].sort();
  const postsByKey = new Map<string, SimPost[]>();
  const strays = new Map<PlatformId, SimPost[]>();
  const known = new Set(
    input.deliveries.map((delivery) => `${delivery.platform} ${input.tags.get(delivery.messageId)}`),
  );
  for (const post of input.posts) {
    const key = `${post.platform} ${TAG_PATTERN.exec(post.text)?.[1]}`;
    if (!known.has(key)) {
      strays.set(post.platform, [...(strays.get(post.platform) ?? []), post]);
      continue;
    }
    postsByKey.set(key, [...(postsByKey.get(key) ?? []), post]);
  }

  const rows = platforms.map((platform): PlatformRow => {
    const row: PlatformRow = {
      platform,
      sent: 0,
      published: 0,
      skipped: 0,
      handoff: 0,
      checkByHand: 0,
      checkByHandPosted: 0,
      failedInjected: 0,
      failedUnsupported: 0,
      failedUnexplained: 0,
      failureReasons: {},
      duplicates: 0,
      duplicateDetails: [],
      lost: 0,
      lostDetails: [],
      attempts: 0,
      longestToSettleMs: 0,
      longestFromCreationMs: 0,
      slowDetails: [],
      unexplainedDetails: [],
      injected: input.injected[platform] ?? emptyInjected(),
    };
    const lose = (detail: string) => {
      row.lost += 1;
      row.lostDetails.push(detail);
    };
    for (const delivery of input.deliveries.filter((candidate) => candidate.platform === platform)) {
      row.sent += 1;
      row.attempts += delivery.attempts;
      const where = `${delivery.messageId}/${delivery.channelId}`;
      if (SETTLED_STATES.includes(delivery.state)) {
        const settledAt = Date.parse(delivery.updatedAt);
        const toSettle = settledAt - (delivery.publishTriedAt ?? Date.parse(delivery.createdAt));
        row.longestToSettleMs = Math.max(row.longestToSettleMs, toSettle);
        row.longestFromCreationMs = Math.max(row.longestFromCreationMs, settledAt - Date.parse(delivery.createdAt));
        if (toSettle > SETTLE_BOUND_MS)
          row.slowDetails.push(
            `${where} (${delivery.state}) settled ${Math.round(toSettle / 1000)} s after its last attempt to publish`,
          );
        if ((delivery.state === 'FAILED' && !delivery.lastError) || (delivery.state === 'HANDOFF' && !delivery.reason))
          row.unexplainedDetails.push(`${where} is ${delivery.state} without a reason`);
      }
      const posts = postsByKey.get(`${platform} ${input.tags.get(delivery.messageId)}`) ?? [];
      row.duplicates += Math.max(0, posts.length - 1);
      if (posts.length > 1) {
        row.duplicateDetails.push(
          `${where} (${delivery.state}, ${delivery.attempts} attempts) posted ${posts.length}×: ${posts.map((post) => `${post.id} at ${post.receivedAt}`).join(', ')}`,
        );
      }
      switch (delivery.state) {
        case 'PUBLISHED':
          row.published += 1;
          if (posts.length === 0)
            lose(`${where} is PUBLISHED (remote id ${delivery.remoteId ?? 'none'}) but the platform has no such post`);
          break;
        case 'FAILED': {
          const reason = failureReason(delivery);
          row.failureReasons[reason] = (row.failureReasons[reason] ?? 0) + 1;
          if (delivery.lastError?.class === 'unsupported') row.failedUnsupported += 1;
          else if (reason === INJECTED_REASON) row.failedInjected += 1;
          else row.failedUnexplained += 1;
          if (posts.length > 0)
            lose(`${where} is FAILED (${reason}) but the platform has ${posts.length} post(s) of it`);
          break;
        }
        case 'SKIPPED':
          row.skipped += 1;
          if (posts.length > 0) lose(`${where} is SKIPPED but the platform has ${posts.length} post(s) of it`);
          break;
        case 'HANDOFF':
          // A hand-off with an error: an attempt may have reached the platform and no lookup could
          // tell (NO_LOOKUP on Telegram, lookups in doubt elsewhere). The one case where a post may or
          // may not exist: a person looks.
          if (delivery.lastError) {
            row.checkByHand += 1;
            if (posts.length > 0) row.checkByHandPosted += 1;
          } else {
            row.handoff += 1;
            if (posts.length > 0) lose(`${where} is a HANDOFF but the platform has ${posts.length} post(s) of it`);
          }
          break;
        default:
          lose(
            `${where} never settled: ${delivery.state}${delivery.lastError ? ` (${delivery.lastError.class}: ${delivery.lastError.detail})` : ''}`,
          );
          if (posts.length > 0) row.lostDetails.push(`  … and the platform has ${posts.length} post(s) of it`);
      }
    }
    for (const post of strays.get(platform) ?? [])
      lose(`the platform holds post ${post.id} that no delivery of this run accounts for: "${post.text.slice(0, 60)}"`);
    return row;
  });

  const sum = (pick: (row: PlatformRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    rows,
    totals: {
      sent: sum((row) => row.sent),
      published: sum((row) => row.published),
      skipped: sum((row) => row.skipped),
      handoff: sum((row) => row.handoff),
      checkByHand: sum((row) => row.checkByHand),
      checkByHandPosted: sum((row) => row.checkByHandPosted),
      failedInjected: sum((row) => row.failedInjected),
      failedUnsupported: sum((row) => row.failedUnsupported),
      failedUnexplained: sum((row) => row.failedUnexplained),
      duplicates: sum((row) => row.duplicates),
      lost: sum((row) => row.lost),
      attempts: sum((row) => row.attempts),
      longestToSettleMs: Math.max(0, ...rows.map((row) => row.longestToSettleMs)),
      longestFromCreationMs: Math.max(0, ...rows.map((row) => row.longestFromCreationMs)),
      injected: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, sum((row) => row.injected[kind])])) as Record<
        FaultKind,
        number
      >,
    },
  };
}

const INJECTED_REASON = 'injected permanent error';

function failureReason(delivery: Delivery): string {
  const error = delivery.lastError;
  if (!error) return delivery.reason ?? 'no reason recorded';
  if (error.class === 'unsupported') return `unsupported: ${error.detail.slice(0, 120)}`;
  if (error.class === 'permanent' && error.detail.includes(PERMANENT_FAULT_MARKER)) return INJECTED_REASON;
  return `${error.class}${error.code ? ` ${error.code}` : ''}: ${error.detail.slice(0, 120)}`;
}

const emptyInjected = () => Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;

/** Problems that fail the run; empty means it passed. */
export function verdict(
  figures: RunFigures,
  run: { kills: number; minKills: number; rejectedMessages: number },
): string[] {
  const problems: string[] = [];
  for (const row of figures.rows) {
    if (row.duplicates > 0)
      problems.push(
        `${row.platform}: ${row.duplicates} duplicate post(s): ${row.duplicateDetails.slice(0, 5).join('; ')}`,
      );
    if (row.lost > 0) problems.push(`${row.platform}: ${row.lost} lost: ${row.lostDetails.slice(0, 5).join('; ')}`);
    if (row.failedUnexplained > 0) {
      const reasons = Object.entries(row.failureReasons).filter(
        ([reason]) => reason !== INJECTED_REASON && !reason.startsWith('unsupported'),
      );
      problems.push(
        `${row.platform}: ${row.failedUnexplained} FAILED without an injected permanent error: ${reasons.map(([reason, count]) => `${count}× ${reason}`).join('; ')}`,
      );
    }
    if (row.slowDetails.length > 0)
      problems.push(
        `${row.platform}: ${row.slowDetails.length} deliveries took longer than ${SETTLE_BOUND_MS / 60_000} min to settle: ${row.slowDetails.slice(0, 5).join('; ')}`,
      );
    if (row.unexplainedDetails.length > 0)
      problems.push(`${row.platform}: ${row.unexplainedDetails.slice(0, 5).join('; ')}`);
    if (row.failedInjected > row.injected.permanent) {
      problems.push(
        `${row.platform}: ${row.failedInjected} FAILED by the injected permanent error, which struck only ${row.injected.permanent} time(s)`,
      );
    }
  }
  if (run.kills < run.minKills)
    problems.push(`the publisher was killed ${run.kills} time(s), fewer than the ${run.minKills} asked for`);
  if (run.rejectedMessages > 0) problems.push(`${run.rejectedMessages} message(s) were not accepted by the API`);
  return problems;
}

/** One column per fault; an odd answer's column shows how often it struck writes / reads. */
const FAULT_COLUMNS: [label: string, (injected: Record<FaultKind, number>) => string | number][] = [
  ['500', (injected) => injected['server-error']],
  ['429', (injected) => injected['rate-limited']],
  ['dropped', (injected) => injected['dropped-after-record']],
  ['slow', (injected) => injected['slow-after-record']],
  ['4xx', (injected) => injected.permanent],
  ...(
    [
      ['html', 'html-page'],
      ['wrong shape', 'wrong-shape'],
      ['cut short', 'truncated-json'],
      ['empty 204', 'empty-204'],
    ] as const
  ).map(([label, kind]): [string, (injected: Record<FaultKind, number>) => string] => [
    `${label} (w / r)`,
    (injected) => `${injected[kind]} / ${injected[`read-${kind}`]}`,
  ]),
];

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The per-platform table as Markdown (it reads as well in a terminal). */
export function markdownTable(figures: RunFigures): string {
  const header = [
    'platform',
    'sent',
    'published',
    'failed: injected',
    'failed: unsupported',
    'failed: other',
    'skipped',
    'hand-off',
    'check by hand (posted)',
    'duplicates',
    'lost',
    'attempts',
    'longest to settle after last try',
    ...FAULT_COLUMNS.map(([label]) => `faults ${label}`),
  ];
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const cells = (name: string, row: RunFigures['totals']) => [
    name,
    row.sent,
    row.published,
    row.failedInjected,
    row.failedUnsupported,
    row.failedUnexplained,
    row.skipped,
    row.handoff,
    `${row.checkByHand} (${row.checkByHandPosted})`,
    row.duplicates,
    row.lost,
    row.attempts,
    seconds(row.longestToSettleMs),
    ...FAULT_COLUMNS.map(([, value]) => value(row.injected)),
  ];
  return [
    line(header),
    line(header.map((_, index) => (index === 0 ? '---' : '---:'))),
    ...figures.rows.map((row) => line(cells(row.platform, row))),
    line(cells('**all**', figures.totals)),
  ].join('\n');
}

/** Every distinct failure reason, per platform. */
export function failureReasonLines(figures: RunFigures): string[] {
  return figures.rows.flatMap((row) =>
    Object.entries(row.failureReasons).map(([reason, count]) => `- ${row.platform}: ${count}× ${reason}`),
  );
}

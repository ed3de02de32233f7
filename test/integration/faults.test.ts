/**
 * The fault-injection suite at CI size: the local stack, faults on every platform, every job sent
 * twice, the publisher worker SIGKILLed and restarted; nothing may be lost or posted twice. And
 * the reckoning itself, shown to catch a duplicate, a loss and an unexplained failure.
 */
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../shared/model/schemas';
import type { SimPost } from '../../local/simulator/types';
import { NO_LOOKUP_CODE } from '../../shared/platforms/client';
import {
  DEFAULT_FAULT_MIX,
  faultPlan,
  FAULT_KINDS,
  injectedCounts,
  PERMANENT_FAULT_MARKER,
} from '../../bench/faults/faults';
import { markdownTable, messageTag, tallyRun, verdict } from '../../bench/faults/report';
import { runFaultSuite } from '../../bench/faults/suite';
import { ODD_ANSWERS } from '../../local/simulator/types';
import { SETTLE_BOUND_MS } from '../../bench/faults/report';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

describe('the fault-injection run at CI size', () => {
  it('loses nothing and posts nothing twice while faults strike, jobs arrive twice and the publisher is killed', async () => {
    const name = uniqueName('faults');
    const result = await runFaultSuite({
      messages: 60,
      minKills: 3,
      killGapMs: [1_500, 4_000],
      // generous: in CI the other integration files run beside it on the same two cores
      deadlineMs: 480_000,
      services: { ...localAwsEndpoints(), tableName: name, queuePrefix: name },
    });
    const table = markdownTable(result.figures);
    expect(result.problems, `${table}\nlogs: ${result.logFile}`).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.duplicatedJobs).toBeGreaterThan(0);
    const { totals } = result.figures;
    expect(totals.sent).toBeGreaterThan(60);
    expect(totals.duplicates).toBe(0);
    expect(totals.lost).toBe(0);
    // the faults did strike, and publishing went on through them
    expect(totals.injected['server-error']).toBeGreaterThan(0);
    expect(totals.injected['rate-limited']).toBeGreaterThan(0);
    expect(totals.published).toBeGreaterThan(0);
    // odd answers struck creates and lookups alike, and every delivery still settled in time
    const odd = [...ODD_ANSWERS, ...ODD_ANSWERS.map((kind) => `read-${kind}` as const)];
    expect(odd.reduce((sum, kind) => sum + totals.injected[kind], 0)).toBeGreaterThan(0);
    expect(totals.longestToSettleMs).toBeLessThanOrEqual(SETTLE_BOUND_MS);
    expect(
      totals.published +
        totals.failedInjected +
        totals.failedUnsupported +
        totals.skipped +
        totals.handoff +
        totals.checkByHand,
    ).toBe(totals.sent);
  }, 600_000);
});

describe('the reckoning', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const delivery = (messageId: string, state: Delivery['state'], extra: Partial<Delivery> = {}): Delivery => ({
    messageId,
    channelId: 'city-threads',
    org: 'city',
    platform: 'threads',
    priority: 'normal',
    state,
    renderedText: 'text',
    attempts: 1,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...extra,
  });
  const post = (tag: string, id: string): SimPost => ({
    platform: 'threads',
    id,
    account: '1',
    text: `[${tag}] Meldung`,
    media: [],
    receivedAt: now,
  });
  const tags = new Map([
    ['m1', messageTag('abc', 1)],
    ['m2', messageTag('abc', 2)],
    ['m3', messageTag('abc', 3)],
  ]);
  const injected = injectedCounts([], ['threads']);

  it('passes a clean run', () => {
    const figures = tallyRun({
      deliveries: [
        delivery('m1', 'PUBLISHED'),
        delivery('m2', 'HANDOFF', { reason: 'post the rendered text by hand' }),
      ],
      posts: [post(tags.get('m1')!, 'p1')],
      tags,
      injected,
    });
    expect(verdict(figures, { kills: 1, minKills: 1, rejectedMessages: 0 })).toEqual([]);
  });

  it('counts a second post of one delivery as a duplicate', () => {
    const figures = tallyRun({
      deliveries: [delivery('m1', 'PUBLISHED')],
      posts: [post(tags.get('m1')!, 'p1'), post(tags.get('m1')!, 'p2')],
      tags,
      injected,
    });
    expect(figures.totals.duplicates).toBe(1);
    expect(verdict(figures, { kills: 1, minKills: 1, rejectedMessages: 0 }).join()).toMatch(/duplicate/);
  });

  it('counts as lost: unsettled, published without a post, a post without a published delivery, a post nobody accounts for', () => {
    const figures = tallyRun({
      deliveries: [
        delivery('m1', 'VERIFY'),
        delivery('m2', 'PUBLISHED'),
        delivery('m3', 'FAILED', { lastError: { class: 'permanent', detail: PERMANENT_FAULT_MARKER } }),
      ],
      posts: [post(tags.get('m3')!, 'p3'), post('fsother-9', 'p9')],
      tags,
      injected: { ...injected, threads: { ...injected.threads, permanent: 1 } },
    });
    expect(figures.totals.lost).toBe(4);
  });

  it('leaves a delivery a person must check to that person, with or without a post, but never with two', () => {
    const unverifiable = (messageId: string) =>
      delivery(messageId, 'HANDOFF', {
        platform: 'telegram',
        lastError: { class: 'ambiguous', code: NO_LOOKUP_CODE, detail: 'cannot look up' },
      });
    const telegramPost = (tag: string, id: string): SimPost => ({ ...post(tag, id), platform: 'telegram' });
    const figures = tallyRun({
      deliveries: [
        unverifiable('m1'),
        unverifiable('m2'),
        unverifiable('m3'),
        delivery('m1', 'HANDOFF', { platform: 'whatsapp' }),
      ],
      posts: [
        telegramPost(tags.get('m2')!, 'p2'),
        telegramPost(tags.get('m3')!, 'p3'),
        telegramPost(tags.get('m3')!, 'p4'),
        { ...post(tags.get('m1')!, 'w1'), platform: 'whatsapp' },
      ],
      tags,
      injected: injectedCounts([], ['telegram', 'whatsapp']),
    });
    const telegram = figures.rows.find((row) => row.platform === 'telegram');
    expect(telegram).toMatchObject({ checkByHand: 3, checkByHandPosted: 2, duplicates: 1, lost: 0 });
    // a hand-off for a platform without an API must not have been posted by Herold
    expect(figures.rows.find((row) => row.platform === 'whatsapp')).toMatchObject({ handoff: 1, lost: 1 });
  });

  it('accepts failures from injected permanent errors and missing clients, and no other', () => {
    const failed = (messageId: string, lastError: Delivery['lastError']) =>
      delivery(messageId, 'FAILED', { lastError });
    const figures = tallyRun({
      deliveries: [
        failed('m1', { class: 'permanent', code: '100', detail: `Invalid parameter (${PERMANENT_FAULT_MARKER}: …)` }),
        failed('m2', { class: 'unsupported', detail: 'publishing to threads is not supported yet' }),
        failed('m3', { class: 'retryable', detail: 'gave up after 10 attempts: HTTP 500' }),
      ],
      posts: [],
      tags,
      injected: { ...injected, threads: { ...injected.threads, permanent: 1 } },
    });
    expect(figures.rows[0]).toMatchObject({ failedInjected: 1, failedUnsupported: 1, failedUnexplained: 1 });
    expect(verdict(figures, { kills: 1, minKills: 1, rejectedMessages: 0 }).join()).toMatch(
      /without an injected permanent error: 1× retryable/,
    );
  });

  it('leaves a delivery whose lookups stayed in doubt to a person, and fails one settled without a reason or too late', () => {
    const inDoubt = delivery('m1', 'HANDOFF', {
      lastError: { class: 'retryable', code: 'UNEXPECTED_ANSWER', detail: 'Threads list recent threads: …' },
      reason: '5 lookups in a row could not tell whether Threads has the post: check the channel …',
    });
    // created long before, but its last attempt to publish began in time: the queue is no limbo
    const late = delivery('m2', 'PUBLISHED', {
      updatedAt: new Date(Date.parse(now) + SETTLE_BOUND_MS + 1000).toISOString(),
      publishTriedAt: Date.parse(now) + 60_000,
    });
    const silent = delivery('m3', 'HANDOFF', { lastError: { class: 'ambiguous', detail: 'x' } });
    const figures = tallyRun({
      deliveries: [inDoubt, late, silent],
      posts: [post(tags.get('m1')!, 'p1'), post(tags.get('m2')!, 'p2')],
      tags,
      injected,
    });
    expect(figures.rows[0]).toMatchObject({ checkByHand: 2, checkByHandPosted: 1, lost: 0 });
    expect(figures.totals.longestFromCreationMs).toBe(SETTLE_BOUND_MS + 1000);
    expect(figures.totals.longestToSettleMs).toBe(SETTLE_BOUND_MS - 59_000);
    expect(verdict(figures, { kills: 1, minKills: 1, rejectedMessages: 0 }).join('\n')).not.toMatch(/longer than/);
    // settled more than five minutes after its last attempt to publish: the run fails
    const stuck = tallyRun({
      deliveries: [{ ...late, publishTriedAt: Date.parse(now) }],
      posts: [post(tags.get('m2')!, 'p2')],
      tags,
      injected,
    });
    expect(verdict(stuck, { kills: 1, minKills: 1, rejectedMessages: 0 }).join('\n')).toMatch(
      /1 deliveries took longer than 5 min to settle: m2\/city-threads \(PUBLISHED\) settled 301 s after its last attempt to publish/,
    );
    const problems = verdict(figures, { kills: 1, minKills: 1, rejectedMessages: 0 }).join('\n');
    expect(problems).toMatch(/m3\/city-threads is HANDOFF without a reason/);
  });

  it('fails a run with too few kills', () => {
    const figures = tallyRun({ deliveries: [], posts: [], tags, injected });
    expect(verdict(figures, { kills: 2, minKills: 20, rejectedMessages: 0 })).toEqual([
      expect.stringMatching(/killed 2 time/),
    ]);
  });
});

describe('the fault plan', () => {
  it('gives every platform every fault, with rates that make the mix exact when checked in order', () => {
    const plan = faultPlan(DEFAULT_FAULT_MIX, { requestTimeoutMs: 800, retryAfterSeconds: 1 }, ['threads', 'mastodon']);
    expect(plan).toHaveLength(2 * FAULT_KINDS.length);
    const threads = plan.filter((fault) => fault.platform === 'threads');
    // writes and reads are separate chains: a read only meets the read faults
    const effective = (chain: typeof threads) => {
      let missed = 1;
      return chain.map((fault) => {
        const share = missed * (fault.rate ?? 1);
        missed -= share;
        return Number(share.toFixed(6));
      });
    };
    const odd = DEFAULT_FAULT_MIX.oddAnswerOnWrites;
    expect(effective(threads.filter((fault) => fault.writesOnly))).toEqual([
      0.1,
      0.05,
      0.02,
      0.02,
      0.01,
      odd,
      odd,
      odd,
      odd,
    ]);
    expect(threads.filter((fault) => fault.readsOnly).map((fault) => fault.oddAnswer)).toEqual([...ODD_ANSWERS]);
    expect(effective(threads.filter((fault) => fault.readsOnly))).toEqual(
      Array(4).fill(DEFAULT_FAULT_MIX.oddAnswerOnReads),
    );
    expect(threads.find((fault) => fault.delayMs)?.delayMs).toBeGreaterThan(800);
    expect(
      JSON.stringify(plan.filter((fault) => fault.status !== undefined && fault.status < 500 && fault.status !== 429)),
    ).toContain(PERMANENT_FAULT_MARKER);
  });

  it('reads how often each fault struck from what the simulator has left', () => {
    const plan = faultPlan(DEFAULT_FAULT_MIX, { requestTimeoutMs: 800, retryAfterSeconds: 1 }, ['threads']);
    const active = plan.map((fault, index) => ({ ...fault, remaining: (fault.count ?? 0) - index }));
    expect(injectedCounts(active, ['threads']).threads).toEqual({
      'server-error': 0,
      'rate-limited': 1,
      'dropped-after-record': 2,
      'slow-after-record': 3,
      permanent: 4,
      'html-page': 5,
      'wrong-shape': 6,
      'truncated-json': 7,
      'empty-204': 8,
      'read-html-page': 9,
      'read-wrong-shape': 10,
      'read-truncated-json': 11,
      'read-empty-204': 12,
    });
  });
});

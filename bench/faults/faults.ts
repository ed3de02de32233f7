/**
 * The faults the suite makes the simulator inject, per platform, and how to tell afterwards how
 * often each one struck. Every fault is installed once per platform with a large finite `count`,
 * so GET /_sim/faults (which shows what is `remaining`) says how many requests each one hit.
 */
import { platformList, type PlatformId } from '../../shared/platforms/registry';
import { graphError } from '../../local/simulator/platforms/meta-graph';
import { ODD_ANSWERS, type SimFault, type SimResponse } from '../../local/simulator/types';

/** Carried in the message of every injected permanent error, so a FAILED delivery can be traced to it. */
export const PERMANENT_FAULT_MARKER = 'rejected by the Herold fault suite';

/** Odd answers (see OddAnswer) to reads: lookups, status polls, permalinks. */
export const READ_ODD_ANSWERS = ODD_ANSWERS.map((kind) => `read-${kind}` as const);

export const FAULT_KINDS = [
  'server-error',
  'rate-limited',
  'dropped-after-record',
  'slow-after-record',
  'permanent',
  ...ODD_ANSWERS,
  ...READ_ODD_ANSWERS,
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMix {
  /** share of publishing requests answered 500 */
  serverError: number;
  /** share answered 429 with Retry-After */
  rateLimited: number;
  /** share the platform records and then drops the connection without answering */
  droppedAfterRecord: number;
  /** share answered only after the client's timeout, the post recorded all the same */
  slowAfterRecord: number;
  /** share refused with the platform's own 4xx error (the message is wrong, not the moment) */
  permanent: number;
  /** share of publishing requests given each kind of odd answer (html-page, wrong-shape, truncated-json, empty-204) */
  oddAnswerOnWrites: number;
  /** share of reads (GET) given each kind of odd answer */
  oddAnswerOnReads: number;
}

export const DEFAULT_FAULT_MIX: FaultMix = {
  serverError: 0.1,
  rateLimited: 0.05,
  droppedAfterRecord: 0.02,
  slowAfterRecord: 0.02,
  permanent: 0.01,
  oddAnswerOnWrites: 0.005,
  oddAnswerOnReads: 0.005,
};

/**
 * Calls a permanent error never strikes: a Bluesky login is shared by every delivery of the channel
 * that waits for it, so one refused login fails them all, while the reckoning counts one failure per
 * injected error. (A login refused as "the post is not allowed" is no answer a platform gives anyway.)
 */
const LOGIN_PATHS: Partial<Record<PlatformId, string[]>> = {
  bluesky: ['/xrpc/com.atproto.server.createSession', '/xrpc/com.atproto.server.refreshSession'],
};

/** Large enough never to run out, finite so the simulator can report what is left. */
const FAULT_BUDGET = 1_000_000_000;

export interface FaultTiming {
  /** the publishers' request timeout; slow answers come this long plus a margin after the request */
  requestTimeoutMs: number;
  /** Retry-After of the injected 429s, in seconds */
  retryAfterSeconds: number;
}

/** How a platform says "this request is wrong" in its own error format, with the marker as the message. */
function permanentError(platform: PlatformId): SimResponse {
  const message = `${PERMANENT_FAULT_MARKER}: the post is not allowed`;
  switch (platform) {
    case 'threads':
    case 'facebook':
    case 'instagram':
    case 'whatsapp':
      return graphError(400, 100, `Invalid parameter (${message})`);
    case 'mastodon':
      return { status: 422, body: { error: `Validation failed: ${message}` } };
    case 'bluesky':
      return { status: 400, body: { error: 'InvalidRequest', message } };
    case 'telegram':
      return { status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${message}` } };
    case 'x':
      return {
        status: 400,
        body: {
          title: 'Invalid Request',
          detail: message,
          type: 'https://api.twitter.com/2/problems/invalid-request',
          errors: [{ message }],
        },
      };
    case 'linkedin':
      return { status: 422, body: { message, status: 422, serviceErrorCode: 100 } };
    case 'pinterest':
      return { status: 400, body: { code: 1, message } };
    case 'youtube':
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message,
            errors: [{ message, domain: 'youtube.video', reason: 'invalidDescription' }],
            status: 'INVALID_ARGUMENT',
          },
        },
      };
  }
}

/**
 * The simulator checks faults in order and applies the first whose own roll hits, so each rate
 * is conditioned on the earlier ones having missed: the shares in the mix are then exact.
 */
export function faultPlan(
  mix: FaultMix,
  timing: FaultTiming,
  platforms: PlatformId[] = platformList().map(({ id }) => id),
): SimFault[] {
  const writes: [FaultKind, number, (platform: PlatformId) => SimFault][] = [
    ['server-error', mix.serverError, () => ({ status: 500 })],
    ['rate-limited', mix.rateLimited, () => ({ status: 429, retryAfter: timing.retryAfterSeconds })],
    ['dropped-after-record', mix.droppedAfterRecord, () => ({ dropAfterRecord: true })],
    // no status: the simulator waits, then handles (and records) the request the client gave up on
    ['slow-after-record', mix.slowAfterRecord, () => ({ delayMs: timing.requestTimeoutMs + 700 })],
    [
      'permanent',
      mix.permanent,
      (platform) => {
        const response = permanentError(platform);
        return { status: response.status, body: response.body, exceptPaths: LOGIN_PATHS[platform] };
      },
    ],
    ...ODD_ANSWERS.map((kind): [FaultKind, number, () => SimFault] => [
      kind,
      mix.oddAnswerOnWrites,
      () => ({ oddAnswer: kind }),
    ]),
  ];
  const reads = ODD_ANSWERS.map((kind): [FaultKind, number, () => SimFault] => [
    `read-${kind}`,
    mix.oddAnswerOnReads,
    () => ({ oddAnswer: kind, readsOnly: true }),
  ]);
  // Reads and writes are two separate chains: a read only ever meets the read faults.
  const chain = (platform: PlatformId, faults: typeof writes, scope: Pick<SimFault, 'writesOnly' | 'readsOnly'>) => {
    let missed = 1;
    return faults.map(([, share, make]) => {
      const rate = missed > 0 ? Math.min(1, share / missed) : 0;
      missed -= share;
      return { ...make(platform), platform, rate, count: FAULT_BUDGET, ...scope };
    });
  };
  return platforms.flatMap((platform) => [
    ...chain(platform, writes, { writesOnly: true }),
    ...chain(platform, reads, { readsOnly: true }),
  ]);
}

export type InjectedCounts = Record<PlatformId, Record<FaultKind, number>>;

/** How often each fault struck, from the simulator's list of active faults (installed by `faultPlan`). */
export function injectedCounts(active: (SimFault & { remaining: number })[], platforms: PlatformId[]): InjectedCounts {
  const counts = Object.fromEntries(
    platforms.map((platform) => [platform, Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0]))]),
  ) as InjectedCounts;
  for (const fault of active) {
    if (!fault.platform || !counts[fault.platform]) continue;
    counts[fault.platform][kindOf(fault)] += (fault.count ?? FAULT_BUDGET) - fault.remaining;
  }
  return counts;
}

function kindOf(fault: SimFault): FaultKind {
  if (fault.oddAnswer) return fault.readsOnly ? (`read-${fault.oddAnswer}` as const) : fault.oddAnswer;
  if (fault.dropAfterRecord) return 'dropped-after-record';
  if (fault.status === 500) return 'server-error';
  if (fault.status === 429) return 'rate-limited';
  if (fault.status === undefined) return 'slow-after-record';
  return 'permanent';
}

/**
 * The simulator's in-memory state: accepted posts, per-module scratch space, publishing quotas
 * from the platform registry, and follower counts that grow slowly and deterministically so the
 * follower report has a trend to show.
 */
import { randomBytes } from 'node:crypto';
import { PLATFORMS, type PlatformId } from '../../shared/platforms/registry';
import type { SimPost, SimState } from './types';

/** The credentials the simulator accepts; the local seed channels use exactly these. */
export const SIM_TOKENS: Record<PlatformId, string> = {
  threads: 'sim-threads-token',
  whatsapp: 'sim-whatsapp-token',
  facebook: 'sim-facebook-token',
  instagram: 'sim-instagram-token',
  youtube: 'sim-youtube-token',
  linkedin: 'sim-linkedin-token',
  pinterest: 'sim-pinterest-token',
  x: 'sim-x-token',
  mastodon: 'sim-mastodon-token',
  bluesky: 'sim-bluesky-token',
  telegram: '123456789:sim-telegram-token',
};
export const SIM_BLUESKY_APP_PASSWORD = 'sim-bluesky-app-password';
/** The simulated Mastodon instance's own text limit (GET /api/v2/instance): above the registry's 500, as on many instances. */
export const SIM_MASTODON_MAX_CHARACTERS = 1000;
/** Every simulated Bluesky account's main password: its sessions carry the scope com.atproto.access. */
export const SIM_BLUESKY_MAIN_PASSWORD = 'sim-bluesky-main-password';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Follower growth is measured from here, so a restarted simulator reports the same figures. */
const GROWTH_EPOCH_MS = Date.UTC(2024, 0, 1);

export interface SimStateOptions {
  seed?: number;
  baseUrl?: string;
  now?: () => number;
  /** false: every publishing call is within quota (benchmarks that measure Herold, not the platforms' limits) */
  enforceQuotas?: boolean;
  /** multiplies every platform's publishing limit, so long runs (benchmarks, fault suites) never hit it (default 1) */
  quotaScale?: number;
}

/** 32-bit FNV-1a: a stable hash so every account gets its own, repeatable figures. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** mulberry32: a small seeded generator for fault rates, so a run can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MemorySimState implements SimState {
  baseUrl: string;
  readonly seed: number;
  private readonly now: () => number;
  private accepted: SimPost[] = [];
  private scratchSpace = new Map<string, unknown>();
  private quotaUse = new Map<string, number[]>();
  private idCounter = 0;
  /** credentials issued by simulated sign-ins, per platform (kept by reset(): connected channels stay connected) */
  private issued = new Map<PlatformId, Set<string>>();
  private readonly enforceQuotas: boolean;
  private readonly quotaScale: number;

  constructor(options: SimStateOptions = {}) {
    this.seed = options.seed ?? 1;
    this.baseUrl = options.baseUrl ?? '';
    this.now = options.now ?? Date.now;
    this.enforceQuotas = options.enforceQuotas ?? true;
    this.quotaScale = options.quotaScale ?? 1;
  }

  record(post: Omit<SimPost, 'receivedAt'>): SimPost {
    const stored: SimPost = {
      ...post,
      media: post.media.map((item) => ({ ...item })),
      receivedAt: new Date(this.now()).toISOString(),
    };
    this.accepted.push(stored);
    return stored;
  }

  posts(platform?: PlatformId): SimPost[] {
    return platform ? this.accepted.filter((post) => post.platform === platform) : [...this.accepted];
  }

  findPost(platform: PlatformId, id: string): SimPost | undefined {
    return this.accepted.find((post) => post.platform === platform && post.id === id);
  }

  nextId(): string {
    this.idCounter += 1;
    // Numeric and long like Meta's and Telegram's ids, unique within a run.
    return String(17_841_400_000_000_000n + BigInt(this.seed) * 1_000_000n + BigInt(this.idCounter));
  }

  followers(platform: PlatformId, account: string): number {
    const accountHash = hash(`${this.seed}:${platform}:${account}`);
    const base = 500 + (accountHash % 40_000);
    const perDay = 2 + ((accountHash >>> 8) % 30);
    const days = Math.max(0, (this.now() - GROWTH_EPOCH_MS) / DAY_MS);
    const wholeDays = Math.floor(days);
    // A small day-to-day wobble (never a drop below the trend's previous day) keeps the chart honest-looking.
    const wobble = hash(`${accountHash}:${wholeDays}`) % Math.max(1, Math.floor(perDay / 2));
    return base + Math.floor(perDay * days) + wobble;
  }

  token(platform: PlatformId): string {
    return SIM_TOKENS[platform];
  }

  issueToken(platforms: PlatformId | PlatformId[], prefix: string): string {
    const token = `${prefix}-${randomBytes(16).toString('base64url')}`;
    for (const platform of [platforms].flat()) {
      const tokens = this.issued.get(platform) ?? new Set<string>();
      tokens.add(token);
      this.issued.set(platform, tokens);
    }
    return token;
  }

  acceptsToken(platform: PlatformId, token: string | undefined): boolean {
    return token !== undefined && (token === SIM_TOKENS[platform] || (this.issued.get(platform)?.has(token) ?? false));
  }

  revokeToken(platform: PlatformId, token: string): void {
    this.issued.get(platform)?.delete(token);
  }

  scratch<T>(platform: PlatformId, name: string, init: () => T): T {
    const key = `${platform}:${name}`;
    if (!this.scratchSpace.has(key)) this.scratchSpace.set(key, init());
    return this.scratchSpace.get(key) as T;
  }

  takeQuota(platform: PlatformId, account: string): boolean {
    const rule = PLATFORMS[platform].quota;
    if (!rule || !this.enforceQuotas) return true;
    const used = this.activeQuotaUse(platform, account);
    if (used.length >= rule.limit * this.quotaScale) return false;
    used.push(this.now());
    return true;
  }

  quotaUsage(platform: PlatformId, account: string): { used: number; limit: number; windowSeconds: number } {
    const rule = PLATFORMS[platform].quota;
    if (!rule) return { used: 0, limit: Number.POSITIVE_INFINITY, windowSeconds: 0 };
    return {
      used: this.activeQuotaUse(platform, account).length,
      limit: rule.limit * this.quotaScale,
      windowSeconds: rule.windowSeconds,
    };
  }

  /** Forget posts, quotas and module state (DELETE /_sim/posts). */
  reset(): void {
    this.accepted = [];
    this.scratchSpace.clear();
    this.quotaUse.clear();
  }

  private activeQuotaUse(platform: PlatformId, account: string): number[] {
    const rule = PLATFORMS[platform].quota;
    const key = `${platform}:${account}`;
    const windowStart = this.now() - (rule?.windowSeconds ?? 0) * 1000;
    const used = (this.quotaUse.get(key) ?? []).filter((at) => at > windowStart);
    this.quotaUse.set(key, used);
    return used;
  }
}

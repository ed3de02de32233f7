import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { Channel } from '../../../shared/model/schemas';
import { PlatformError, type Credentials } from '../../../shared/platforms/client';
import type { PlatformId } from '../../../shared/platforms/registry';
import type { TokenCheckRecord } from '../../../shared/tokens/channel-record';
import {
  checkChannelToken,
  isTokenCheckable,
  platformRenewers,
  type ChannelTokenHealth,
  type TokenHealthDeps,
  type TokenRenewers,
} from '../../../shared/tokens/health';

const now = new Date('2026-11-25T04:00:00Z');
const daysFromNow = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

const channel = (id: string, platform: PlatformId, overrides: Partial<Channel> = {}): Channel => ({
  id,
  org: 'city',
  platform,
  handle: `@${id}`,
  state: 'active',
  account: '17841400000000101',
  credentialsRef: `local:${id}`,
  ...overrides,
});

interface Harness {
  channels: Channel[];
  deps: TokenHealthDeps;
  secrets: Map<string, Credentials>;
  records: Map<string, TokenCheckRecord>;
  metrics: PlatformId[];
  warnings: { message: string; attributes: Record<string, unknown> }[];
}

function harness(
  channels: Channel[],
  secrets: Record<string, Credentials>,
  renewers: Partial<TokenRenewers> = {},
): Harness {
  const store = new Map(Object.entries(secrets));
  const records = new Map<string, TokenCheckRecord>();
  const metrics: PlatformId[] = [];
  const warnings: Harness['warnings'] = [];
  const deps: TokenHealthDeps = {
    loadCredentials: async ({ credentialsRef }) => {
      const credentials = store.get(credentialsRef);
      if (!credentials) throw new Error(`no credentials for ${credentialsRef}`);
      return credentials;
    },
    saveCredentials: async (ref, credentials) => void store.set(ref, credentials),
    recordCheck: async (channelId, record) => void records.set(channelId, record),
    context: (target, credentials) => ({
      channel: target,
      credentials,
      baseUrl: sim.baseUrl(target.platform),
      saveCheckpoint: async () => undefined,
      timeoutMs: 2000,
    }),
    renewers: { ...platformRenewers, ...renewers },
    emitExpiringSoon: (platform) => void metrics.push(platform),
    warn: (message, attributes) => void warnings.push({ message, attributes }),
    now,
  };
  return { channels, deps, secrets: store, records, metrics, warnings };
}

/** What the platform functions do with a day's check-token jobs: one check per checkable channel. */
async function checkAll(h: Pick<Harness, 'channels' | 'deps'>): Promise<ChannelTokenHealth[]> {
  const results: ChannelTokenHealth[] = [];
  for (const target of h.channels.filter(isTokenCheckable)) results.push(await checkChannelToken(target, h.deps));
  return results;
}

describe('the daily token health check', () => {
  it('rotates an X token and stores the new refresh token, which the platform then accepts again', async () => {
    const h = harness([channel('city-x', 'x', { state: 'frozen' })], {
      'local:city-x': { accessToken: 'sim-x-token', refreshToken: 'sim-x-refresh-seed', clientId: 'herold-client' },
    });
    const [first] = await checkAll(h);
    const stored = h.secrets.get('local:city-x')!;
    expect(first).toMatchObject({
      channelId: 'city-x',
      outcome: 'refreshed',
      tokenExpiresAt: new Date(now.getTime() + 7200_000).toISOString(),
    });
    expect(stored.refreshToken).toMatch(/^sim-x-refresh-/);
    expect(stored.refreshToken).not.toBe('sim-x-refresh-seed');
    expect(stored.accessToken).not.toBe('sim-x-token');
    expect(stored).toMatchObject({
      clientId: 'herold-client',
      refreshedAt: now.toISOString(),
      expiresAt: first!.tokenExpiresAt,
    });
    expect(h.records.get('city-x')).toEqual({
      checkedAt: now,
      expiresAt: new Date(first!.tokenExpiresAt!),
      needsReauth: false,
      refreshedAt: now,
    });

    // the stored pair works: the new access token publishes' lookups, the new refresh token rotates again
    const me = await fetch(`${sim.baseUrl('x')}/2/users/me`, {
      headers: { authorization: `Bearer ${stored.accessToken}` },
    });
    expect(me.status).toBe(200);
    const [second] = await checkAll(h);
    expect(second!.outcome).toBe('refreshed');
    expect(h.secrets.get('local:city-x')!.refreshToken).not.toBe(stored.refreshToken);
  });

  it('flags needsReauth when X refuses a spent refresh token', async () => {
    const spent = { accessToken: 'sim-x-token', refreshToken: 'sim-x-refresh-once', clientId: 'herold-client' };
    await checkAll(harness([channel('city-x', 'x')], { 'local:city-x': { ...spent } }));
    const h = harness([channel('city-x', 'x')], { 'local:city-x': spent });
    const [result] = await checkAll(h);
    expect(result).toMatchObject({ outcome: 'needs-reauth' });
    expect(h.records.get('city-x')?.needsReauth).toBe(true);
    expect(h.secrets.get('local:city-x')).toEqual(spent);
    expect(h.metrics).toEqual(['x']);
  });

  it('refreshes a Threads token older than a day, writes it back with its new expiry, and leaves a younger one', async () => {
    const h = harness([channel('city-threads', 'threads'), channel('fire-threads', 'threads')], {
      'local:city-threads': { accessToken: 'sim-threads-token', issuedAt: daysFromNow(-3) },
      'local:fire-threads': {
        accessToken: 'sim-threads-token',
        issuedAt: daysFromNow(-0.5),
        expiresAt: daysFromNow(59.5),
      },
    });
    const results = await checkAll(h);
    expect(results.map((result) => result.outcome)).toEqual(['refreshed', 'valid']);
    expect(h.secrets.get('local:city-threads')).toEqual({
      accessToken: 'sim-threads-token',
      issuedAt: daysFromNow(-3),
      refreshedAt: now.toISOString(),
      expiresAt: daysFromNow(60),
    });
    expect(h.secrets.get('local:fire-threads')).toEqual({
      accessToken: 'sim-threads-token',
      issuedAt: daysFromNow(-0.5),
      expiresAt: daysFromNow(59.5),
    });
    expect(h.records.get('fire-threads')).toEqual({
      checkedAt: now,
      expiresAt: new Date(daysFromNow(59.5)),
      needsReauth: undefined,
    });
    expect(h.metrics).toEqual([]);
  });

  it('flags an expired Threads token without calling Threads', async () => {
    const calls: string[] = [];
    const h = harness(
      [channel('city-threads', 'threads')],
      { 'local:city-threads': { accessToken: 'old', expiresAt: daysFromNow(-1) } },
      {
        refreshLongLived: async () => {
          calls.push('refresh');
          throw new Error('must not be called');
        },
      },
    );
    const [result] = await checkAll(h);
    expect(result).toMatchObject({ outcome: 'needs-reauth', tokenExpiresAt: daysFromNow(-1) });
    expect(calls).toEqual([]);
    expect(h.records.get('city-threads')?.needsReauth).toBe(true);
  });

  it('treats a refused refresh like an auth error', async () => {
    const h = harness([channel('city-threads', 'threads')], {
      'local:city-threads': { accessToken: 'revoked', issuedAt: daysFromNow(-10) },
    });
    const [result] = await checkAll(h);
    expect(result!.outcome).toBe('needs-reauth');
    expect(h.records.get('city-threads')?.needsReauth).toBe(true);
  });

  it('reports a token that cannot be refreshed and expires within 7 days, naming the channel but never the token', async () => {
    const h = harness(
      [channel('city-linkedin', 'linkedin'), channel('city-mastodon', 'mastodon'), channel('city-youtube', 'youtube')],
      {
        'local:city-linkedin': { accessToken: 'secret-linkedin-token', expiresAt: daysFromNow(5) },
        'local:city-mastodon': { accessToken: 'secret-mastodon-token' },
        'local:city-youtube': { accessToken: 'secret-youtube-token', expiresAt: daysFromNow(30) },
      },
    );
    const results = await checkAll(h);
    expect(results.map((result) => result.outcome)).toEqual(['expiring-soon', 'valid', 'valid']);
    expect(h.metrics).toEqual(['linkedin']);
    expect(h.warnings).toEqual([
      {
        message: expect.stringContaining('expires within 7 days'),
        attributes: { channelId: 'city-linkedin', org: 'city', platform: 'linkedin', tokenExpiresAt: daysFromNow(5) },
      },
    ]);
    expect(JSON.stringify(h.warnings)).not.toContain('secret-');
    // no platform confirmed anything: the flag is left as it is
    expect(h.records.get('city-linkedin')).toEqual({
      checkedAt: now,
      expiresAt: new Date(daysFromNow(5)),
      needsReauth: undefined,
    });
  });

  it('asks Facebook and Instagram through debug_token, records the expiry and clears a stale needsReauth', async () => {
    const h = harness(
      [
        channel('city-facebook', 'facebook', { needsReauth: true }),
        channel('city-instagram', 'instagram'),
        channel('fire-instagram', 'instagram'),
      ],
      {
        'local:city-facebook': { accessToken: 'sim-facebook-token' },
        'local:city-instagram': { accessToken: 'sim-instagram-token' },
        'local:fire-instagram': { accessToken: 'revoked-token' },
      },
    );
    const results = await checkAll(h);
    expect(results.map((result) => [result.channelId, result.outcome])).toEqual([
      ['city-facebook', 'valid'],
      ['city-instagram', 'valid'],
      ['fire-instagram', 'needs-reauth'],
    ]);
    expect(h.records.get('city-facebook')).toMatchObject({ expiresAt: undefined, needsReauth: false });
    expect(h.records.get('city-instagram')?.expiresAt?.getTime()).toBeGreaterThan(now.getTime());
    expect(h.records.get('fire-instagram')?.needsReauth).toBe(true);
    expect(h.metrics).toEqual(['instagram']);
  });

  it('records nothing when the platform cannot be reached, but still warns about a near expiry', async () => {
    const unreachable = async () => {
      throw new PlatformError('retryable', 'could not connect (ECONNREFUSED)');
    };
    const h = harness(
      [channel('city-facebook', 'facebook'), channel('city-instagram', 'instagram')],
      {
        'local:city-facebook': { accessToken: 'sim-facebook-token' },
        'local:city-instagram': { accessToken: 'sim-instagram-token', expiresAt: daysFromNow(2) },
      },
      { inspect: unreachable },
    );
    const results = await checkAll(h);
    expect(results.map((result) => result.outcome)).toEqual(['check-failed', 'expiring-soon']);
    expect(h.records.size).toBe(0);
    expect(h.metrics).toEqual(['instagram']);
  });

  it('skips retired channels and hand-off platforms', async () => {
    const h = harness(
      [channel('old-threads', 'threads', { state: 'retired' }), channel('city-whatsapp', 'whatsapp')],
      {},
    );
    expect(await checkAll(h)).toEqual([]);
    expect(h.metrics).toEqual([]);
  });

  it('renews under the channel’s refresh lease when it has one: a publisher’s fresh renewal is taken, not spent again', async () => {
    const h = harness([channel('city-x', 'x')], {
      'local:city-x': { accessToken: 'sim-x-token', refreshToken: 'sim-x-refresh-old', clientId: 'herold-client' },
    });
    const rotations: string[] = [];
    h.deps.renewers = {
      ...h.deps.renewers,
      rotate: async (context) => {
        rotations.push(context.credentials.refreshToken!);
        return { accessToken: 'rotated', refreshToken: 'sim-x-refresh-new', expiresInSeconds: 7200 };
      },
    };
    const byPublisher = {
      ...h.secrets.get('local:city-x')!,
      accessToken: 'by-publisher',
      expiresAt: daysFromNow(0.05),
    };
    const leased: Credentials[] = [];
    h.deps.renewOnce = async (_target, used) => {
      leased.push(used);
      return byPublisher;
    };
    const [result] = await checkAll(h);
    expect(leased).toEqual([h.secrets.get('local:city-x')]);
    expect(rotations).toEqual([]);
    expect(result).toMatchObject({ outcome: 'refreshed', tokenExpiresAt: byPublisher.expiresAt });

    // with nobody else renewing, the lease holder's refresh is the check's own rotation
    h.deps.renewOnce = async (_target, used, refresh) => refresh(used);
    const [own] = await checkAll(h);
    expect(rotations).toEqual(['sim-x-refresh-old']);
    expect(own).toMatchObject({
      outcome: 'refreshed',
      tokenExpiresAt: new Date(now.getTime() + 7200_000).toISOString(),
    });
  });

  it('flags the channel when the renewal under the lease cannot be stored', async () => {
    const h = harness([channel('city-x', 'x')], {
      'local:city-x': { accessToken: 'sim-x-token', refreshToken: 'sim-x-refresh-lost2', clientId: 'herold-client' },
    });
    h.deps.renewOnce = async (_target, used, refresh) => {
      await refresh(used);
      throw new Error('AccessDeniedException');
    };
    const [result] = await checkAll(h);
    expect(result).toMatchObject({
      outcome: 'needs-reauth',
      reason: expect.stringContaining('could not be completed'),
    });
  });

  it('flags the channel when a renewed token cannot be stored', async () => {
    const h = harness([channel('city-x', 'x')], {
      'local:city-x': { accessToken: 'sim-x-token', refreshToken: 'sim-x-refresh-lost', clientId: 'herold-client' },
    });
    h.deps.saveCredentials = async () => {
      throw new Error('AccessDeniedException');
    };
    const [result] = await checkAll(h);
    expect(result).toMatchObject({ outcome: 'needs-reauth', reason: expect.stringContaining('could not be stored') });
    expect(JSON.stringify(result)).not.toContain('sim-x-access-');
  });
});

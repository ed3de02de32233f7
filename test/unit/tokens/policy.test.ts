import { describe, expect, it } from 'vitest';
import { decide, judgeExpiry, renewalOf, tokenFacts } from '../../../shared/tokens/policy';

const now = new Date('2026-11-25T04:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const daysFromNow = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

describe('which platforms renew how', () => {
  it('refreshes Threads, rotates X, inspects Facebook and Instagram, and only watches the rest', () => {
    expect(renewalOf('threads')).toBe('refresh-long-lived');
    expect(renewalOf('x')).toBe('rotate-refresh-token');
    expect(renewalOf('facebook')).toBe('inspect');
    expect(renewalOf('instagram')).toBe('inspect');
    expect(renewalOf('linkedin')).toBe('none');
    expect(renewalOf('mastodon')).toBe('none');
  });
});

describe('a Threads long-lived token', () => {
  const threads = (credentials: Record<string, string>) =>
    decide('refresh-long-lived', tokenFacts({ accessToken: 't', ...credentials }), now);

  it('is left alone while younger than 24 hours', () => {
    expect(threads({ issuedAt: hoursAgo(23), expiresAt: daysFromNow(59) })).toEqual({
      action: 'keep',
      expiresAt: new Date(daysFromNow(59)),
    });
    expect(threads({ refreshedAt: hoursAgo(1) }).action).toBe('keep');
  });

  it('is refreshed from 24 hours on, up to its 60th day', () => {
    expect(threads({ issuedAt: hoursAgo(24) })).toEqual({ action: 'refresh' });
    expect(threads({ issuedAt: hoursAgo(59 * 24), expiresAt: daysFromNow(1) })).toEqual({ action: 'refresh' });
  });

  it('counts from the last refresh rather than the first issue', () => {
    expect(threads({ issuedAt: hoursAgo(40 * 24), refreshedAt: hoursAgo(2) }).action).toBe('keep');
  });

  it('needs a person once expired, by its recorded expiry or by 60 days of age', () => {
    expect(threads({ issuedAt: hoursAgo(30 * 24), expiresAt: hoursAgo(1) })).toMatchObject({ action: 'reauth' });
    expect(threads({ issuedAt: hoursAgo(60 * 24 + 1) })).toMatchObject({
      action: 'reauth',
      expiresAt: new Date(new Date(hoursAgo(60 * 24 + 1)).getTime() + 60 * 86_400_000),
    });
  });

  it('is refreshed when nothing says how old it is', () => {
    expect(threads({})).toEqual({ action: 'refresh' });
    expect(threads({ issuedAt: 'not a date' })).toEqual({ action: 'refresh' });
  });
});

describe('an X token', () => {
  it('is rotated on every run when a refresh token and client id are stored', () => {
    expect(
      decide(
        'rotate-refresh-token',
        tokenFacts({ accessToken: 'a', refreshToken: 'r', clientId: 'c', expiresAt: daysFromNow(0.05) }),
        now,
      ),
    ).toEqual({ action: 'refresh' });
  });

  it('is judged by its expiry alone without them', () => {
    expect(
      decide(
        'rotate-refresh-token',
        tokenFacts({ accessToken: 'a', refreshToken: 'r', expiresAt: daysFromNow(3) }),
        now,
      ),
    ).toMatchObject({ action: 'warn' });
  });
});

describe('a token that cannot be refreshed', () => {
  it('warns within 7 days of its expiry, not before', () => {
    expect(decide('none', tokenFacts({ accessToken: 'a', expiresAt: daysFromNow(6.9) }), now)).toEqual({
      action: 'warn',
      expiresAt: new Date(daysFromNow(6.9)),
    });
    expect(judgeExpiry(new Date(daysFromNow(7)), now).action).toBe('warn');
    expect(judgeExpiry(new Date(daysFromNow(7.1)), now).action).toBe('keep');
  });

  it('needs a person once expired', () => {
    expect(judgeExpiry(new Date(hoursAgo(1)), now)).toMatchObject({ action: 'reauth' });
  });

  it('of unknown expiry is kept', () => {
    expect(decide('none', tokenFacts({ accessToken: 'a' }), now)).toEqual({ action: 'keep', expiresAt: undefined });
  });

  it('is asked about on Facebook and Instagram whatever the credentials say', () => {
    expect(decide('inspect', tokenFacts({ accessToken: 'a', expiresAt: hoursAgo(1) }), now)).toEqual({
      action: 'inspect',
    });
  });
});

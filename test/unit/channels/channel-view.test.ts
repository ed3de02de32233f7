/** The token warning of the Channels page: from 7 days before expiry, for tokens only a person can renew. */
import { describe, expect, it } from 'vitest';
import { channelView } from '../../../shared/channels/read';
import type { Channel } from '../../../shared/model/schemas';

const now = new Date('2026-12-03T01:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
const channel = (overrides: Partial<Channel>): Channel => ({
  id: 'city-linkedin',
  org: 'city',
  platform: 'linkedin',
  handle: 'landeshauptstadt-dresden',
  state: 'active',
  account: 'urn:li:organization:1',
  credentialsRef: 'herold/linkedin/city-linkedin',
  ...overrides,
});

describe('the token warning', () => {
  it('warns from 7 days before a token expires that Herold cannot renew', () => {
    expect(channelView(channel({ tokenExpiresAt: inDays(6.9) }), now).tokenExpiresSoon).toBe(true);
    expect(channelView(channel({ tokenExpiresAt: inDays(-1) }), now).tokenExpiresSoon).toBe(true);
    expect(channelView(channel({ tokenExpiresAt: inDays(7.1) }), now).tokenExpiresSoon).toBe(false);
    expect(channelView(channel({}), now).tokenExpiresSoon).toBe(false);
  });

  it('stays quiet for a token the publisher renews itself, an hour-long one included', () => {
    const youtube = channel({ platform: 'youtube', tokenRenews: true, tokenExpiresAt: inDays(1 / 24) });
    expect(channelView(youtube, now).tokenExpiresSoon).toBe(false);
  });

  it('never shows where the credentials live', () => {
    expect(channelView(channel({}), now)).not.toHaveProperty('credentialsRef');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLATFORM_IDS } from '../../shared/platforms/registry';
import { loadSeedChannels, SEED_CREDENTIALS_FILE } from '../../local/seed';
import { localConnectEnv } from '../../local/connect-env';
import { SIM_APPS } from '../../local/simulator/signin';
import { channelItem } from '../../shared/store/channels';

const channels = loadSeedChannels();
const credentials = JSON.parse(readFileSync(SEED_CREDENTIALS_FILE, 'utf8')) as Record<string, Record<string, string>>;
const byOrg = (org: string) => channels.filter((channel) => channel.org === org);

describe('seed channels', () => {
  it('gives the city every platform, with X frozen and the reason stated', () => {
    const city = byOrg('city');
    expect(city.map((channel) => channel.platform).sort()).toEqual([...PLATFORM_IDS].sort());
    const frozen = city.filter((channel) => channel.state !== 'active');
    expect(frozen).toEqual([
      expect.objectContaining({
        platform: 'x',
        state: 'frozen',
        stateReason: 'frozen since 2024-02-02: see press release',
      }),
    ]);
  });

  it('gives the fire brigade Threads, X (frozen), Facebook and Instagram', () => {
    const fireBrigade = byOrg('fire-brigade');
    expect(fireBrigade.map((channel) => `${channel.platform}:${channel.state}`).sort()).toEqual([
      'facebook:active',
      'instagram:active',
      'threads:active',
      'x:frozen',
    ]);
  });

  it('uses the handles of the press release', () => {
    const handle = (id: string) => channels.find((channel) => channel.id === id)?.handle;
    expect(handle('city-threads')).toBe('@landeshauptstadt_dresden');
    expect(handle('fire-brigade-threads')).toBe('@feuerwehr_dresden');
    expect(handle('city-facebook')).toBe('stadt.dresden');
    expect(handle('city-youtube')).toBe('@LHDDresden');
    expect(channels.find((channel) => channel.id === 'city-whatsapp')?.profileUrl).toBe(
      'https://whatsapp.com/channel/0029VaHl1HsDDmFT7ZcdAS0C',
    );
  });

  it('refers every channel to local credentials of the right shape', () => {
    for (const channel of channels) {
      expect(channel.credentialsRef).toBe(`local:${channel.id}`);
      const secret = credentials[channel.credentialsRef];
      if (channel.platform === 'bluesky')
        expect(secret).toEqual({ identifier: channel.handle, appPassword: 'sim-bluesky-app-password' });
      else if (channel.platform === 'telegram') expect(secret).toEqual({ botToken: '123456789:sim-telegram-token' });
      else expect(secret).toEqual({ accessToken: `sim-${channel.platform}-token` });
    }
    const channelRefs = Object.keys(credentials).filter(
      (ref) => !ref.startsWith('local:app-') && ref !== 'local:webhooks',
    );
    expect(channelRefs.sort()).toEqual(channels.map((channel) => channel.credentialsRef).sort());
  });

  it('holds the reply webhooks’ verify token and Telegram secret, which the local stack names', () => {
    expect(credentials['local:webhooks']).toEqual({
      metaVerifyToken: expect.any(String),
      telegramSecret: expect.stringMatching(/^[A-Za-z0-9_-]{1,256}$/),
    });
  });

  it("holds the simulator's platform apps, which the local stack names as each platform's app secret", () => {
    for (const [platform, app] of Object.entries(SIM_APPS)) {
      const ref = localConnectEnv('http://sim')[`HEROLD_${platform.toUpperCase()}_APP_SECRET`];
      expect(ref && credentials[ref], platform).toEqual(app);
    }
  });

  it('stores a channel under its keys and the organisation index', () => {
    const channel = channels.find((candidate) => candidate.id === 'fire-brigade-x');
    expect(channel && channelItem(channel)).toMatchObject({
      PK: 'CHANNEL#fire-brigade-x',
      SK: 'CHANNEL',
      GSI1PK: 'ORGCHANNELS#fire-brigade',
      GSI1SK: 'x#fire-brigade-x',
      org: 'fire-brigade',
      state: 'frozen',
    });
  });
});

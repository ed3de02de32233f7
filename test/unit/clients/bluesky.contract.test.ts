import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blueskySim, expireBlueskyAccessTokens } from '../../../local/simulator/platforms/bluesky';
import { SIM_BLUESKY_APP_PASSWORD } from '../../../local/simulator/state';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { PlatformError, PublishRequest } from '../../../shared/platforms/client';
import { blueskyClient, clearBlueskySessions, decodeRemoteId } from '../../../shared/platforms/clients/bluesky';
import { countingFetch, testContext } from './fake-platform-fetch';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ platforms: [blueskySim] });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  clearBlueskySessions();
  await sim.clearFaults();
  await sim.reset();
});

let sequence = 0;
function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `[h:b${sequence}]`;
  return {
    idempotencyKey: `m${sequence}:bsky-city`,
    marker,
    text: `Straßenfest in Löbtau 🎉 ${marker}`,
    media: [],
    checkpoint: {},
    ...overrides,
  };
}
const credentials = { identifier: 'dresden.de', appPassword: SIM_BLUESKY_APP_PASSWORD };
const context = (fetchFn: typeof fetch = fetch, appPassword = SIM_BLUESKY_APP_PASSWORD) =>
  testContext('bluesky', 'dresden.de', { ...credentials, appPassword }, fetchFn, sim.baseUrl('bluesky'));

describe('Bluesky client against the simulator', () => {
  it('20 publishes make exactly one createSession, and an expired token is refreshed, not re-created', async () => {
    const { fetch: counted, count } = countingFetch();
    const channel = context(counted);
    for (let index = 0; index < 20; index += 1) await blueskyClient.publish(request(), channel);
    expireBlueskyAccessTokens(sim.state);
    await blueskyClient.publish(request(), channel);
    expect(count('POST', '/com.atproto.server.createSession')).toBe(1);
    expect(count('POST', '/com.atproto.server.refreshSession')).toBe(1);
    expect(sim.state.posts('bluesky')).toHaveLength(21);
  });

  it('recovers when the PDS forgets the session (tokens revoked): one new login, no auth failure', async () => {
    const { fetch: counted, count } = countingFetch();
    const channel = context(counted);
    await blueskyClient.publish(request(), channel);
    await sim.reset();
    await blueskyClient.publish(request(), channel);
    expect(count('POST', '/com.atproto.server.createSession')).toBe(2);
    expect(sim.state.posts('bluesky')).toHaveLength(1);
  });

  it('publishes facets the simulator accepts as byte ranges inside the text, with an image and its alt text', async () => {
    const text = 'Grüße aus der Neustadt 👩‍👩‍👧 https://www.dresden.de/neustadt #Stadtfest @feuerwehr.dresden.de';
    const result = await blueskyClient.publish(
      request({
        text,
        media: [{ url: `${sim.url}/_sim/media/sample.png`, altText: 'Bühne auf dem Alaunplatz', mime: 'image/png' }],
      }),
      context(),
    );
    const post = sim.state.findPost('bluesky', decodeRemoteId(result.remoteId).uri);
    expect(post).toMatchObject({
      text,
      link: 'https://www.dresden.de/neustadt',
      media: [expect.objectContaining({ altText: 'Bühne auf dem Alaunplatz' })],
    });
    expect(result.remoteUrl).toMatch(/^https:\/\/bsky\.app\/profile\/dresden\.de\/post\/[234567a-z]{13}$/);
  });

  it('threads replies with root and parent refs the simulator can resolve', async () => {
    const root = await blueskyClient.publish(request(), context());
    const second = await blueskyClient.publish(
      request({ replyTo: { remoteId: root.remoteId, threadRootId: root.threadRootId } }),
      context(),
    );
    const third = await blueskyClient.publish(
      request({ replyTo: { remoteId: second.remoteId, threadRootId: second.threadRootId } }),
      context(),
    );
    expect(third.threadRootId).toBe(root.remoteId);
    expect(sim.state.findPost('bluesky', decodeRemoteId(third.remoteId).uri)?.replyTo).toBe(
      decodeRemoteId(second.remoteId).uri,
    );
  });

  it('a wrong app password is auth; an injected 429 is rate-limited', async () => {
    await expect(blueskyClient.publish(request(), context(fetch, 'wrong-password'))).rejects.toMatchObject({
      errorClass: 'auth',
    });
    clearBlueskySessions();
    await blueskyClient.followerCount(context());
    await sim.injectFaults({ platform: 'bluesky', status: 429, retryAfter: 90, count: 1 });
    const limited = (await blueskyClient
      .publish(request(), context())
      .catch((caught: unknown) => caught)) as PlatformError;
    expect(limited).toMatchObject({ errorClass: 'rate-limited', code: 'RateLimitExceeded' });
    // the wait comes from ratelimit-reset (epoch seconds), so it may round up by a second
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(89);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(91);
  });

  it('the simulator refuses more than 30 logins in 5 minutes', async () => {
    for (let index = 0; index < 30; index += 1) {
      clearBlueskySessions();
      await blueskyClient.followerCount(context());
    }
    clearBlueskySessions();
    await expect(blueskyClient.followerCount(context())).rejects.toMatchObject({ errorClass: 'rate-limited' });
  });

  it('after a lost answer, findPublished finds the post by its saved record key; null when it never arrived', async () => {
    const channel = context();
    await blueskyClient.followerCount(channel);
    await sim.injectFaults({ platform: 'bluesky', dropAfterRecord: true, count: 1 });
    const lost = request();
    await expect(blueskyClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect(checkpoint.rkey).toMatch(/^[234567a-z]{13}$/);
    const found = await blueskyClient.findPublished({ ...lost, checkpoint }, channel);
    expect(decodeRemoteId(found?.remoteId ?? '').uri).toBe(sim.state.posts('bluesky')[0]?.id);
    expect(
      await blueskyClient.findPublished({ ...request(), checkpoint: { rkey: '3kaaaaaaaaaaa' } }, channel),
    ).toBeNull();
    expect(await blueskyClient.findPublished({ ...lost, checkpoint: {} }, channel)).toBeNull();
  });

  it('publishing again with a record key the post already holds reports that post instead of failing', async () => {
    const channel = context();
    await sim.injectFaults({ platform: 'bluesky', dropAfterRecord: true, count: 1 });
    const lost = request();
    await expect(blueskyClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    // as when a lookup ran before the platform had stored the post: the next attempt publishes again
    const again = await blueskyClient.publish({ ...lost, checkpoint }, channel);
    expect(decodeRemoteId(again.remoteId).uri).toBe(sim.state.posts('bluesky')[0]?.id);
    expect(sim.state.posts('bluesky')).toHaveLength(1);
  });

  it('reads followersCount for the account', async () => {
    expect(await blueskyClient.followerCount(context())).toBe(sim.state.followers('bluesky', 'dresden.de'));
  });
});

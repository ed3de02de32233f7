import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { X_SIM_USER, xSim } from '../../../local/simulator/platforms/x';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { PublishRequest } from '../../../shared/platforms/client';
import { xClient } from '../../../shared/platforms/clients/x';
import { testContext } from './fake-platform-fetch';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ platforms: [xSim] });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

let sequence = 0;
function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `[h:x${sequence}]`;
  return {
    idempotencyKey: `m${sequence}:x-city`,
    marker,
    text: `Elbe-Pegel Dresden: 4,12 m 🌊 ${marker}`,
    media: [],
    checkpoint: {},
    ...overrides,
  };
}
const context = (token = sim.state.token('x')) =>
  testContext('x', X_SIM_USER.username, { accessToken: token }, fetch, sim.baseUrl('x'));

describe('X client against the simulator', () => {
  it('publishes a post with an image and alt text, then a reply to it', async () => {
    const first = await xClient.publish(
      request({
        media: [
          { url: `${sim.url}/_sim/media/sample.jpg`, altText: 'Pegellatte an der Augustusbrücke', mime: 'image/jpeg' },
        ],
      }),
      context(),
    );
    const reply = await xClient.publish(
      request({ replyTo: { remoteId: first.remoteId, threadRootId: first.threadRootId } }),
      context(),
    );
    const posts = sim.state.posts('x');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.media).toEqual([expect.objectContaining({ altText: 'Pegellatte an der Augustusbrücke' })]);
    expect(posts[1]?.replyTo).toBe(first.remoteId);
    expect(reply.threadRootId).toBe(first.remoteId);
    expect(first.remoteUrl).toBe(`https://x.com/${X_SIM_USER.username}/status/${first.remoteId}`);
  });

  it('publishes a GIF and a video through the chunked upload', async () => {
    const gif = await xClient.publish(
      request({ media: [{ url: `${sim.url}/_sim/media/sample.png`, altText: 'Animiertes Logo', mime: 'image/gif' }] }),
      context(),
    );
    const video = await xClient.publish(
      request({
        media: [{ url: `${sim.url}/_sim/media/sample.mp4`, altText: 'Löschzug im Einsatz', mime: 'video/mp4' }],
      }),
      context(),
    );
    expect(sim.state.findPost('x', gif.remoteId)?.media).toEqual([
      expect.objectContaining({ altText: 'Animiertes Logo' }),
    ]);
    expect(sim.state.findPost('x', video.remoteId)?.media).toHaveLength(1);
  });

  it('a duplicate is permanent, a wrong token auth', async () => {
    const same = request();
    await xClient.publish(same, context());
    await expect(xClient.publish(same, context())).rejects.toMatchObject({ errorClass: 'permanent' });
    await expect(xClient.publish(request(), context('wrong-token'))).rejects.toMatchObject({ errorClass: 'auth' });
  });

  it('renews an expired two-hour access token with its rotating refresh token', async () => {
    const expired = testContext(
      'x',
      X_SIM_USER.username,
      { accessToken: 'expired-access-token', refreshToken: 'sim-x-refresh-seed', clientId: 'herold' },
      fetch,
      sim.baseUrl('x'),
    );
    await expect(xClient.publish(request(), expired)).rejects.toMatchObject({ errorClass: 'auth' });
    const renewed = await xClient.refreshCredentials!(expired);
    expect(renewed.accessToken).not.toBe('expired-access-token');
    expect(renewed.refreshToken).not.toBe('sim-x-refresh-seed');
    expect(Date.parse(renewed.expiresAt!)).toBeGreaterThan(Date.now());
    await xClient.publish(request(), { ...expired, credentials: renewed });
    expect(sim.state.posts('x')).toHaveLength(1);
    // the spent refresh token cannot be used a second time
    await expect(xClient.refreshCredentials!(expired)).rejects.toMatchObject({ errorClass: 'auth' });
  });

  it('an injected 429 is rate-limited with the wait', async () => {
    await sim.injectFaults({ platform: 'x', status: 429, retryAfter: 120, count: 1 });
    await expect(xClient.publish(request(), context())).rejects.toMatchObject({
      errorClass: 'rate-limited',
      retryAfterSeconds: 120,
    });
  });

  it('spends the daily post cap and then waits for its reset', async () => {
    for (let index = 0; index < 17; index += 1) await xClient.publish(request(), context());
    const error = await xClient.publish(request(), context()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ errorClass: 'rate-limited' });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(3600);
  });

  it('after a lost answer, findPublished finds the post; it is null for one never sent', async () => {
    await sim.injectFaults({ platform: 'x', dropAfterRecord: true, count: 1 });
    const lost = request();
    const channel = context();
    await expect(xClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect((await xClient.findPublished({ ...lost, checkpoint }, channel))?.remoteId).toBe(sim.state.posts('x')[0]?.id);
    // Sent but never arrived: the lookup asks the platform and is certain.
    expect(await xClient.findPublished({ ...request(), checkpoint }, channel)).toBeNull();
  });

  it('finds a post whose answer was lost even when the account posted thirty times since', async () => {
    await sim.injectFaults({ platform: 'x', dropAfterRecord: true, count: 1 });
    const lost = request();
    const channel = context();
    await expect(xClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    for (let index = 0; index < 30; index += 1) {
      sim.state.record({
        platform: 'x',
        id: sim.state.nextId(),
        account: X_SIM_USER.id,
        text: `Später: Meldung ${index}`,
        media: [],
      });
    }
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect((await xClient.findPublished({ ...lost, checkpoint }, channel))?.remoteId).toBe(sim.state.posts('x')[0]?.id);
  });

  it('reads the follower count the simulator reports', async () => {
    expect(await xClient.followerCount(context())).toBe(sim.state.followers('x', X_SIM_USER.id));
  });
});

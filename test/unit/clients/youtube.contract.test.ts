import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { YOUTUBE_SIM_CHANNEL, youtubeSim } from '../../../local/simulator/platforms/youtube';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { PublishRequest } from '../../../shared/platforms/client';
import { youtubeClient } from '../../../shared/platforms/clients/youtube';
import { PLATFORMS } from '../../../shared/platforms/registry';
import { countingFetch, testContext } from './fake-platform-fetch';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ platforms: [youtubeSim] });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

let sequence = 0;
function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `[h:y${sequence}]`;
  return {
    idempotencyKey: `m${sequence}:yt-city`,
    marker,
    text: `Sandsäcke am Terrassenufer\nSo schützt die Feuerwehr die Altstadt. ${marker}`,
    media: [{ url: `${sim.url}/_sim/media/sample.mp4`, altText: 'Feuerwehrleute füllen Sandsäcke', mime: 'video/mp4' }],
    checkpoint: {},
    ...overrides,
  };
}
const context = (fetchFn: typeof fetch = fetch, token = sim.state.token('youtube')) =>
  testContext('youtube', YOUTUBE_SIM_CHANNEL, { accessToken: token }, fetchFn, sim.baseUrl('youtube'));

describe('YouTube client against the simulator', () => {
  it('uploads a video through a resumable session', async () => {
    const result = await youtubeClient.publish(request(), context());
    expect(sim.state.findPost('youtube', result.remoteId)?.text).toContain('Sandsäcke am Terrassenufer');
    expect(result.remoteUrl).toBe(`https://www.youtube.com/watch?v=${result.remoteId}`);
  });

  it('when the upload answer is lost, the saved session tells that the video arrived', async () => {
    // Drop the connection only on the byte upload, after the session was opened.
    const { fetch: dropping } = countingFetch(async (method) => {
      if (method === 'PUT') await sim.injectFaults({ platform: 'youtube', dropAfterRecord: true, count: 1 });
    });
    const channel = context(dropping);
    const sent = request();
    await expect(youtubeClient.publish(sent, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    const found = await youtubeClient.findPublished({ ...sent, checkpoint }, context());
    expect(found?.remoteId).toBe(sim.state.posts('youtube')[0]?.id);
    // The retry with the same checkpoint reuses the finished session: still one video.
    await youtubeClient.publish({ ...sent, checkpoint }, context());
    expect(sim.state.posts('youtube')).toHaveLength(1);
  });

  it('a session that never received the bytes means no video, and the retry uploads into that same session', async () => {
    let failNextPut = true;
    const { fetch: failingOnce, count } = countingFetch(async (method) => {
      if (method === 'PUT' && failNextPut) {
        failNextPut = false;
        await sim.injectFaults({ platform: 'youtube', status: 503, count: 1 });
      }
    });
    const channel = context(failingOnce);
    const sent = request();
    await expect(youtubeClient.publish(sent, channel)).rejects.toMatchObject({ errorClass: 'retryable' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect(await youtubeClient.findPublished({ ...sent, checkpoint }, channel)).toBeNull();
    expect(await youtubeClient.findPublished(request(), channel)).toBeNull();
    const retried = await youtubeClient.publish({ ...sent, checkpoint }, channel);
    expect(count('POST', '/upload/youtube/v3/videos')).toBe(1);
    expect(sim.state.posts('youtube').map((post) => post.id)).toEqual([retried.remoteId]);
  });

  it('the daily quota ends in quotaExceeded, rate-limited until midnight Pacific', async () => {
    const limit = PLATFORMS.youtube.quota?.limit ?? 0;
    for (let index = 0; index < limit; index += 1) await youtubeClient.publish(request(), context());
    await expect(youtubeClient.publish(request(), context())).rejects.toMatchObject({
      errorClass: 'rate-limited',
      code: 'quotaExceeded',
    });
  });

  it('a wrong token is auth', async () => {
    await expect(youtubeClient.publish(request(), context(fetch, 'wrong'))).rejects.toMatchObject({
      errorClass: 'auth',
      code: 'authError',
    });
  });

  it('reads the subscriber count', async () => {
    expect(await youtubeClient.followerCount(context())).toBe(sim.state.followers('youtube', YOUTUBE_SIM_CHANNEL));
  });
});

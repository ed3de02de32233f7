import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTAINER_POLL } from '../../../shared/platforms/clients/graph';
import { instagramClient, instagramPublishingLimit } from '../../../shared/platforms/clients/instagram';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { channelContext, documentedFetch, failure, loadFixture, publishRequest, singleExchange } from './helpers';

const IG_USER = '17841405822304914';
let sim: TestSimulator;
const context = (credentials = { accessToken: 'sim-instagram-token' }) =>
  channelContext('instagram', IG_USER, credentials, sim.baseUrl('instagram'));
const image = (name = 'a') => ({
  url: `https://www.dresden.de/media/${name}.jpg`,
  altText: `Bild ${name}`,
  mime: 'image/jpeg' as const,
});
const video = { url: 'https://www.dresden.de/media/lage.mp4', altText: 'Lagebericht', mime: 'video/mp4' as const };

beforeAll(async () => {
  sim = await startTestSimulator();
  CONTAINER_POLL.intervalMs = 5;
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

describe('instagram client against the simulator', () => {
  it('publishes an image with caption and alt text and returns the permalink', async () => {
    const request = publishRequest({ media: [image()] });
    const result = await instagramClient.publish(request, context());
    expect(sim.state.posts('instagram')).toEqual([
      expect.objectContaining({
        id: result.remoteId,
        text: request.text,
        media: [{ url: image().url, altText: 'Bild a' }],
      }),
    ]);
    expect(result.remoteUrl).toMatch(/^https:\/\/www\.instagram\.com\/p\/\w+\/$/);
  });

  it('publishes a video as a reel once its container has finished', async () => {
    await instagramClient.publish(publishRequest({ media: [video] }), context());
    expect(sim.state.posts('instagram')[0]?.media).toEqual([{ url: video.url }]);
  });

  it('publishes images and a video as one carousel', async () => {
    await instagramClient.publish(publishRequest({ media: [image('a'), image('b'), video] }), context());
    expect(sim.state.posts('instagram')[0]?.media.map((item) => item.url)).toEqual([
      image('a').url,
      image('b').url,
      video.url,
    ]);
  });

  it('refuses a post without media before any call', async () => {
    const error = await failure(instagramClient.publish(publishRequest(), context()));
    expect([error.errorClass, error.code]).toEqual(['permanent', 'MEDIA_REQUIRED']);
  });

  it('reads followers and the publishing limit', async () => {
    await instagramClient.publish(publishRequest({ media: [image()] }), context());
    expect(await instagramClient.followerCount(context())).toBe(sim.state.followers('instagram', IG_USER));
    expect(await instagramPublishingLimit(context())).toEqual({ used: 1, total: 100, windowSeconds: 86400 });
  });

  it('saves the container before publishing and publishes that container on a retry', async () => {
    const ctx = context();
    const request = publishRequest({ media: [image()] });
    ctx.saveCheckpoint = async (checkpoint) => {
      ctx.checkpoints.push(checkpoint);
      expect(sim.state.posts('instagram')).toHaveLength(0);
      await sim.injectFaults({ platform: 'instagram', status: 503, count: 1 });
    };
    expect((await failure(instagramClient.publish(request, ctx))).errorClass).toBe('retryable');
    const containers = sim.state.scratch('instagram', 'containers', () => new Map());
    const retried = await instagramClient.publish({ ...request, checkpoint: ctx.checkpoints[0]! }, ctx);
    expect(containers.size).toBe(1);
    expect(sim.state.posts('instagram').map((post) => post.id)).toEqual([retried.remoteId]);
  });

  it('after a lost publish answer finds the post and never publishes the container twice', async () => {
    const ctx = context();
    const request = publishRequest({ media: [image()] });
    ctx.saveCheckpoint = async (checkpoint) => {
      ctx.checkpoints.push(checkpoint);
      await sim.injectFaults({ platform: 'instagram', dropAfterRecord: true, count: 1 });
    };
    expect((await failure(instagramClient.publish(request, ctx))).errorClass).toBe('ambiguous');
    const checkpointed = { ...request, checkpoint: ctx.checkpoints[0]! };
    const found = await instagramClient.findPublished(checkpointed, context());
    expect(found?.remoteId).toBe(sim.state.posts('instagram')[0]?.id);
    expect((await instagramClient.publish(checkpointed, context())).remoteId).toBe(found?.remoteId);
    expect(sim.state.posts('instagram')).toHaveLength(1);
  });

  it('knows an unpublished or never created container was not published', async () => {
    expect(await instagramClient.findPublished(publishRequest({ media: [image()] }), context())).toBeNull();
    const ctx = context();
    ctx.saveCheckpoint = async (checkpoint) => {
      ctx.checkpoints.push(checkpoint);
      await sim.injectFaults({ platform: 'instagram', status: 500, count: 1 });
    };
    const request = publishRequest({ media: [image()] });
    await failure(instagramClient.publish(request, ctx));
    expect(await instagramClient.findPublished({ ...request, checkpoint: ctx.checkpoints[0]! }, context())).toBeNull();
  });

  it('is rate-limited once the content publishing limit is spent', async () => {
    for (let index = 0; index < 100; index += 1) sim.state.takeQuota('instagram', IG_USER);
    const error = await failure(instagramClient.publish(publishRequest({ media: [image()] }), context()));
    expect([error.errorClass, error.code]).toEqual(['rate-limited', '9/2207042']);
  });

  it('refuses a caption over 2,200 characters as permanent', async () => {
    expect(
      (await failure(instagramClient.publish(publishRequest({ text: 'a'.repeat(2201), media: [image()] }), context())))
        .errorClass,
    ).toBe('permanent');
  });

  it('refuses a wrong token as auth without leaking it', async () => {
    const error = await failure(instagramClient.followerCount(context({ accessToken: 'secret-wrong-token' })));
    expect(error.errorClass).toBe('auth');
    expect(error.message).not.toContain('secret-wrong-token');
  });
});

describe('instagram client against the documented exchanges', () => {
  const documented = (fixture: ReturnType<typeof loadFixture>) => ({
    ...channelContext('instagram', IG_USER, { accessToken: 'tok' }, 'https://graph.facebook.com'),
    fetch: documentedFetch(fixture, 'https://graph.facebook.com').fetch,
  });

  it('publishes the documented image container', async () => {
    const result = await instagramClient.publish(
      publishRequest({
        text: '#BronzFonz',
        media: [
          {
            url: 'https://www.example.com/images/bronz-fonz.jpg',
            altText: 'A bronze statue of the Fonz',
            mime: 'image/jpeg',
          },
        ],
      }),
      documented(loadFixture('instagram', 'publish-image')),
    );
    expect(result).toEqual({
      remoteId: '17920238422030506',
      remoteUrl: 'https://www.instagram.com/p/C3k8Zx0Lr1a/',
      threadRootId: '17920238422030506',
      liveAt: expect.any(Number),
    });
  });

  it('polls the documented reel container until FINISHED before publishing', async () => {
    const ctx = documented(loadFixture('instagram', 'publish-reel'));
    const result = await instagramClient.publish(
      publishRequest({
        text: 'Fonz',
        media: [{ url: 'https://www.example.com/videos/hungry-fonzes.mov', altText: 'Fonz', mime: 'video/quicktime' }],
      }),
      ctx,
    );
    expect(result.remoteId).toBe('17920238422030507');
    expect(ctx.checkpoints).toEqual([{ containerId: '17889615691921648' }]);
  });

  it('reads the documented followers_count and publishing limit', async () => {
    const ctx = documented(loadFixture('instagram', 'account'));
    expect(await instagramClient.followerCount(ctx)).toBe(7113);
    expect(await instagramPublishingLimit(ctx)).toEqual({ used: 2, total: 100, windowSeconds: 86400 });
  });

  it.each([
    ['publishing limit reached', 'rate-limited'],
    ['image too large', 'permanent'],
    ['server error', 'retryable'],
    ['spam restriction', 'permanent'],
  ])('maps the documented "%s" to %s', async (name, errorClass) => {
    const error = await failure(
      instagramClient.publish(
        publishRequest({ media: [image()] }),
        documented(singleExchange(loadFixture('instagram', 'errors'), name)),
      ),
    );
    expect(error.errorClass).toBe(errorClass);
  });
});

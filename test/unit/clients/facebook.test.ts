import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { facebookClient } from '../../../shared/platforms/clients/facebook';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { channelContext, documentedFetch, failure, loadFixture, publishRequest, singleExchange } from './helpers';

const PAGE = '546349135390552';
let sim: TestSimulator;
const context = (credentials = { accessToken: 'sim-facebook-token' }) =>
  channelContext('facebook', PAGE, credentials, sim.baseUrl('facebook'));
const image = (name: string) => ({
  url: `https://www.dresden.de/media/${name}.jpg`,
  altText: `Bild ${name}`,
  mime: 'image/jpeg' as const,
});

beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

describe('facebook client against the simulator', () => {
  it('publishes a text post with its link to the page feed', async () => {
    const request = publishRequest({ link: 'https://www.dresden.de/carolabruecke' });
    const result = await facebookClient.publish(request, context());
    expect(sim.state.posts('facebook')).toEqual([
      expect.objectContaining({
        id: result.remoteId,
        account: PAGE,
        text: request.text,
        link: 'https://www.dresden.de/carolabruecke',
      }),
    ]);
    expect(result.remoteUrl).toBe(`https://www.facebook.com/${PAGE}/posts/${result.remoteId.split('_')[1]}`);
  });

  it('publishes one image as a photo with its alt text', async () => {
    const result = await facebookClient.publish(publishRequest({ media: [image('a')] }), context());
    expect(result.remoteId).toMatch(new RegExp(`^${PAGE}_\\d+$`));
    expect(sim.state.posts('facebook')[0]?.media).toEqual([{ url: image('a').url, altText: 'Bild a' }]);
  });

  it('publishes several images as one post with attached photos', async () => {
    await facebookClient.publish(publishRequest({ media: [image('a'), image('b'), image('c')] }), context());
    const posts = sim.state.posts('facebook');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.media.map((item) => item.altText)).toEqual(['Bild a', 'Bild b', 'Bild c']);
  });

  it('publishes a video through /videos', async () => {
    await facebookClient.publish(
      publishRequest({ media: [{ url: 'https://www.dresden.de/media/lage.mp4', altText: 'Lage', mime: 'video/mp4' }] }),
      context(),
    );
    expect(sim.state.posts('facebook')[0]?.media).toEqual([{ url: 'https://www.dresden.de/media/lage.mp4' }]);
  });

  it('reads the follower count of the page', async () => {
    expect(await facebookClient.followerCount(context())).toBe(sim.state.followers('facebook', PAGE));
  });

  it('finds a post whose answer was lost, and knows when there is none', async () => {
    const request = publishRequest();
    await sim.injectFaults({ platform: 'facebook', dropAfterRecord: true, count: 1 });
    expect((await failure(facebookClient.publish(request, context()))).errorClass).toBe('ambiguous');
    expect((await facebookClient.findPublished(request, context()))?.remoteId).toBe(sim.state.posts('facebook')[0]?.id);
    expect(await facebookClient.findPublished(publishRequest(), context())).toBeNull();
  });

  it('is refused with 506 for the same text twice in a row, which is permanent', async () => {
    const request = publishRequest();
    await facebookClient.publish(request, context());
    const error = await failure(facebookClient.publish(request, context()));
    expect([error.errorClass, error.code]).toEqual(['permanent', '506']);
  });

  it('is rate-limited with the wait from X-Business-Use-Case-Usage once the page quota is spent', async () => {
    for (let index = 0; index < 200; index += 1) sim.state.takeQuota('facebook', PAGE);
    const error = await failure(facebookClient.publish(publishRequest(), context()));
    expect([error.errorClass, error.retryAfterSeconds]).toEqual(['rate-limited', 15 * 60]);
  });
});

describe('facebook error mapping', () => {
  const graphFault = (code: number, subcode?: number, status = 400) => ({
    platform: 'facebook' as const,
    status,
    count: 1,
    body: {
      error: {
        message: `simulated ${code} access_token=sim-facebook-token`,
        type: 'OAuthException',
        code,
        error_subcode: subcode,
        fbtrace_id: 'x',
      },
    },
  });

  it.each([
    [1, undefined, 'retryable'],
    [2, undefined, 'retryable'],
    [4, undefined, 'rate-limited'],
    [17, undefined, 'rate-limited'],
    [32, undefined, 'rate-limited'],
    [341, undefined, 'rate-limited'],
    [613, undefined, 'rate-limited'],
    [190, undefined, 'auth'],
    [190, 458, 'auth'],
    [190, 467, 'auth'],
    [10, undefined, 'auth'],
    [299, undefined, 'auth'],
    [506, undefined, 'permanent'],
    [368, undefined, 'permanent'],
  ] as const)('maps Graph code %s/%s to %s', async (code, subcode, errorClass) => {
    await sim.injectFaults(graphFault(code, subcode));
    const error = await failure(facebookClient.publish(publishRequest(), context()));
    expect(error.errorClass).toBe(errorClass);
    expect(error.message).not.toContain('sim-facebook-token');
  });

  it('refuses a wrong token as auth', async () => {
    expect((await failure(facebookClient.followerCount(context({ accessToken: 'nope' })))).errorClass).toBe('auth');
  });

  it('retries reads after a dropped connection, and calls a write ambiguous', async () => {
    await sim.injectFaults({ platform: 'facebook', delayMs: 300, count: 1, writesOnly: false });
    expect((await failure(facebookClient.followerCount({ ...context(), timeoutMs: 100 }))).errorClass).toBe(
      'retryable',
    );
    await sim.injectFaults({ platform: 'facebook', delayMs: 300, count: 1 });
    expect((await failure(facebookClient.publish(publishRequest(), { ...context(), timeoutMs: 100 }))).errorClass).toBe(
      'ambiguous',
    );
  });
});

describe('facebook client against the documented exchanges', () => {
  const documented = (fixture: ReturnType<typeof loadFixture>) => ({
    ...channelContext('facebook', PAGE, { accessToken: 'tok' }, 'https://graph.facebook.com'),
    fetch: documentedFetch(fixture, 'https://graph.facebook.com').fetch,
  });

  it('publishes the documented link post', async () => {
    const result = await facebookClient.publish(
      publishRequest({ text: 'For all Math geniuses :)', link: 'https://projecteuler.net/' }),
      documented(loadFixture('facebook', 'publish')),
    );
    expect(result).toEqual({
      remoteId: '546349135390552_1116691191689674',
      remoteUrl: 'https://www.facebook.com/546349135390552/posts/1116691191689674',
      threadRootId: '546349135390552_1116691191689674',
    });
  });

  it('publishes the documented photo and reports its post, not the photo', async () => {
    const result = await facebookClient.publish(
      publishRequest({
        text: 'Hello Fans!',
        media: [{ url: 'https://www.example.com/photo.jpg', altText: 'A crowd at the Elbe', mime: 'image/jpeg' }],
      }),
      documented(loadFixture('facebook', 'publish-photo')),
    );
    expect(result.remoteId).toBe('546349135390552_1116692698356190');
  });

  it('reads the documented followers_count', async () => {
    expect(await facebookClient.followerCount(documented(loadFixture('facebook', 'followers')))).toBe(37177);
  });

  it.each([
    ['expired token', 'auth', undefined],
    ['password changed', 'auth', undefined],
    ['page rate limit', 'rate-limited', 19 * 60],
    ['application limit', 'rate-limited', 15 * 60],
    ['duplicate post', 'permanent', undefined],
    ['missing permission', 'auth', undefined],
    ['transient', 'retryable', undefined],
  ])('maps the documented "%s" to %s', async (name, errorClass, wait) => {
    const error = await failure(
      facebookClient.publish(publishRequest(), documented(singleExchange(loadFixture('facebook', 'errors'), name))),
    );
    expect([error.errorClass, error.retryAfterSeconds]).toEqual([errorClass, wait]);
  });
});

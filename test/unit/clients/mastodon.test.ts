import { SIM_MASTODON_MAX_CHARACTERS } from '../../../local/simulator/state';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_POLL, instanceUrl, mastodonClient, statusText } from '../../../shared/platforms/clients/mastodon';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { channelContext, documentedFetch, failure, loadFixture, publishRequest } from './helpers';

let sim: TestSimulator;
const context = (credentials = { accessToken: 'sim-mastodon-token' }) =>
  channelContext('mastodon', 'https://dresden.social/@dresden', credentials, sim.baseUrl('mastodon'));
const image = () => ({
  url: `${sim.url}/_sim/media/sample.jpg`,
  altText: 'Absperrung an der Carolabrücke',
  mime: 'image/jpeg' as const,
});

beforeAll(async () => {
  sim = await startTestSimulator();
  MEDIA_POLL.intervalMs = 5;
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

describe('mastodon client against the simulator', () => {
  it('posts a status with its link and the delivery key as Idempotency-Key', async () => {
    const request = publishRequest({
      text: 'Sperrung aufgehoben: https://www.dresden.de/carolabruecke',
      link: 'https://www.dresden.de/carolabruecke',
    });
    const result = await mastodonClient.publish(request, context());
    const [post] = sim.state.posts('mastodon');
    expect(post).toMatchObject({
      id: result.remoteId,
      text: request.text,
      link: 'https://www.dresden.de/carolabruecke',
      idempotencyKey: request.idempotencyKey,
    });
    expect(result.remoteUrl).toBe(`${sim.baseUrl('mastodon')}/@dresden/${result.remoteId}`);
    expect(result.threadRootId).toBe(result.remoteId);
  });

  it('uploads an image with its alt text as description and attaches it', async () => {
    await mastodonClient.publish(publishRequest({ media: [image()] }), context());
    expect(sim.state.posts('mastodon')[0]?.media).toEqual([
      { url: expect.stringContaining('/media_attachments/'), altText: image().altText },
    ]);
  });

  it('waits for a video to finish processing before posting', async () => {
    const video = { url: `${sim.url}/_sim/media/sample.mp4`, altText: 'Lagebericht', mime: 'video/mp4' as const };
    await mastodonClient.publish(publishRequest({ media: [video] }), context());
    expect(sim.state.posts('mastodon')[0]?.media).toHaveLength(1);
  });

  it('replies in the thread of the original and keeps the root', async () => {
    const root = await mastodonClient.publish(publishRequest(), context());
    const reply = await mastodonClient.publish(publishRequest({ replyTo: { remoteId: root.remoteId } }), context());
    const second = await mastodonClient.publish(
      publishRequest({ replyTo: { remoteId: reply.remoteId, threadRootId: root.remoteId } }),
      context(),
    );
    expect(sim.state.findPost('mastodon', reply.remoteId)?.replyTo).toBe(root.remoteId);
    expect([reply.threadRootId, second.threadRootId]).toEqual([root.remoteId, root.remoteId]);
  });

  it('gets the same status back for the same Idempotency-Key, never a second post', async () => {
    const request = publishRequest();
    const first = await mastodonClient.publish(request, context());
    const again = await mastodonClient.publish(request, context());
    expect(again.remoteId).toBe(first.remoteId);
    expect(sim.state.posts('mastodon')).toHaveLength(1);
    await mastodonClient.publish({ ...request, idempotencyKey: `${request.idempotencyKey}-other` }, context());
    expect(sim.state.posts('mastodon')).toHaveLength(2);
  });

  it('reads the follower count from verify_credentials', async () => {
    expect(await mastodonClient.followerCount(context())).toBe(sim.state.followers('mastodon', 'dresden'));
  });

  it('finds a status whose answer was lost, and knows when there is none', async () => {
    const request = publishRequest({
      text: 'Bitte meiden Sie den Bereich <Altstadt> & Neustadt.\n\nhttps://www.dresden.de/x',
    });
    await sim.injectFaults({ platform: 'mastodon', dropAfterRecord: true, count: 1 });
    expect((await failure(mastodonClient.publish(request, context()))).errorClass).toBe('ambiguous');
    const found = await mastodonClient.findPublished(request, context());
    expect(found?.remoteId).toBe(sim.state.posts('mastodon')[0]?.id);
    expect(await mastodonClient.findPublished(publishRequest(), context())).toBeNull();
  });

  it('uses the instance of the account unless the base URL is overridden', () => {
    const production = channelContext('mastodon', 'https://dresden.social/@stadt', {}, 'https://mastodon.social');
    expect(instanceUrl(production)).toBe('https://dresden.social');
    expect(instanceUrl(context())).toBe(sim.baseUrl('mastodon'));
  });

  it('turns status HTML back into the text that was sent', () => {
    expect(
      statusText(
        '<p>a &amp; b<br />c</p><p><a href="https://x.de/y"><span class="invisible">https://</span><span class="">x.de/y</span></a></p>',
      ),
    ).toBe('a & b\nc\n\nhttps://x.de/y');
  });
});

describe('mastodon error mapping', () => {
  it.each([
    [500, 'retryable'],
    [503, 'retryable'],
    [401, 'auth'],
    [403, 'auth'],
    [422, 'permanent'],
    [404, 'permanent'],
  ] as const)('maps HTTP %s to %s', async (status, errorClass) => {
    await sim.injectFaults({
      platform: 'mastodon',
      status,
      count: 1,
      body: { error: 'simulated Bearer sim-mastodon-token' },
    });
    const error = await failure(mastodonClient.publish(publishRequest(), context()));
    expect(error.errorClass).toBe(errorClass);
    expect(error.message).not.toContain('sim-mastodon-token');
  });

  it('maps 429 to rate-limited with the wait until X-RateLimit-Reset', async () => {
    await sim.injectFaults({ platform: 'mastodon', status: 429, retryAfter: 90, count: 1 });
    const quota = await failure(mastodonClient.publish(publishRequest(), context()));
    expect(quota.errorClass).toBe('rate-limited');
    expect(quota.retryAfterSeconds).toBeGreaterThanOrEqual(89);
    expect(quota.retryAfterSeconds).toBeLessThanOrEqual(91);
  });

  it("refuses a text over the instance's limit as permanent, counting URLs as 23", async () => {
    const url = `https://www.dresden.de/${'x'.repeat(100)}`;
    const limit = SIM_MASTODON_MAX_CHARACTERS;
    await mastodonClient.publish(publishRequest({ text: `${'a'.repeat(limit - 30)} ${url}` }), context());
    expect(
      (await failure(mastodonClient.publish(publishRequest({ text: 'a'.repeat(limit + 1) }), context()))).errorClass,
    ).toBe('permanent');
  });

  it('refuses a wrong token as auth', async () => {
    expect((await failure(mastodonClient.followerCount(context({ accessToken: 'revoked' })))).errorClass).toBe('auth');
  });

  it('fails permanently when the media URL does not exist', async () => {
    const missing = { url: `${sim.url}/_sim/media/missing.jpg`, altText: 'fehlt', mime: 'image/jpeg' as const };
    expect((await failure(mastodonClient.publish(publishRequest({ media: [missing] }), context()))).errorClass).toBe(
      'permanent',
    );
  });

  it('marks a lost connection after sending as ambiguous', async () => {
    await sim.injectFaults({ platform: 'mastodon', delayMs: 300, count: 1 });
    expect((await failure(mastodonClient.publish(publishRequest(), { ...context(), timeoutMs: 100 }))).errorClass).toBe(
      'ambiguous',
    );
  });
});

describe('mastodon client against the documented exchanges', () => {
  const documented = (name: string) => {
    const { fetch, seen } = documentedFetch(loadFixture('mastodon', name), 'https://mastodon.social');
    return {
      ctx: {
        ...channelContext(
          'mastodon',
          'https://mastodon.social/@trwnh',
          { accessToken: 'tok' },
          'https://mastodon.social',
        ),
        fetch,
      },
      seen,
    };
  };

  it('posts the documented status request and reads the documented answer', async () => {
    const { ctx } = documented('post-status');
    const result = await mastodonClient.publish(
      publishRequest({ text: 'test content', idempotencyKey: 'msg-1:channel-1' }),
      ctx,
    );
    expect(result).toEqual({
      remoteId: '103254962155278888',
      remoteUrl: 'https://mastodon.social/@trwnh/103254962155278888',
      threadRootId: '103254962155278888',
    });
  });

  it('uploads the image as documented and attaches it to a reply', async () => {
    const { ctx } = documented('post-with-image');
    const result = await mastodonClient.publish(
      publishRequest({
        text: 'test',
        media: [
          {
            url: 'https://files.example/media/e96382f26c72a29c.jpeg',
            altText: 'test uploaded via api',
            mime: 'image/jpeg',
          },
        ],
        replyTo: { remoteId: '103254193998341330' },
      }),
      ctx,
    );
    expect(result).toMatchObject({ remoteId: '103254193998341331', threadRootId: '103254193998341330' });
  });

  it('reads followers_count from the documented account', async () => {
    expect(await mastodonClient.followerCount(documented('verify-credentials').ctx)).toBe(320472);
  });

  it.each([
    ['401 invalid token', 'auth'],
    ['422 validation failed', 'permanent'],
    ['429 rate limited', 'rate-limited'],
  ])('maps the documented %s to %s', async (name, errorClass) => {
    const fixture = loadFixture('mastodon', 'errors');
    const exchange = fixture.exchanges.find((candidate) => candidate.name === name)!;
    const { fetch } = documentedFetch({ source: fixture.source, exchanges: [exchange] }, 'https://mastodon.social');
    const ctx = {
      ...channelContext('mastodon', 'https://mastodon.social/@x', { accessToken: 'tok' }, 'https://mastodon.social'),
      fetch,
    };
    const error = await failure(mastodonClient.publish(publishRequest(), ctx));
    expect(error.errorClass).toBe(errorClass);
    expect(error.message).toContain(String((exchange.response.body as { error: string }).error));
  });
});

describe('mastodon pins', () => {
  it('features the status on the profile and takes it off again', async () => {
    const { remoteId } = await mastodonClient.publish(publishRequest(), context());
    await mastodonClient.pin?.(remoteId, context());
    expect(sim.state.posts('mastodon')[0]?.pinned).toBe(true);
    await mastodonClient.unpin?.(remoteId, context());
    expect(sim.state.posts('mastodon')[0]?.pinned).toBe(false);
  });

  it('reports an unknown status as a permanent error', async () => {
    await expect(mastodonClient.pin?.('404404', context())).rejects.toMatchObject({ errorClass: 'permanent' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTAINER_POLL } from '../../../shared/platforms/clients/graph';
import { refreshThreadsToken, threadsClient, threadsPublishingLimit } from '../../../shared/platforms/clients/threads';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { channelContext, documentedFetch, failure, loadFixture, publishRequest } from './helpers';

const USER = '17841400008460056';
let sim: TestSimulator;
const context = (credentials = { accessToken: 'sim-threads-token' }) =>
  channelContext('threads', USER, credentials, sim.baseUrl('threads'));
const image = (url = 'https://www.dresden.de/media/carolabruecke.jpg') => ({
  url,
  altText: 'Die gesperrte Carolabrücke von Norden',
  mime: 'image/jpeg' as const,
});

beforeAll(async () => {
  sim = await startTestSimulator();
  CONTAINER_POLL.intervalMs = 5;
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

describe('threads client against the simulator', () => {
  it('publishes a text post with its link and returns the permalink', async () => {
    const request = publishRequest({ link: 'https://www.dresden.de/carolabruecke' });
    const result = await threadsClient.publish(request, context());
    const [post] = sim.state.posts('threads');
    expect(post).toMatchObject({
      id: result.remoteId,
      account: USER,
      text: request.text,
      link: 'https://www.dresden.de/carolabruecke',
    });
    expect(result.remoteUrl).toMatch(/^https:\/\/www\.threads\.net\/@.+\/post\/\w+$/);
    expect(result.threadRootId).toBe(result.remoteId);
  });

  it('publishes an image with its alt text', async () => {
    await threadsClient.publish(publishRequest({ media: [image()] }), context());
    expect(sim.state.posts('threads')[0]?.media).toEqual([{ url: image().url, altText: image().altText }]);
  });

  it('publishes a video after its container has finished processing', async () => {
    const video = {
      url: 'https://www.dresden.de/media/lage.mp4',
      altText: 'Lagebericht der Feuerwehr',
      mime: 'video/mp4' as const,
    };
    await threadsClient.publish(publishRequest({ media: [video] }), context());
    expect(sim.state.posts('threads')[0]?.media).toEqual([{ url: video.url, altText: video.altText }]);
  });

  it('publishes several images as one carousel post', async () => {
    await threadsClient.publish(
      publishRequest({ media: [image('https://a.example/1.jpg'), image('https://a.example/2.jpg')] }),
      context(),
    );
    const posts = sim.state.posts('threads');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.media.map((item) => item.url)).toEqual(['https://a.example/1.jpg', 'https://a.example/2.jpg']);
  });

  it('threads a reply under the original and keeps the root', async () => {
    const root = await threadsClient.publish(publishRequest(), context());
    const reply = await threadsClient.publish(publishRequest({ replyTo: { remoteId: root.remoteId } }), context());
    expect(sim.state.findPost('threads', reply.remoteId)?.replyTo).toBe(root.remoteId);
    expect(reply.threadRootId).toBe(root.remoteId);
  });

  it('reads the follower count from insights', async () => {
    expect(await threadsClient.followerCount(context())).toBe(sim.state.followers('threads', USER));
  });

  it('refreshes the long-lived token', async () => {
    expect(await refreshThreadsToken(context())).toEqual({
      accessToken: 'sim-threads-token',
      expiresInSeconds: 5184000,
    });
    expect((await failure(refreshThreadsToken(context({ accessToken: 'expired' })))).errorClass).toBe('auth');
  });

  it('reads the publishing limit', async () => {
    await threadsClient.publish(publishRequest(), context());
    expect(await threadsPublishingLimit(context())).toEqual({ used: 1, total: 250, windowSeconds: 86400 });
  });

  it('saves the container id before it publishes', async () => {
    const ctx = context();
    let postsAtCheckpoint = -1;
    ctx.saveCheckpoint = async (checkpoint) => {
      ctx.checkpoints.push(checkpoint);
      postsAtCheckpoint = sim.state.posts('threads').length;
    };
    await threadsClient.publish(publishRequest(), ctx);
    expect(ctx.checkpoints).toEqual([{ containerId: expect.stringMatching(/^\d+$/) }]);
    expect(postsAtCheckpoint).toBe(0);
  });

  it('prepares its container but posts nothing until it is clear to publish', async () => {
    const ctx = context();
    let clear: () => void = () => undefined;
    ctx.clearToPublish = () => new Promise<void>((resolve) => (clear = resolve));
    const publishing = threadsClient.publish(publishRequest(), ctx);
    await vi.waitFor(() => expect(ctx.checkpoints).toHaveLength(1));
    expect(sim.state.posts('threads')).toHaveLength(0);
    clear();
    await publishing;
    expect(sim.state.posts('threads')).toHaveLength(1);
    expect(threadsClient.preparesBeforePublishing).toBe(true);
  });

  it('posts nothing when it may not publish', async () => {
    const ctx = context();
    ctx.clearToPublish = async () => {
      throw new Error('publishing budget used up');
    };
    await expect(threadsClient.publish(publishRequest(), ctx)).rejects.toThrow('publishing budget used up');
    expect(ctx.checkpoints).toHaveLength(1);
    expect(sim.state.posts('threads')).toHaveLength(0);
  });

  it('publishes the checkpointed container on a retry instead of creating another', async () => {
    const ctx = context();
    const request = publishRequest();
    ctx.saveCheckpoint = async (checkpoint) => {
      ctx.checkpoints.push(checkpoint);
      // The publish call right after the checkpoint fails.
      await sim.injectFaults({ platform: 'threads', status: 500, count: 1 });
    };
    expect((await failure(threadsClient.publish(request, ctx))).errorClass).toBe('retryable');
    const containers = sim.state.scratch('threads', 'containers', () => new Map());
    expect(containers.size).toBe(1);
    const retried = await threadsClient.publish({ ...request, checkpoint: ctx.checkpoints[0]! }, ctx);
    expect(containers.size).toBe(1);
    expect(ctx.checkpoints).toHaveLength(1);
    expect(sim.state.posts('threads').map((post) => post.id)).toEqual([retried.remoteId]);
  });

  it('reports the post of an already published checkpointed container instead of publishing it again', async () => {
    const ctx = context();
    const request = publishRequest();
    const first = await threadsClient.publish(request, ctx);
    const again = await threadsClient.publish({ ...request, checkpoint: ctx.checkpoints[0]! }, ctx);
    expect(again.remoteId).toBe(first.remoteId);
    expect(sim.state.posts('threads')).toHaveLength(1);
  });

  it('after a lost answer finds the post instead of publishing twice', async () => {
    const ctx = context();
    const request = publishRequest();
    await sim.injectFaults({ platform: 'threads', dropAfterRecord: true, count: 1 });
    // The drop hits the container creation: nothing published, and the client cannot know.
    expect((await failure(threadsClient.publish(request, ctx))).errorClass).toBe('ambiguous');
    expect(await threadsClient.findPublished({ ...request, checkpoint: ctx.checkpoints[0] ?? {} }, ctx)).toBeNull();

    const second = context();
    const lost = publishRequest();
    const original = second.saveCheckpoint;
    second.saveCheckpoint = async (checkpoint) => {
      await original(checkpoint);
      await sim.injectFaults({ platform: 'threads', dropAfterRecord: true, count: 1 });
    };
    expect((await failure(threadsClient.publish(lost, second))).errorClass).toBe('ambiguous');
    const checkpoint = second.checkpoints[0]!;
    const found = await threadsClient.findPublished({ ...lost, checkpoint }, second);
    expect(found?.remoteId).toBe(sim.state.posts('threads')[0]?.id);
    const again = await threadsClient.publish({ ...lost, checkpoint }, context());
    expect(again.remoteId).toBe(found?.remoteId);
    expect(sim.state.posts('threads')).toHaveLength(1);
  });

  it('knows a post without a checkpointed container was never published', async () => {
    expect(await threadsClient.findPublished(publishRequest(), context())).toBeNull();
  });
});

describe('threads error mapping', () => {
  const graphFault = (code: number, subcode?: number, status = 400) => ({
    platform: 'threads' as const,
    status,
    count: 1,
    body: {
      error: {
        message: `simulated ${code} access_token=sim-threads-token`,
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
    [190, 463, 'auth'],
    [102, 460, 'auth'],
    [10, undefined, 'auth'],
    [200, undefined, 'auth'],
    [506, undefined, 'permanent'],
    [100, undefined, 'permanent'],
  ] as const)('maps Graph code %s/%s to %s', async (code, subcode, errorClass) => {
    await sim.injectFaults(graphFault(code, subcode));
    const error = await failure(threadsClient.publish(publishRequest(), context()));
    expect(error.errorClass).toBe(errorClass);
    expect(error.message).not.toContain('sim-threads-token');
    if (errorClass === 'rate-limited') expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('takes the wait of a rate limit from Retry-After when present', async () => {
    await sim.injectFaults({ ...graphFault(4), retryAfter: 120 });
    expect((await failure(threadsClient.publish(publishRequest(), context()))).retryAfterSeconds).toBe(120);
  });

  it('maps a 5xx without a Graph body to retryable', async () => {
    await sim.injectFaults({ platform: 'threads', status: 502, count: 1, body: 'Bad Gateway' });
    expect((await failure(threadsClient.publish(publishRequest(), context()))).errorClass).toBe('retryable');
  });

  it('refuses a wrong token as auth, and a missing one before any call', async () => {
    expect(
      (await failure(threadsClient.publish(publishRequest(), context({ accessToken: 'expired' })))).errorClass,
    ).toBe('auth');
    expect(
      (await failure(threadsClient.followerCount(channelContext('threads', USER, {}, sim.baseUrl('threads')))))
        .errorClass,
    ).toBe('auth');
  });

  it('rejects a text over 500 characters as permanent (emoji count their UTF-8 bytes)', async () => {
    const error = await failure(threadsClient.publish(publishRequest({ text: `${'a'.repeat(490)}🚒🚒🚒` }), context()));
    expect(error.errorClass).toBe('permanent');
  });

  it('marks a timeout after sending as ambiguous', async () => {
    await sim.injectFaults({ platform: 'threads', delayMs: 300, count: 1 });
    const ctx = { ...context(), timeoutMs: 100 };
    expect((await failure(threadsClient.publish(publishRequest(), ctx))).errorClass).toBe('ambiguous');
  });
});

describe('threads client against the documented exchanges', () => {
  it('sends the documented container and publish requests and reads the permalink', async () => {
    const fixture = loadFixture('threads', 'publish-image');
    const { fetch, seen } = documentedFetch(fixture, 'https://graph.threads.net');
    const ctx = {
      ...channelContext('threads', '<THREADS_USER_ID>', { accessToken: 'tok' }, 'https://graph.threads.net'),
      fetch,
    };
    const result = await threadsClient.publish(
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
      ctx,
    );
    expect(result).toEqual({
      remoteId: '1234567',
      remoteUrl: 'https://www.threads.net/@threadsapitestuser/post/abcdefg',
      threadRootId: '1234567',
      liveAt: expect.any(Number),
    });
    expect(
      seen.every(
        (request) => request.headers.get('authorization') === 'Bearer tok' && !('access_token' in request.params),
      ),
    ).toBe(true);
  });

  it('reads followers_count from the documented insights answer', async () => {
    const { fetch } = documentedFetch(loadFixture('threads', 'followers'), 'https://graph.threads.net');
    expect(
      await threadsClient.followerCount({
        ...channelContext('threads', '<THREADS_USER_ID>', { accessToken: 'tok' }, 'https://graph.threads.net'),
        fetch,
      }),
    ).toBe(1);
  });

  it('reads the documented publishing limit', async () => {
    const { fetch } = documentedFetch(loadFixture('threads', 'publishing-limit'), 'https://graph.threads.net');
    const limit = await threadsPublishingLimit({
      ...channelContext('threads', '<THREADS_USER_ID>', { accessToken: 'tok' }, 'https://graph.threads.net'),
      fetch,
    });
    expect(limit).toEqual({ used: 4, total: 250, windowSeconds: 86400 });
  });

  it('refreshes the token as documented', async () => {
    const { fetch } = documentedFetch(loadFixture('threads', 'refresh-token'), 'https://graph.threads.net');
    const refreshed = await refreshThreadsToken({
      ...channelContext('threads', '<THREADS_USER_ID>', { accessToken: 'tok' }, 'https://graph.threads.net'),
      fetch,
    });
    expect(refreshed).toEqual({ accessToken: 'THQVJ-refreshed', expiresInSeconds: 5183944 });
  });

  it('treats the documented "Media Not Found" right after creation as retryable', async () => {
    const { fetch } = documentedFetch(loadFixture('threads', 'media-not-found'), 'https://graph.threads.net');
    const ctx = {
      ...channelContext('threads', '<THREADS_USER_ID>', { accessToken: 'tok' }, 'https://graph.threads.net'),
      fetch,
    };
    const error = await failure(threadsClient.publish(publishRequest(), ctx));
    expect([error.errorClass, error.code]).toEqual(['retryable', '24/4279009']);
    expect(ctx.checkpoints).toEqual([{ containerId: '18058571375416420' }]);
  });
});

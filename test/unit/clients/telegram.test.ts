import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { telegramClient } from '../../../shared/platforms/clients/telegram';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { channelContext, documentedFetch, failure, loadFixture, publishRequest, singleExchange } from './helpers';

const CHANNEL = '@dresden_warnungen';
const TOKEN = '123456789:sim-telegram-token';
let sim: TestSimulator;
const context = (credentials = { botToken: TOKEN }) =>
  channelContext('telegram', CHANNEL, credentials, sim.baseUrl('telegram'));
const image = (name = 'a') => ({
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

describe('telegram client against the simulator', () => {
  it('sends a text with its link preview and links to the channel post', async () => {
    const request = publishRequest({ link: 'https://www.dresden.de/carolabruecke' });
    const result = await telegramClient.publish(request, context());
    expect(result).toEqual({ remoteId: '1', remoteUrl: 'https://t.me/dresden_warnungen/1', threadRootId: '1' });
    expect(sim.state.posts('telegram')).toEqual([
      expect.objectContaining({ account: CHANNEL, text: request.text, link: 'https://www.dresden.de/carolabruecke' }),
    ]);
  });

  it('sends an image with the text as caption', async () => {
    await telegramClient.publish(publishRequest({ media: [image()] }), context());
    expect(sim.state.posts('telegram')[0]?.media).toEqual([{ url: image().url }]);
  });

  it('sends several images as one album', async () => {
    const result = await telegramClient.publish(publishRequest({ media: [image('a'), image('b')] }), context());
    expect(result.remoteId).toBe('1');
    expect(sim.state.posts('telegram')).toHaveLength(1);
    expect(sim.state.posts('telegram')[0]?.media).toHaveLength(2);
  });

  it('keeps a text too long for a caption in one message, with the image as preview', async () => {
    const text = `${'Wichtiger Hinweis. '.repeat(60)}`.trim();
    expect(text.length).toBeGreaterThan(1024);
    await telegramClient.publish(publishRequest({ text, media: [image()] }), context());
    expect(sim.state.posts('telegram')).toEqual([expect.objectContaining({ text, link: image().url, media: [] })]);
  });

  it('threads a reply under the original message', async () => {
    const root = await telegramClient.publish(publishRequest(), context());
    const reply = await telegramClient.publish(publishRequest({ replyTo: { remoteId: root.remoteId } }), context());
    expect(sim.state.findPost('telegram', reply.remoteId)?.replyTo).toBe(root.remoteId);
    expect(reply.threadRootId).toBe(root.remoteId);
  });

  it('reads the member count', async () => {
    expect(await telegramClient.followerCount(context())).toBe(sim.state.followers('telegram', CHANNEL));
  });

  it('cannot look a sent message up, and says so instead of claiming it was not sent', async () => {
    const ctx = context();
    const request = publishRequest();
    await sim.injectFaults({ platform: 'telegram', dropAfterRecord: true, count: 1 });
    await failure(telegramClient.publish(request, ctx));
    expect(ctx.checkpoints).toEqual([{ sendStartedAt: expect.any(String) }]);
    const error = await failure(telegramClient.findPublished({ ...request, checkpoint: ctx.checkpoints[0]! }, ctx));
    expect([error.errorClass, error.code]).toEqual(['ambiguous', 'NO_LOOKUP']);
  });

  it('knows a message never handed to Telegram was not sent', async () => {
    expect(await telegramClient.findPublished(publishRequest(), context())).toBeNull();
  });

  it('is rate-limited with retry_after once the per-chat limit is spent', async () => {
    for (let index = 0; index < 20; index += 1) sim.state.takeQuota('telegram', CHANNEL);
    const error = await failure(telegramClient.publish(publishRequest(), context()));
    expect([error.errorClass, error.retryAfterSeconds]).toEqual(['rate-limited', 30]);
  });

  it('refuses a text over 4,096 UTF-16 units as permanent', async () => {
    expect(
      (await failure(telegramClient.publish(publishRequest({ text: '🚒'.repeat(2049) }), context()))).errorClass,
    ).toBe('permanent');
  });

  it('refuses a wrong bot token as auth and never shows it', async () => {
    const error = await failure(
      telegramClient.publish(publishRequest(), context({ botToken: '987654321:secret-bot-token' })),
    );
    expect(error.errorClass).toBe('auth');
    expect(error.message).not.toContain('secret-bot-token');
  });

  it.each([
    [500, 'retryable'],
    [401, 'auth'],
    [403, 'auth'],
    [400, 'permanent'],
  ] as const)('maps an injected %s to %s', async (status, errorClass) => {
    await sim.injectFaults({ platform: 'telegram', status, count: 1 });
    expect((await failure(telegramClient.publish(publishRequest(), context()))).errorClass).toBe(errorClass);
  });

  it('takes the wait of an injected flood limit from retry_after', async () => {
    await sim.injectFaults({ platform: 'telegram', status: 429, retryAfter: 12, count: 1 });
    const error = await failure(telegramClient.publish(publishRequest(), context()));
    expect([error.errorClass, error.retryAfterSeconds]).toEqual(['rate-limited', 12]);
  });

  it('calls a lost answer to a send ambiguous', async () => {
    await sim.injectFaults({ platform: 'telegram', dropAfterRecord: true, count: 1 });
    expect((await failure(telegramClient.publish(publishRequest(), context()))).errorClass).toBe('ambiguous');
    expect(sim.state.posts('telegram')).toHaveLength(1);
  });
});

describe('telegram client against the documented exchanges', () => {
  const documented = (fixture: ReturnType<typeof loadFixture>) => ({
    ...channelContext(
      'telegram',
      CHANNEL,
      { botToken: '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11' },
      'https://api.telegram.org',
    ),
    fetch: documentedFetch(fixture, 'https://api.telegram.org').fetch,
  });

  it('sends the documented message and photo reply', async () => {
    const ctx = documented(loadFixture('telegram', 'send'));
    const root = await telegramClient.publish(
      publishRequest({ text: 'Hello World https://www.dresden.de/', link: 'https://www.dresden.de/' }),
      ctx,
    );
    const photo = { url: 'https://www.dresden.de/bild.jpg', altText: 'Bild', mime: 'image/jpeg' as const };
    const reply = await telegramClient.publish(
      publishRequest({ text: 'Update', media: [photo], replyTo: { remoteId: root.remoteId } }),
      ctx,
    );
    expect([root.remoteId, root.remoteUrl]).toEqual(['42', 'https://t.me/dresden_warnungen/42']);
    expect([reply.remoteId, reply.threadRootId]).toEqual(['43', '42']);
  });

  it('reads the documented member count', async () => {
    expect(await telegramClient.followerCount(documented(loadFixture('telegram', 'member-count')))).toBe(2140);
  });

  it.each([
    ['flood wait', 'rate-limited', 35],
    ['revoked token', 'auth', undefined],
    ['bot removed from channel', 'auth', undefined],
    ['chat not found', 'permanent', undefined],
    ['server error', 'retryable', undefined],
  ])('maps the documented "%s" to %s', async (name, errorClass, wait) => {
    const error = await failure(
      telegramClient.publish(publishRequest(), documented(singleExchange(loadFixture('telegram', 'errors'), name))),
    );
    expect([error.errorClass, error.retryAfterSeconds]).toEqual([errorClass, wait]);
    expect(error.message).not.toContain('ABC-DEF1234');
  });
});

describe('telegram pins', () => {
  it('pins the channel post and unpins it again', async () => {
    const { remoteId } = await telegramClient.publish(publishRequest(), context());
    await telegramClient.pin?.(remoteId, context());
    expect(sim.state.posts('telegram')[0]?.pinned).toBe(true);
    await telegramClient.unpin?.(remoteId, context());
    expect(sim.state.posts('telegram')[0]?.pinned).toBe(false);
  });

  it('reports a message that is not there as a permanent error', async () => {
    await expect(telegramClient.pin?.('99', context())).rejects.toMatchObject({ errorClass: 'permanent', code: '400' });
  });
});

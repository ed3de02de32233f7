import { describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import { measureX, xClient } from '../../../shared/platforms/clients/x';
import { bytes, fakeFetch, fixture, json, testContext } from './fake-platform-fetch';

const TOKEN = 'x-user-token-secret-123';
const credentials = { accessToken: TOKEN };

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    idempotencyKey: 'm1:x-city',
    marker: '[h:a1b2c3]',
    text: 'Stadtrat tagt heute ab 16 Uhr. [h:a1b2c3]',
    media: [],
    checkpoint: {},
    ...overrides,
  };
}

async function publishError(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<PlatformError> {
  const { fetch } = fakeFetch([{ method: 'POST', path: '/2/tweets', respond: () => json(status, body, headers) }]);
  const error = await xClient
    .publish(request(), testContext('x', 'dresden', credentials, fetch))
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PlatformError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as PlatformError;
}

describe('measureX', () => {
  it('counts URLs as 23 and emoji as 2, like X', () => {
    expect(measureX('https://www.dresden.de/de/leben/stadtportrait/statistik/bevoelkerung.php').weightedLength).toBe(
      23,
    );
    expect(measureX('🚒').weightedLength).toBe(2);
    expect(measureX('Brücke').weightedLength).toBe(6);
  });

  it('marks 281 weighted characters invalid', () => {
    expect(measureX('a'.repeat(280)).valid).toBe(true);
    expect(measureX('a'.repeat(281))).toMatchObject({ weightedLength: 281, valid: false, limit: 280 });
    expect(measureX('🚒'.repeat(141)).valid).toBe(false);
  });
});

describe('xClient.publish', () => {
  it('sends the documented create-post body with reply and media, and builds the post URL', async () => {
    const expected = fixture<Record<string, unknown>>('x', 'create-post-request');
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/media/cat.jpg', respond: () => bytes(2048, 'image/jpeg') },
      { method: 'POST', path: '/2/media/upload', respond: () => json(200, fixture('x', 'media-upload-response')) },
      { method: 'POST', path: '/2/media/metadata', respond: () => json(200, fixture('x', 'media-metadata-response')) },
      { method: 'POST', path: '/2/tweets', respond: () => json(201, fixture('x', 'create-post-response')) },
    ]);
    const context = testContext('x', 'dresden', credentials, fetch);
    const result = await xClient.publish(
      request({
        text: expected.text as string,
        media: [
          {
            url: 'https://media.example/media/cat.jpg',
            altText: 'Pegelmessstelle an der Augustusbrücke',
            mime: 'image/jpeg',
          },
        ],
        replyTo: { remoteId: '1445880548472328192', threadRootId: '1445880548472328000' },
      }),
      context,
    );

    const post = calls.find((call) => call.url.pathname === '/2/tweets');
    expect(post?.json).toEqual(expected);
    expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const upload = calls.find((call) => call.url.pathname === '/2/media/upload');
    expect(upload?.json).toMatchObject({ media_category: 'tweet_image', media_type: 'image/jpeg' });
    expect(Buffer.from((upload?.json as { media: string }).media, 'base64').byteLength).toBe(2048);
    expect(calls.find((call) => call.url.pathname === '/2/media/metadata')?.json).toEqual({
      id: '1880028106020515840',
      metadata: { alt_text: { text: 'Pegelmessstelle an der Augustusbrücke' } },
    });
    expect(result).toEqual({
      remoteId: '1445880548472328192',
      remoteUrl: 'https://x.com/dresden/status/1445880548472328192',
      threadRootId: '1445880548472328000',
    });
    expect(context.checkpoints).toHaveLength(1);
    expect(Date.parse(context.checkpoints[0]?.sentAt ?? '')).not.toBeNaN();
  });

  it('uploads a video in chunks, waits for processing, and sets no alt text on it', async () => {
    const size = 4 * 1024 * 1024 + 10;
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/clip.mp4', respond: () => bytes(size, 'video/mp4') },
      {
        method: 'POST',
        path: '/2/media/upload/initialize',
        respond: () =>
          json(200, {
            data: { id: '1880028106020515840', media_key: '7_1880028106020515840', expires_after_secs: 1295999 },
          }),
      },
      {
        method: 'POST',
        path: '/2/media/upload/1880028106020515840/append',
        respond: () => json(200, { data: { expires_at: 1735689600 } }),
      },
      {
        method: 'POST',
        path: '/2/media/upload/1880028106020515840/finalize',
        respond: () =>
          json(200, {
            data: {
              id: '1880028106020515840',
              media_key: '7_1880028106020515840',
              size,
              processing_info: { state: 'pending', check_after_secs: 1 },
            },
          }),
      },
      {
        method: 'GET',
        path: '/2/media/upload',
        respond: () =>
          json(200, {
            data: { id: '1880028106020515840', processing_info: { state: 'succeeded', progress_percent: 100 } },
          }),
      },
      { method: 'POST', path: '/2/tweets', respond: () => json(201, fixture('x', 'create-post-response')) },
    ]);
    await xClient.publish(
      request({
        media: [{ url: 'https://media.example/clip.mp4', altText: 'Löschzug im Einsatz', mime: 'video/mp4' }],
      }),
      testContext('x', 'dresden', credentials, fetch),
    );
    expect(calls.find((call) => call.url.pathname.endsWith('/initialize'))?.json).toEqual({
      media_type: 'video/mp4',
      total_bytes: size,
      media_category: 'tweet_video',
    });
    const appends = calls
      .filter((call) => call.url.pathname.endsWith('/append'))
      .map((call) => call.json as { segment_index: number; media: string });
    expect(appends.map((append) => append.segment_index)).toEqual([0, 1]);
    expect(appends.reduce((sum, append) => sum + Buffer.from(append.media, 'base64').byteLength, 0)).toBe(size);
    expect(
      Object.fromEntries(
        calls.find((call) => call.method === 'GET' && call.url.pathname === '/2/media/upload')?.url.searchParams ?? [],
      ),
    ).toEqual({
      command: 'STATUS',
      media_id: '1880028106020515840',
    });
    expect(calls.some((call) => call.url.pathname === '/2/media/metadata')).toBe(false);
    expect(calls.find((call) => call.url.pathname === '/2/tweets')?.json).toMatchObject({
      media: { media_ids: ['1880028106020515840'] },
    });
  });

  it('a video X fails to process is permanent', async () => {
    const { fetch } = fakeFetch([
      { method: 'GET', path: '/clip.mp4', respond: () => bytes(100, 'video/mp4') },
      { method: 'POST', path: '/2/media/upload/initialize', respond: () => json(200, { data: { id: '9' } }) },
      { method: 'POST', path: '/2/media/upload/9/append', respond: () => json(200, { data: {} }) },
      {
        method: 'POST',
        path: '/2/media/upload/9/finalize',
        respond: () =>
          json(200, { data: { id: '9', processing_info: { state: 'failed', error: { message: 'InvalidMedia' } } } }),
      },
    ]);
    const sent = request({ media: [{ url: 'https://media.example/clip.mp4', altText: 'Clip', mime: 'video/mp4' }] });
    await expect(xClient.publish(sent, testContext('x', 'dresden', credentials, fetch))).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'media-processing-failed',
    });
  });

  it('a post without reply or media is just text and roots its own thread', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'POST', path: '/2/tweets', respond: () => json(201, fixture('x', 'create-post-response')) },
    ]);
    const result = await xClient.publish(request(), testContext('x', '@dresden', credentials, fetch));
    expect(calls[0]?.json).toEqual({ text: request().text });
    expect(result.threadRootId).toBe(result.remoteId);
    expect(result.remoteUrl).toBe('https://x.com/dresden/status/1445880548472328192');
  });

  it('refuses text over 280 weighted characters before calling X', async () => {
    const { fetch, calls } = fakeFetch([]);
    const error = await xClient
      .publish(request({ text: '🚒'.repeat(141) }), testContext('x', 'dresden', credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ errorClass: 'permanent', code: 'text-too-long' });
    expect(calls).toHaveLength(0);
  });
});

describe('media download', () => {
  const withImage = (url: string) => request({ media: [{ url, altText: 'Bild', mime: 'image/jpeg' }] });

  it('a media URL that answers 404 is permanent, 503 retryable, and a signed URL’s token stays out of the message', async () => {
    const { fetch } = fakeFetch([
      { method: 'GET', path: '/gone.jpg', respond: () => new Response('not found', { status: 404 }) },
      { method: 'GET', path: '/busy.jpg', respond: () => new Response('busy', { status: 503 }) },
    ]);
    const context = testContext('x', 'dresden', credentials, fetch);
    const gone = await xClient
      .publish(withImage('https://media.example/gone.jpg?token=s3cr3t-signature'), context)
      .catch((caught: unknown) => caught);
    expect(gone).toMatchObject({ errorClass: 'permanent', code: 'media-404' });
    expect((gone as Error).message).not.toContain('s3cr3t-signature');
    await expect(xClient.publish(withImage('https://media.example/busy.jpg'), context)).rejects.toMatchObject({
      errorClass: 'retryable',
    });
  });

  it('an image over X’s size limit is permanent before anything is uploaded', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/huge.jpg', respond: () => bytes(5 * 1024 * 1024 + 1, 'image/jpeg') },
    ]);
    await expect(
      xClient.publish(withImage('https://media.example/huge.jpg'), testContext('x', 'dresden', credentials, fetch)),
    ).rejects.toMatchObject({ code: 'media-too-large' });
    expect(calls).toHaveLength(1);
  });
});

describe('xClient error mapping', () => {
  it('429 is rate-limited until x-rate-limit-reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    const error = await publishError(429, fixture('x', 'error-429'), { 'x-rate-limit-reset': String(reset) });
    expect(error.errorClass).toBe('rate-limited');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(599);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(601);
  });

  it('an exhausted 24-hour user cap waits for its own reset', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await publishError(429, fixture('x', 'error-429'), {
      'x-rate-limit-reset': String(now + 60),
      'x-user-limit-24hour-remaining': '0',
      'x-user-limit-24hour-reset': String(now + 20_000),
    });
    expect(error.retryAfterSeconds).toBeGreaterThan(19_000);
  });

  it('an exhausted 24-hour app cap waits for its own reset', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await publishError(429, fixture('x', 'error-429'), {
      'x-rate-limit-reset': String(now + 60),
      'x-app-limit-24hour-remaining': '0',
      'x-app-limit-24hour-reset': String(now + 30_000),
    });
    expect(error.retryAfterSeconds).toBeGreaterThan(29_000);
  });

  it('code 88 is rate-limited', async () => {
    const error = await publishError(420, fixture('x', 'error-code-88'));
    expect(error).toMatchObject({ errorClass: 'rate-limited', code: '88' });
  });

  it('401 is auth and never shows the token', async () => {
    expect((await publishError(401, fixture('x', 'error-401'))).errorClass).toBe('auth');
  });

  it('403 duplicate content is permanent', async () => {
    expect(await publishError(403, fixture('x', 'error-duplicate'))).toMatchObject({
      errorClass: 'permanent',
      code: '187',
    });
  });

  it('403 for text too long is permanent, a bare 403 auth', async () => {
    const tooLong = {
      detail:
        'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    };
    expect((await publishError(403, tooLong)).errorClass).toBe('permanent');
    expect(
      (await publishError(403, { title: 'Forbidden', detail: 'Forbidden', type: 'about:blank', status: 403 }))
        .errorClass,
    ).toBe('auth');
  });

  it('400 invalid request is permanent, 503 retryable', async () => {
    expect((await publishError(400, fixture('x', 'error-400'))).errorClass).toBe('permanent');
    expect((await publishError(503, fixture('x', 'error-503'))).errorClass).toBe('retryable');
  });

  it('a timeout after sending is ambiguous', async () => {
    const fetch = (async () => {
      throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    }) as unknown as typeof globalThis.fetch;
    const error = await xClient
      .publish(request(), testContext('x', 'dresden', credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ errorClass: 'ambiguous' });
  });
});

describe('xClient.findPublished and followerCount', () => {
  const sentBeforeFixture = { sentAt: '2020-12-15T21:44:00.000Z' };
  const lookupRoutes = (timeline: unknown) =>
    fakeFetch([
      { method: 'GET', path: '/2/users/me', respond: () => json(200, fixture('x', 'users-me-response')) },
      { method: 'GET', path: '/2/users/2244994945/tweets', respond: () => json(200, timeline) },
    ]);

  it('finds the post carrying the marker among the account’s posts since the create call', async () => {
    const { fetch, calls } = lookupRoutes(fixture('x', 'user-timeline-response'));
    const found = await xClient.findPublished(
      request({ checkpoint: sentBeforeFixture }),
      testContext('x', 'dresden', credentials, fetch),
    );
    expect(found).toEqual({
      remoteId: '1338971066773905408',
      remoteUrl: 'https://x.com/dresden/status/1338971066773905408',
      threadRootId: '1338971066773905408',
    });
    expect(calls[1]?.url.searchParams.get('tweet.fields')).toBe('created_at');
  });

  it('asks only for posts since the attempt and follows next_token', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/2/users/me', respond: () => json(200, fixture('x', 'users-me-response')) },
      {
        method: 'GET',
        path: '/2/users/2244994945/tweets',
        respond: (call) =>
          call.url.searchParams.get('pagination_token') === 'next-1'
            ? json(200, fixture('x', 'user-timeline-response'))
            : json(200, {
                data: [{ id: '9', text: 'anderer Post', created_at: '2020-12-15T22:00:00.000Z' }],
                meta: { result_count: 1, next_token: 'next-1' },
              }),
      },
    ]);
    const found = await xClient.findPublished(
      request({ checkpoint: sentBeforeFixture }),
      testContext('x', 'dresden', credentials, fetch),
    );
    expect(found?.remoteId).toBe('1338971066773905408');
    expect(calls[1]?.url.searchParams.get('start_time')).toBe('2020-12-15T21:39:00Z');
    expect(calls[1]?.url.searchParams.get('max_results')).toBe('100');
    expect(calls[2]?.url.searchParams.get('pagination_token')).toBe('next-1');
  });

  it('matches through X’s t.co links and HTML escaping', async () => {
    const { fetch } = lookupRoutes({
      data: [
        { id: '1', text: 'Tom &amp; Jerry: https://t.co/abc123 kommen [h:z]', created_at: '2020-12-15T21:45:00.000Z' },
      ],
      meta: { result_count: 1 },
    });
    const found = await xClient.findPublished(
      request({ marker: 'Tom & Jerry: https://www.dresden.de/kinderfest kommen [h:z]', checkpoint: sentBeforeFixture }),
      testContext('x', 'dresden', credentials, fetch),
    );
    expect(found?.remoteId).toBe('1');
  });

  it('ignores an older post with the same text', async () => {
    const { fetch } = lookupRoutes(fixture('x', 'user-timeline-response'));
    expect(
      await xClient.findPublished(
        request({ checkpoint: { sentAt: '2020-12-16T09:00:00.000Z' } }),
        testContext('x', 'dresden', credentials, fetch),
      ),
    ).toBeNull();
  });

  it('returns null when no recent post carries the marker', async () => {
    const { fetch } = lookupRoutes({ meta: { result_count: 0 } });
    expect(
      await xClient.findPublished(
        request({ checkpoint: sentBeforeFixture }),
        testContext('x', 'dresden', credentials, fetch),
      ),
    ).toBeNull();
  });

  it('is certain without asking X when the create call was never made', async () => {
    const { fetch, calls } = fakeFetch([]);
    expect(await xClient.findPublished(request(), testContext('x', 'dresden', credentials, fetch))).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('reads followers from public_metrics', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/2/users/me', respond: () => json(200, fixture('x', 'users-me-response')) },
    ]);
    expect(await xClient.followerCount(testContext('x', 'dresden', credentials, fetch))).toBe(513958);
    expect(calls[0]?.url.searchParams.get('user.fields')).toBe('public_metrics');
  });
});

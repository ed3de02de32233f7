import { describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import { secondsUntilPacificMidnight, videoSnippet, youtubeClient } from '../../../shared/platforms/clients/youtube';
import { bytes, fakeFetch, fixture, json, testContext, type Route } from './fake-platform-fetch';

const TOKEN = 'ya29.youtube-secret-token';
const credentials = { accessToken: TOKEN };
const CHANNEL = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';
const VIDEO = {
  url: 'https://media.example/clips/sandsaecke.mp4',
  altText: 'Feuerwehrleute füllen Sandsäcke',
  mime: 'video/mp4' as const,
};
const SESSION =
  'https://youtube.example/upload/youtube/v3/videos?uploadType=resumable&upload_id=xa298sd_f&part=snippet,status';

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    idempotencyKey: 'm1:yt-city',
    marker: '[h:a1b2c3]',
    text: 'Sandsäcke am Terrassenufer\nSo schützt die Feuerwehr die Altstadt. [h:a1b2c3]',
    media: [VIDEO],
    checkpoint: {},
    ...overrides,
  };
}

const routes = (put: Route['respond'] = () => json(200, fixture('youtube', 'video-response'))): Route[] => [
  { method: 'GET', path: '/clips/sandsaecke.mp4', respond: () => bytes(5000, 'video/mp4') },
  {
    method: 'POST',
    path: '/upload/youtube/v3/videos',
    respond: () => new Response(null, { status: 200, headers: { location: SESSION } }),
  },
  { method: 'PUT', path: '/upload/youtube/v3/videos', respond: put },
];

describe('youtubeClient.publish', () => {
  it('opens a resumable session with the snippet, saves it, then uploads the bytes', async () => {
    const { fetch, calls } = fakeFetch(routes());
    const context = testContext('youtube', CHANNEL, credentials, fetch, 'https://youtube.example');
    const result = await youtubeClient.publish(request({ link: 'https://www.dresden.de/hochwasser' }), context);

    const open = calls.find((call) => call.method === 'POST');
    expect(Object.fromEntries(open?.url.searchParams ?? [])).toEqual({
      uploadType: 'resumable',
      part: 'snippet,status',
    });
    expect(open?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'x-upload-content-length': '5000',
      'x-upload-content-type': 'video/mp4',
    });
    expect(open?.json).toEqual({
      snippet: {
        title: 'Sandsäcke am Terrassenufer',
        description:
          'Sandsäcke am Terrassenufer\nSo schützt die Feuerwehr die Altstadt. [h:a1b2c3]\n\nhttps://www.dresden.de/hochwasser',
        categoryId: '25',
      },
      status: { privacyStatus: 'public', selfDeclaredMadeForKids: false, embeddable: true },
    });
    expect(context.checkpoints).toEqual([{ uploadUrl: SESSION, uploadSize: '5000' }]);
    const upload = calls.find((call) => call.method === 'PUT');
    expect(upload?.url.href).toBe(SESSION);
    expect(upload?.bytes?.byteLength).toBe(5000);
    expect(result).toEqual({
      remoteId: 'Ks-_Mh1QhMc',
      remoteUrl: 'https://www.youtube.com/watch?v=Ks-_Mh1QhMc',
      threadRootId: 'Ks-_Mh1QhMc',
    });
  });

  it('reuses a saved upload session instead of opening a second one', async () => {
    const { fetch, count } = fakeFetch(routes());
    const context = testContext('youtube', CHANNEL, credentials, fetch, 'https://youtube.example');
    await youtubeClient.publish(request({ checkpoint: { uploadUrl: SESSION, uploadSize: '5000' } }), context);
    expect(count('POST', '/upload/youtube/v3/videos')).toBe(0);
    expect(context.checkpoints).toHaveLength(0);
  });

  it('resumes a saved session from the last byte it kept', async () => {
    const { fetch, calls, count } = fakeFetch(
      routes((call) =>
        call.headers['content-range'] === 'bytes */5000'
          ? new Response(null, { status: 308, headers: { range: 'bytes=0-2999' } })
          : json(200, fixture('youtube', 'video-response')),
      ),
    );
    const result = await youtubeClient.publish(
      request({ checkpoint: { uploadUrl: SESSION, uploadSize: '5000' } }),
      testContext('youtube', CHANNEL, credentials, fetch, 'https://youtube.example'),
    );
    const resumed = calls.filter((call) => call.method === 'PUT')[1];
    expect(resumed?.headers['content-range']).toBe('bytes 3000-4999/5000');
    expect(resumed?.bytes?.byteLength).toBe(2000);
    expect(count('POST', '/upload/youtube/v3/videos')).toBe(0);
    expect(result.remoteId).toBe('Ks-_Mh1QhMc');
  });

  it('opens a new session when the saved one expired', async () => {
    const { fetch, calls } = fakeFetch(
      routes((call) =>
        call.url.searchParams.get('upload_id') === 'expired'
          ? new Response('Not Found', { status: 404 })
          : json(200, fixture('youtube', 'video-response')),
      ),
    );
    const context = testContext('youtube', CHANNEL, credentials, fetch, 'https://youtube.example');
    await youtubeClient.publish(
      request({
        checkpoint: {
          uploadUrl: 'https://youtube.example/upload/youtube/v3/videos?upload_id=expired',
          uploadSize: '5000',
        },
      }),
      context,
    );
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(1);
    expect(context.checkpoints.at(-1)).toEqual({ uploadUrl: SESSION, uploadSize: '5000' });
  });

  it('an upload that stops short (308) is retryable', async () => {
    const { fetch } = fakeFetch(routes(() => new Response(null, { status: 308, headers: { range: 'bytes=0-99' } })));
    await expect(
      youtubeClient.publish(request(), testContext('youtube', CHANNEL, credentials, fetch, 'https://youtube.example')),
    ).rejects.toMatchObject({
      errorClass: 'retryable',
      code: 'upload-incomplete',
    });
  });

  it('throws permanent without a video', async () => {
    const { fetch, calls } = fakeFetch([]);
    await expect(
      youtubeClient.publish(request({ media: [] }), testContext('youtube', CHANNEL, credentials, fetch)),
    ).rejects.toMatchObject({ errorClass: 'permanent', code: 'video-required' });
    expect(calls).toHaveLength(0);
  });

  it('keeps title within 100 characters and strips angle brackets', () => {
    const snippet = videoSnippet(request({ text: `<b>${'Ä'.repeat(120)}</b>` }));
    expect([...snippet.title]).toHaveLength(100);
    expect(snippet.title).not.toMatch(/[<>]/);
    expect(snippet.description).not.toMatch(/[<>]/);
  });
});

describe('youtubeClient error mapping', () => {
  async function openError(status: number, body: unknown): Promise<PlatformError> {
    const { fetch } = fakeFetch([
      routes()[0] as Route,
      { method: 'POST', path: '/upload/youtube/v3/videos', respond: () => json(status, body) },
    ]);
    const error = await youtubeClient
      .publish(request(), testContext('youtube', CHANNEL, credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as PlatformError;
  }

  it('quotaExceeded waits until midnight Pacific, rateLimitExceeded a minute', async () => {
    const quota = await openError(403, fixture('youtube', 'error-quota'));
    expect(quota).toMatchObject({ errorClass: 'rate-limited', code: 'quotaExceeded' });
    expect(quota.retryAfterSeconds).toBeGreaterThan(0);
    expect(quota.retryAfterSeconds).toBeLessThanOrEqual(24 * 3600);
    expect(await openError(403, fixture('youtube', 'error-rate-limit'))).toMatchObject({
      errorClass: 'rate-limited',
      retryAfterSeconds: 60,
    });
  });

  it('authError is auth, invalidTitle permanent, backendError retryable', async () => {
    expect(await openError(401, fixture('youtube', 'error-401'))).toMatchObject({
      errorClass: 'auth',
      code: 'authError',
    });
    expect(await openError(400, fixture('youtube', 'error-invalid-title'))).toMatchObject({
      errorClass: 'permanent',
      code: 'invalidTitle',
    });
    expect((await openError(503, fixture('youtube', 'error-backend'))).errorClass).toBe('retryable');
  });

  it('counts the seconds to midnight in Los Angeles', () => {
    // 2024-07-01 23:00 PDT (UTC-7) is 06:00 UTC the next day: one hour to go.
    expect(secondsUntilPacificMidnight(Date.UTC(2024, 6, 2, 6, 0, 0))).toBe(3600);
  });
});

describe('youtubeClient.findPublished and followerCount', () => {
  it('asks the saved upload session whether the video arrived', async () => {
    const { fetch, calls } = fakeFetch([
      {
        method: 'PUT',
        path: '/upload/youtube/v3/videos',
        respond: () => json(200, fixture('youtube', 'video-response')),
      },
    ]);
    const found = await youtubeClient.findPublished(
      request({ checkpoint: { uploadUrl: SESSION, uploadSize: '5000' } }),
      testContext('youtube', CHANNEL, credentials, fetch),
    );
    expect(found?.remoteId).toBe('Ks-_Mh1QhMc');
    expect(calls[0]?.headers['content-range']).toBe('bytes */5000');
  });

  it('an incomplete upload (308) means no video', async () => {
    const { fetch } = fakeFetch([
      {
        method: 'PUT',
        path: '/upload/youtube/v3/videos',
        respond: () => new Response(null, { status: 308, headers: { range: 'bytes=0-999' } }),
      },
    ]);
    expect(
      await youtubeClient.findPublished(
        request({ checkpoint: { uploadUrl: SESSION, uploadSize: '5000' } }),
        testContext('youtube', CHANNEL, credentials, fetch),
      ),
    ).toBeNull();
  });

  it('without a saved session no bytes were sent, so there is no video', async () => {
    const { fetch, calls } = fakeFetch([]);
    expect(
      await youtubeClient.findPublished(request(), testContext('youtube', CHANNEL, credentials, fetch)),
    ).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('reads subscriberCount from channels.list', async () => {
    const { fetch, calls } = fakeFetch([
      {
        method: 'GET',
        path: '/youtube/v3/channels',
        respond: () => json(200, fixture('youtube', 'channels-statistics-response')),
      },
    ]);
    expect(await youtubeClient.followerCount(testContext('youtube', CHANNEL, credentials, fetch))).toBe(2140);
    expect(Object.fromEntries(calls[0]?.url.searchParams ?? [])).toEqual({ part: 'statistics', mine: 'true' });
  });
});

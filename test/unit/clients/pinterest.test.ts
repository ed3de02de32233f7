import { describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import { pinTitle, pinterestClient } from '../../../shared/platforms/clients/pinterest';
import { bytes, fakeFetch, fixture, json, testContext } from './fake-platform-fetch';

const TOKEN = 'pina_secret_token_value';
const credentials = { accessToken: TOKEN };
const BOARD = '549755885175';
const IMAGE = {
  url: 'https://media.example/spielplatz.jpg',
  altText: 'Kinder auf dem neuen Klettergerüst',
  mime: 'image/jpeg' as const,
};

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    idempotencyKey: 'm1:pin-city',
    marker: '[h:a1b2c3]',
    text: 'Stadtrat tagt heute ab 16 Uhr. [h:a1b2c3]',
    media: [IMAGE],
    checkpoint: {},
    ...overrides,
  };
}

describe('pinterestClient.publish', () => {
  it('creates the pin with the documented fields and returns its URL', async () => {
    const expected = fixture<Record<string, unknown>>('pinterest', 'create-pin-request');
    const { fetch, calls } = fakeFetch([
      { method: 'POST', path: '/v5/pins', respond: () => json(201, fixture('pinterest', 'pin-response')) },
    ]);
    const result = await pinterestClient.publish(
      request({ text: expected.description as string, link: 'https://www.dresden.de/spielplaetze' }),
      testContext('pinterest', BOARD, credentials, fetch),
    );
    expect(calls[0]?.json).toEqual(expected);
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result).toEqual({
      remoteId: '813744226420795884',
      remoteUrl: 'https://www.pinterest.com/pin/813744226420795884/',
      threadRootId: '813744226420795884',
    });
  });

  it('registers a video, posts it to the storage URL with every issued field, and pins it once processed', async () => {
    const parameters = {
      'x-amz-date': '20240202T080000Z',
      'x-amz-signature': 'abc',
      key: 'uploads/1/video.mp4',
      policy: 'e30=',
      'Content-Type': 'multipart/form-data',
    };
    const statuses = ['processing', 'succeeded'];
    let storedForm = '';
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/clip.mp4', respond: () => bytes(3000, 'video/mp4') },
      {
        method: 'POST',
        path: '/v5/media',
        respond: () =>
          json(201, {
            media_id: '12345',
            media_type: 'video',
            upload_url: 'https://pinterest-media-upload.example/',
            upload_parameters: parameters,
          }),
      },
      {
        method: 'POST',
        path: '/',
        respond: (call) => {
          storedForm = Buffer.from(call.bytes ?? []).toString('latin1');
          return new Response(null, { status: 204 });
        },
      },
      {
        method: 'GET',
        path: '/v5/media/12345',
        respond: () => json(200, { media_id: '12345', media_type: 'video', status: statuses.shift() }),
      },
      { method: 'POST', path: '/v5/pins', respond: () => json(201, fixture('pinterest', 'pin-response')) },
    ]);
    await pinterestClient.publish(
      request({ media: [{ url: 'https://media.example/clip.mp4', altText: 'Löschzug', mime: 'video/mp4' }] }),
      testContext('pinterest', BOARD, credentials, fetch),
    );
    expect(calls.find((call) => call.url.pathname === '/v5/media')?.json).toEqual({ media_type: 'video' });
    const upload = calls.find((call) => call.url.hostname === 'pinterest-media-upload.example');
    expect(upload?.headers.authorization).toBeUndefined();
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    for (const [name, value] of Object.entries(parameters))
      expect(storedForm).toContain(`name="${name}"\r\n\r\n${value}\r\n`);
    expect(storedForm).toMatch(/name="file"; filename="video.mp4"\r\nContent-Type: video\/mp4/);
    expect(calls.filter((call) => call.url.pathname === '/v5/media/12345')).toHaveLength(2);
    expect(
      (calls.find((call) => call.url.pathname === '/v5/pins')?.json as { media_source: unknown }).media_source,
    ).toEqual({
      source_type: 'video_id',
      media_id: '12345',
      cover_image_key_frame_time: 0,
    });
  });

  it('keeps title and alt text inside their limits', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'POST', path: '/v5/pins', respond: () => json(201, fixture('pinterest', 'pin-response')) },
    ]);
    await pinterestClient.publish(
      request({ text: 'Ü'.repeat(150), media: [{ ...IMAGE, altText: 'ä'.repeat(600) }] }),
      testContext('pinterest', BOARD, credentials, fetch),
    );
    const pin = calls[0]?.json as { title: string; alt_text: string };
    expect([...pin.title]).toHaveLength(100);
    expect([...pin.alt_text]).toHaveLength(500);
    expect(pinTitle('\n  Erste Zeile  \nzweite')).toBe('Erste Zeile');
  });

  it('refuses a pin without an image before calling Pinterest', async () => {
    const { fetch, calls } = fakeFetch([]);
    await expect(
      pinterestClient.publish(request({ media: [] }), testContext('pinterest', BOARD, credentials, fetch)),
    ).rejects.toMatchObject({ errorClass: 'permanent', code: 'media-required' });
    expect(calls).toHaveLength(0);
  });
});

describe('pinterestClient error mapping', () => {
  async function pinError(status: number, body: unknown, headers: Record<string, string> = {}): Promise<PlatformError> {
    const { fetch } = fakeFetch([{ method: 'POST', path: '/v5/pins', respond: () => json(status, body, headers) }]);
    const error = await pinterestClient
      .publish(request(), testContext('pinterest', BOARD, credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as PlatformError;
  }

  it('maps 401/403 to auth, 429 to rate-limited, 400 to permanent, 5xx to retryable', async () => {
    expect(await pinError(401, fixture('pinterest', 'error-401'))).toMatchObject({ errorClass: 'auth', code: '2' });
    expect((await pinError(403, { code: 29, message: 'You do not have access to this board.' })).errorClass).toBe(
      'auth',
    );
    expect(await pinError(429, fixture('pinterest', 'error-429'), { 'retry-after': '60' })).toMatchObject({
      errorClass: 'rate-limited',
      retryAfterSeconds: 60,
    });
    expect(await pinError(400, fixture('pinterest', 'error-400'))).toMatchObject({
      errorClass: 'permanent',
      code: '1',
    });
    expect((await pinError(503, { code: 3, message: 'Service unavailable' })).errorClass).toBe('retryable');
  });
});

describe('pinterestClient.findPublished and followerCount', () => {
  it('finds the marker among the board’s pins', async () => {
    const { fetch, calls } = fakeFetch([
      {
        method: 'GET',
        path: `/v5/boards/${BOARD}/pins`,
        respond: () => json(200, fixture('pinterest', 'board-pins-response')),
      },
    ]);
    const context = testContext('pinterest', BOARD, credentials, fetch);
    const checkpoint = { sentAt: '2024-10-16T09:00:00.000Z' };
    expect((await pinterestClient.findPublished(request({ checkpoint }), context))?.remoteId).toBe(
      '813744226420795884',
    );
    expect(await pinterestClient.findPublished(request({ marker: '[h:ffffff]', checkpoint }), context)).toBeNull();
    expect(await pinterestClient.findPublished(request(), context)).toBeNull();
    expect(calls).toHaveLength(2);
    expect(calls[0]?.url.searchParams.get('page_size')).toBe('250');
  });

  it('follows bookmarks through the whole board, and gives up uncertain (retryable) after ten pages', async () => {
    const checkpoint = { sentAt: '2024-10-16T09:00:00.000Z' };
    const other = { id: '1', title: 'x', description: 'anderer Pin', created_at: '2024-10-16T09:30:00-00:00' };
    const { fetch, calls } = fakeFetch([
      {
        method: 'GET',
        path: `/v5/boards/${BOARD}/pins`,
        respond: (call) =>
          call.url.searchParams.get('bookmark') === 'page-2'
            ? json(200, fixture('pinterest', 'board-pins-response'))
            : json(200, { items: [other], bookmark: 'page-2' }),
      },
    ]);
    expect(
      (
        await pinterestClient.findPublished(
          request({ checkpoint }),
          testContext('pinterest', BOARD, credentials, fetch),
        )
      )?.remoteId,
    ).toBe('813744226420795884');
    expect(calls).toHaveLength(2);

    const endless = fakeFetch([
      {
        method: 'GET',
        path: `/v5/boards/${BOARD}/pins`,
        respond: (_call, count) => json(200, { items: [other], bookmark: `page-${count + 1}` }),
      },
    ]);
    await expect(
      pinterestClient.findPublished(
        request({ checkpoint }),
        testContext('pinterest', BOARD, credentials, endless.fetch),
      ),
    ).rejects.toMatchObject({
      errorClass: 'retryable',
      code: 'lookup-incomplete',
    });
    expect(endless.calls).toHaveLength(10);
  });

  it('reads follower_count from the user account', async () => {
    const { fetch } = fakeFetch([
      {
        method: 'GET',
        path: '/v5/user_account',
        respond: () => json(200, fixture('pinterest', 'user-account-response')),
      },
    ]);
    expect(await pinterestClient.followerCount(testContext('pinterest', BOARD, credentials, fetch))).toBe(1520);
  });
});

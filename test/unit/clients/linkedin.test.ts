import { describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import {
  escapeCommentary,
  LINKEDIN_VERSION,
  linkedinClient,
  unescapeCommentary,
} from '../../../shared/platforms/clients/linkedin';
import { bytes, fakeFetch, fixture, json, testContext } from './fake-platform-fetch';

const TOKEN = 'AQV-linkedin-secret-token';
const credentials = { accessToken: TOKEN };
const ORG = '5515715';
const created = () =>
  new Response(null, { status: 201, headers: { 'x-restli-id': 'urn:li:share:6844785523593134080' } });

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    idempotencyKey: 'm1:li-city',
    marker: '[h:a1b2c3]',
    text: 'Stadtrat tagt heute ab 16 Uhr. [h:a1b2c3]',
    media: [],
    checkpoint: {},
    ...overrides,
  };
}

describe('little text format', () => {
  it('escapes every reserved character and reads back the same text', () => {
    const text = 'Fragen (und Antworten) an @Stadt [Info] {x} <y> #Dresden *fett* _kursiv_ ~weg~ a|b C:\\Pfad';
    const escaped = escapeCommentary(text);
    expect(escaped).toBe(
      'Fragen \\(und Antworten\\) an \\@Stadt \\[Info\\] \\{x\\} \\<y\\> \\#Dresden \\*fett\\* \\_kursiv\\_ \\~weg\\~ a\\|b C:\\\\Pfad',
    );
    expect(unescapeCommentary(escaped)).toBe(text);
  });
});

describe('linkedinClient.publish', () => {
  it('uploads the image, then posts the documented body as the organisation with both protocol headers', async () => {
    const expected = fixture<Record<string, unknown>>('linkedin', 'create-post-request');
    const uploadUrl = new URL(
      fixture<{ value: { uploadUrl: string } }>('linkedin', 'initialize-upload-response').value.uploadUrl,
    );
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/img/spielplatz.jpg', respond: () => bytes(4096, 'image/jpeg') },
      {
        method: 'POST',
        path: '/rest/images',
        respond: () => json(200, fixture('linkedin', 'initialize-upload-response')),
      },
      { method: 'PUT', path: uploadUrl.pathname, respond: () => new Response(null, { status: 201 }) },
      { method: 'POST', path: '/rest/posts', respond: created },
    ]);
    const result = await linkedinClient.publish(
      request({
        text: 'Neue Spielplätze in Pieschen (Bilder) #Dresden',
        media: [
          {
            url: 'https://media.example/img/spielplatz.jpg',
            altText: 'Kinder auf dem neuen Klettergerüst',
            mime: 'image/jpeg',
          },
        ],
      }),
      testContext('linkedin', ORG, credentials, fetch),
    );

    const init = calls.find((call) => call.url.pathname === '/rest/images');
    expect(init?.url.searchParams.get('action')).toBe('initializeUpload');
    expect(init?.json).toEqual({ initializeUploadRequest: { owner: 'urn:li:organization:5515715' } });
    expect(calls.find((call) => call.method === 'PUT')?.bytes?.byteLength).toBe(4096);
    const post = calls.find((call) => call.url.pathname === '/rest/posts');
    expect(post?.json).toEqual(expected);
    expect(post?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
    });
    expect(LINKEDIN_VERSION).toMatch(/^20\d{2}(0[1-9]|1[0-2])$/);
    expect(result).toEqual({
      remoteId: 'urn:li:share:6844785523593134080',
      remoteUrl: 'https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080/',
      threadRootId: 'urn:li:share:6844785523593134080',
    });
  });

  it('puts several images into multiImage', async () => {
    let imageNumber = 0;
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: /^\/img\//, respond: () => bytes(10, 'image/png') },
      {
        method: 'POST',
        path: '/rest/images',
        respond: () =>
          json(200, { value: { uploadUrl: 'https://upload.example/u', image: `urn:li:image:I${(imageNumber += 1)}` } }),
      },
      { method: 'PUT', path: '/u', respond: () => new Response(null, { status: 201 }) },
      { method: 'POST', path: '/rest/posts', respond: created },
    ]);
    await linkedinClient.publish(
      request({
        media: [
          { url: 'https://media.example/img/a.png', altText: 'Bild A', mime: 'image/png' },
          { url: 'https://media.example/img/b.png', altText: 'Bild B', mime: 'image/png' },
        ],
      }),
      testContext('linkedin', ORG, credentials, fetch),
    );
    expect((calls.find((call) => call.url.pathname === '/rest/posts')?.json as { content: unknown }).content).toEqual({
      multiImage: {
        images: [
          { id: 'urn:li:image:I1', altText: 'Bild A' },
          { id: 'urn:li:image:I2', altText: 'Bild B' },
        ],
      },
    });
  });

  it('uploads a video in the parts LinkedIn asks for, finalises with their ETags, and posts once it is AVAILABLE', async () => {
    const statuses = ['PROCESSING', 'AVAILABLE'];
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/clips/einsatz.mp4', respond: () => bytes(6000, 'video/mp4') },
      {
        method: 'POST',
        path: '/rest/videos',
        respond: (call) =>
          call.url.searchParams.get('action') === 'initializeUpload'
            ? json(200, {
                value: {
                  uploadUrlsExpireAt: 1654128488000,
                  video: 'urn:li:video:C5F10AQGKQg_6y2a4sQ',
                  uploadInstructions: [
                    { uploadUrl: 'https://upload.example/part/0', firstByte: 0, lastByte: 4095 },
                    { uploadUrl: 'https://upload.example/part/1', firstByte: 4096, lastByte: 5999 },
                  ],
                  uploadToken: '',
                },
              })
            : new Response(null, { status: 200 }),
      },
      {
        method: 'PUT',
        path: /^\/part\/\d$/,
        respond: (call) =>
          new Response(null, { status: 200, headers: { etag: `/etag-${call.url.pathname.slice(-1)}` } }),
      },
      {
        method: 'GET',
        path: /^\/rest\/videos\//,
        respond: () => json(200, { id: 'urn:li:video:C5F10AQGKQg_6y2a4sQ', status: statuses.shift() }),
      },
      { method: 'POST', path: '/rest/posts', respond: created },
    ]);
    await linkedinClient.publish(
      request({ media: [{ url: 'https://media.example/clips/einsatz.mp4', altText: 'Löschzug', mime: 'video/mp4' }] }),
      testContext('linkedin', ORG, credentials, fetch),
    );
    const [init, finalize] = calls.filter((call) => call.url.pathname === '/rest/videos');
    expect(init?.json).toEqual({
      initializeUploadRequest: {
        owner: 'urn:li:organization:5515715',
        fileSizeBytes: 6000,
        uploadCaptions: false,
        uploadThumbnail: false,
      },
    });
    expect(calls.filter((call) => call.method === 'PUT').map((call) => call.bytes?.byteLength)).toEqual([4096, 1904]);
    expect(finalize?.url.searchParams.get('action')).toBe('finalizeUpload');
    expect(finalize?.json).toEqual({
      finalizeUploadRequest: {
        video: 'urn:li:video:C5F10AQGKQg_6y2a4sQ',
        uploadToken: '',
        uploadedPartIds: ['/etag-0', '/etag-1'],
      },
    });
    expect(calls.filter((call) => call.method === 'GET' && call.url.pathname.startsWith('/rest/videos/'))).toHaveLength(
      2,
    );
    expect((calls.find((call) => call.url.pathname === '/rest/posts')?.json as { content: unknown }).content).toEqual({
      media: { id: 'urn:li:video:C5F10AQGKQg_6y2a4sQ' },
    });
  });

  it('a 201 without x-restli-id is ambiguous', async () => {
    const { fetch } = fakeFetch([
      { method: 'POST', path: '/rest/posts', respond: () => new Response(null, { status: 201 }) },
    ]);
    await expect(
      linkedinClient.publish(request(), testContext('linkedin', ORG, credentials, fetch)),
    ).rejects.toMatchObject({ errorClass: 'ambiguous' });
  });
});

describe('linkedinClient error mapping', () => {
  async function postError(
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<PlatformError> {
    const { fetch } = fakeFetch([{ method: 'POST', path: '/rest/posts', respond: () => json(status, body, headers) }]);
    const error = await linkedinClient
      .publish(request(), testContext('linkedin', ORG, credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as PlatformError;
  }

  it('401 and 403 are auth', async () => {
    expect(await postError(401, fixture('linkedin', 'error-401'))).toMatchObject({
      errorClass: 'auth',
      code: 'INVALID_ACCESS_TOKEN',
    });
    expect(await postError(403, fixture('linkedin', 'error-403'))).toMatchObject({
      errorClass: 'auth',
      code: 'ACCESS_DENIED',
    });
  });

  it('422 and 400 are permanent', async () => {
    expect((await postError(422, fixture('linkedin', 'error-422'))).errorClass).toBe('permanent');
    expect((await postError(400, { status: 400, message: 'Invalid author' })).errorClass).toBe('permanent');
  });

  it('429 is rate-limited with Retry-After, 500 retryable', async () => {
    expect(await postError(429, fixture('linkedin', 'error-429'), { 'retry-after': '3600' })).toMatchObject({
      errorClass: 'rate-limited',
      retryAfterSeconds: 3600,
    });
    expect((await postError(500, { status: 500, message: 'Internal Server Error' })).errorClass).toBe('retryable');
  });
});

describe('linkedinClient.findPublished and followerCount', () => {
  it('finds the marker in the unescaped commentary of the organisation’s recent posts', async () => {
    const { fetch, calls } = fakeFetch([
      { method: 'GET', path: '/rest/posts', respond: () => json(200, fixture('linkedin', 'find-posts-response')) },
    ]);
    const context = testContext('linkedin', ORG, credentials, fetch);
    const checkpoint = { sentAt: '2021-09-13T17:49:00.000Z' };
    expect((await linkedinClient.findPublished(request({ checkpoint }), context))?.remoteId).toBe(
      'urn:li:share:6844785523593134080',
    );
    expect(await linkedinClient.findPublished(request({ marker: '[h:ffffff]', checkpoint }), context)).toBeNull();
    expect(
      await linkedinClient.findPublished(request({ checkpoint: { sentAt: '2021-09-14T08:00:00.000Z' } }), context),
    ).toBeNull();
    expect(calls).toHaveLength(3);
    expect(await linkedinClient.findPublished(request(), context)).toBeNull();
    expect(calls).toHaveLength(3);
    expect(calls[0]?.url.searchParams.get('author')).toBe('urn:li:organization:5515715');
    expect(calls[0]?.url.searchParams.get('q')).toBe('author');
    expect(calls[0]?.headers['x-restli-method']).toBe('FINDER');
  });

  it('pages back by creation time and stops once a page reaches before the attempt', async () => {
    const sentAt = Date.parse('2021-09-13T17:49:00.000Z');
    const page = (start: number) =>
      Array.from({ length: 100 }, (_, index) => ({
        id: `urn:li:share:${start + index}`,
        commentary: 'anderer Beitrag',
        createdAt: sentAt + 3_600_000 - (start + index) * 30_000,
      }));
    const { fetch, calls } = fakeFetch([
      {
        method: 'GET',
        path: '/rest/posts',
        respond: (call) => json(200, { elements: page(Number(call.url.searchParams.get('start'))) }),
      },
    ]);
    expect(
      await linkedinClient.findPublished(
        request({ checkpoint: { sentAt: '2021-09-13T17:49:00.000Z' } }),
        testContext('linkedin', ORG, credentials, fetch),
      ),
    ).toBeNull();
    // page 1 covers the hour after the attempt; page 2 reaches back past it, so there is no page 3
    expect(calls.map((call) => call.url.searchParams.get('start'))).toEqual(['0', '100']);
    expect(calls[0]?.url.searchParams.get('sortBy')).toBe('CREATED');
  });

  it('reads firstDegreeSize from networkSizes with the encoded organisation URN', async () => {
    const { fetch, calls } = fakeFetch([
      {
        method: 'GET',
        path: /^\/rest\/networkSizes\//,
        respond: () => json(200, fixture('linkedin', 'network-sizes-response')),
      },
    ]);
    expect(await linkedinClient.followerCount(testContext('linkedin', ORG, credentials, fetch))).toBe(3139);
    expect(calls[0]?.url.pathname).toBe('/rest/networkSizes/urn%3Ali%3Aorganization%3A5515715');
    expect(calls[0]?.url.searchParams.get('edgeType')).toBe('COMPANY_FOLLOWED_BY_MEMBER');
  });
});

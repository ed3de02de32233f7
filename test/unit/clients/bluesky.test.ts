import { beforeEach, describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import { blueskyClient, clearBlueskySessions, decodeRemoteId, newTid } from '../../../shared/platforms/clients/bluesky';
import { detectSpans } from '../../../shared/platforms/clients/bluesky-facets';
import { bytes, fakeFetch, fixture, json, testContext, type Route } from './fake-platform-fetch';

const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';
const credentials = { identifier: 'dresden.de', appPassword: APP_PASSWORD };
const DID = 'did:plc:z72i7hdynmk6r22z27h6tvur';
const CREATED = fixture<{ uri: string; cid: string }>('bluesky', 'create-record-response');

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    idempotencyKey: 'm1:bsky-city',
    marker: '[h:a1b2c3]',
    text: 'Stadtrat tagt heute ab 16 Uhr. [h:a1b2c3]',
    media: [],
    checkpoint: {},
    ...overrides,
  };
}

const sessionRoute: Route = {
  method: 'POST',
  path: '/xrpc/com.atproto.server.createSession',
  respond: () => json(200, fixture('bluesky', 'create-session-response')),
};
const createRoute: Route = {
  method: 'POST',
  path: '/xrpc/com.atproto.repo.createRecord',
  respond: () => json(200, CREATED),
};
const resolveRoute: Route = {
  method: 'GET',
  path: '/xrpc/com.atproto.identity.resolveHandle',
  respond: () => json(200, { did: 'did:plc:feuerwehr0000000000000000' }),
};

beforeEach(() => clearBlueskySessions());

describe('facets', () => {
  it('use UTF-8 byte offsets, which differ from string indexes after umlauts and emoji', () => {
    const text = 'Grüße aus Dresden 🚒 Infos: https://www.dresden.de/feuerwehr. #Brandschutz @feuerwehr.dresden.de';
    expect(text.indexOf('https://')).toBe(28);
    expect(detectSpans(text)).toEqual([
      { kind: 'link', value: 'https://www.dresden.de/feuerwehr', byteStart: 32, byteEnd: 64 },
      { kind: 'tag', value: 'Brandschutz', byteStart: 66, byteEnd: 78 },
      { kind: 'mention', value: 'feuerwehr.dresden.de', byteStart: 79, byteEnd: 100 },
    ]);
  });

  it('count a ZWJ family emoji as its 18 bytes', () => {
    expect(detectSpans('👩‍👩‍👧 Familienfest #Stadtfest2025 am Elbufer')).toEqual([
      { kind: 'tag', value: 'Stadtfest2025', byteStart: 32, byteEnd: 46 },
    ]);
  });

  it('leave numbers, URL fragments and version numbers alone', () => {
    expect(detectSpans('Platz #1 und Version @1.2 siehe https://dresden.de/a#b')).toEqual([
      { kind: 'link', value: 'https://dresden.de/a#b', byteStart: 32, byteEnd: 54 },
    ]);
  });
});

describe('newTid', () => {
  it('is 13 sortable base32 characters that grow with time', () => {
    const earlier = newTid(1_700_000_000_000_000n, 5n);
    const later = newTid(1_700_000_000_000_001n, 5n);
    expect(earlier).toMatch(/^[234567abcdefghij][234567a-z]{12}$/);
    expect(later > earlier).toBe(true);
  });
});

describe('blueskyClient.publish', () => {
  it('creates an app.bsky.feed.post record with langs, facets and a saved record key', async () => {
    const { fetch, calls } = fakeFetch([sessionRoute, createRoute, resolveRoute]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch, 'https://pds.example');
    const text = 'Grüße 🚒 https://www.dresden.de #Brandschutz @feuerwehr.dresden.de';
    const result = await blueskyClient.publish(request({ text }), context);

    expect(calls.find((call) => call.url.pathname.endsWith('createSession'))?.json).toEqual({
      identifier: 'dresden.de',
      password: APP_PASSWORD,
    });
    const create = calls.find((call) => call.url.pathname.endsWith('createRecord'));
    expect(create?.headers.authorization).toBe('Bearer eyJhbGciOiJIUzI1NiJ9.access-one.sig');
    const body = create?.json as { repo: string; collection: string; rkey: string; record: Record<string, unknown> };
    expect(body).toMatchObject({ repo: DID, collection: 'app.bsky.feed.post', rkey: context.checkpoints[0]?.rkey });
    expect(body.record).toMatchObject({ $type: 'app.bsky.feed.post', text, langs: ['de'] });
    expect(Date.parse(body.record.createdAt as string)).not.toBeNaN();
    expect(body.record.facets).toEqual([
      {
        index: { byteStart: 13, byteEnd: 35 },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://www.dresden.de' }],
      },
      {
        index: { byteStart: 36, byteEnd: 48 },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Brandschutz' }],
      },
      {
        index: { byteStart: 49, byteEnd: 70 },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:feuerwehr0000000000000000' }],
      },
    ]);
    expect(result).toEqual({
      remoteId: `${CREATED.uri}|${CREATED.cid}`,
      remoteUrl: 'https://bsky.app/profile/dresden.de/post/3l6oveex3ii2l',
      threadRootId: `${CREATED.uri}|${CREATED.cid}`,
    });
  });

  it('makes exactly one createSession for 20 publishes', async () => {
    const { fetch, count } = fakeFetch([sessionRoute, createRoute]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch);
    for (let index = 0; index < 20; index += 1) await blueskyClient.publish(request(), context);
    expect(count('POST', '/xrpc/com.atproto.server.createSession')).toBe(1);
    expect(count('POST', '/xrpc/com.atproto.repo.createRecord')).toBe(20);
  });

  it('shares one session between concurrent publishes', async () => {
    const { fetch, count } = fakeFetch([sessionRoute, createRoute]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch);
    await Promise.all(Array.from({ length: 5 }, () => blueskyClient.publish(request(), context)));
    expect(count('POST', '/xrpc/com.atproto.server.createSession')).toBe(1);
  });

  it('refreshes an expired access token instead of logging in again', async () => {
    const { fetch, calls, count } = fakeFetch([
      sessionRoute,
      {
        method: 'POST',
        path: '/xrpc/com.atproto.server.refreshSession',
        respond: () => json(200, fixture('bluesky', 'refresh-session-response')),
      },
      {
        method: 'POST',
        path: '/xrpc/com.atproto.repo.createRecord',
        respond: (call) =>
          call.headers.authorization?.includes('access-one')
            ? json(400, fixture('bluesky', 'error-expired-token'))
            : json(200, CREATED),
      },
    ]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch);
    await blueskyClient.publish(request(), context);
    await blueskyClient.publish(request(), context);
    expect(count('POST', '/xrpc/com.atproto.server.createSession')).toBe(1);
    expect(count('POST', '/xrpc/com.atproto.server.refreshSession')).toBe(1);
    expect(calls.find((call) => call.url.pathname.endsWith('refreshSession'))?.headers.authorization).toBe(
      'Bearer eyJhbGciOiJIUzI1NiJ9.refresh-one.sig',
    );
    expect(
      calls.filter((call) => call.url.pathname.endsWith('createRecord')).map((call) => call.headers.authorization),
    ).toEqual([
      'Bearer eyJhbGciOiJIUzI1NiJ9.access-one.sig',
      'Bearer eyJhbGciOiJIUzI1NiJ9.access-two.sig',
      'Bearer eyJhbGciOiJIUzI1NiJ9.access-two.sig',
    ]);
  });

  it('logs in again when both tokens were revoked, instead of flagging the channel', async () => {
    let logins = 0;
    const { fetch, count } = fakeFetch([
      {
        method: 'POST',
        path: '/xrpc/com.atproto.server.createSession',
        respond: () => (
          (logins += 1),
          json(200, fixture('bluesky', logins === 1 ? 'create-session-response' : 'refresh-session-response'))
        ),
      },
      {
        method: 'POST',
        path: '/xrpc/com.atproto.server.refreshSession',
        respond: () => json(400, { error: 'ExpiredToken', message: 'Token has been revoked' }),
      },
      {
        method: 'POST',
        path: '/xrpc/com.atproto.repo.createRecord',
        respond: (call) =>
          call.headers.authorization?.includes('access-one')
            ? json(400, { error: 'InvalidToken', message: 'Token could not be verified' })
            : json(200, CREATED),
      },
    ]);
    await expect(
      blueskyClient.publish(request(), testContext('bluesky', 'dresden.de', credentials, fetch)),
    ).resolves.toMatchObject({ remoteId: `${CREATED.uri}|${CREATED.cid}` });
    expect(count('POST', '/xrpc/com.atproto.server.refreshSession')).toBe(1);
    expect(count('POST', '/xrpc/com.atproto.server.createSession')).toBe(2);
  });

  it('embeds images with their alt text after uploading the blobs', async () => {
    const { fetch, calls } = fakeFetch([
      sessionRoute,
      createRoute,
      { method: 'GET', path: '/img/pegel.jpg', respond: () => bytes(2048, 'image/jpeg') },
      {
        method: 'POST',
        path: '/xrpc/com.atproto.repo.uploadBlob',
        respond: () => json(200, fixture('bluesky', 'upload-blob-response')),
      },
    ]);
    await blueskyClient.publish(
      request({
        media: [
          { url: 'https://media.example/img/pegel.jpg', altText: 'Pegel an der Augustusbrücke', mime: 'image/jpeg' },
        ],
      }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    const upload = calls.find((call) => call.url.pathname.endsWith('uploadBlob'));
    expect(upload?.headers['content-type']).toBe('image/jpeg');
    expect(upload?.bytes?.byteLength).toBe(2048);
    const record = (
      calls.find((call) => call.url.pathname.endsWith('createRecord'))?.json as { record: { embed: unknown } }
    ).record;
    expect(record.embed).toEqual({
      $type: 'app.bsky.embed.images',
      images: [
        {
          alt: 'Pegel an der Augustusbrücke',
          image: fixture<{ blob: unknown }>('bluesky', 'upload-blob-response').blob,
        },
      ],
    });
  });

  it('refuses an image over the lexicon’s 1,000,000 bytes before uploading it', async () => {
    const { fetch, count } = fakeFetch([
      sessionRoute,
      createRoute,
      { method: 'GET', path: '/img/big.jpg', respond: () => bytes(1_000_001, 'image/jpeg') },
    ]);
    const sent = request({
      media: [{ url: 'https://media.example/img/big.jpg', altText: 'Großes Bild', mime: 'image/jpeg' }],
    });
    await expect(
      blueskyClient.publish(sent, testContext('bluesky', 'dresden.de', credentials, fetch)),
    ).rejects.toMatchObject({ errorClass: 'permanent', code: 'media-too-large' });
    expect(count('POST', '/xrpc/com.atproto.repo.uploadBlob')).toBe(0);
  });

  it('turns the message link into a link card when there is no image', async () => {
    const { fetch, calls } = fakeFetch([sessionRoute, createRoute]);
    await blueskyClient.publish(
      request({ link: 'https://www.dresden.de/hochwasser' }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    const record = (
      calls.find((call) => call.url.pathname.endsWith('createRecord'))?.json as { record: { embed: unknown } }
    ).record;
    expect(record.embed).toEqual({
      $type: 'app.bsky.embed.external',
      external: {
        uri: 'https://www.dresden.de/hochwasser',
        title: 'https://www.dresden.de/hochwasser',
        description: '',
      },
    });
  });

  it('answers a thread with root and parent strong refs rebuilt from the remote ids', async () => {
    const { fetch, calls } = fakeFetch([sessionRoute, createRoute]);
    const root = 'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oroot00000|bafyroot';
    const parent = 'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oparent0000|bafyparent';
    const result = await blueskyClient.publish(
      request({ replyTo: { remoteId: parent, threadRootId: root } }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    const record = (
      calls.find((call) => call.url.pathname.endsWith('createRecord'))?.json as { record: { reply: unknown } }
    ).record;
    expect(record.reply).toEqual({ root: decodeRemoteId(root), parent: decodeRemoteId(parent) });
    expect(result.threadRootId).toBe(root);
  });

  it('looks up the cid of a parent recorded without one', async () => {
    const { fetch, calls } = fakeFetch([
      sessionRoute,
      createRoute,
      {
        method: 'GET',
        path: '/xrpc/com.atproto.repo.getRecord',
        respond: () =>
          json(200, { uri: 'at://did:plc:x/app.bsky.feed.post/3l6oparent0000', cid: 'bafylooked', value: {} }),
      },
    ]);
    await blueskyClient.publish(
      request({ replyTo: { remoteId: 'at://did:plc:x/app.bsky.feed.post/3l6oparent0000' } }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    expect(calls.find((call) => call.url.pathname.endsWith('getRecord'))?.url.searchParams.get('rkey')).toBe(
      '3l6oparent0000',
    );
    const record = (
      calls.find((call) => call.url.pathname.endsWith('createRecord'))?.json as { record: { reply: unknown } }
    ).record;
    const ref = { uri: 'at://did:plc:x/app.bsky.feed.post/3l6oparent0000', cid: 'bafylooked' };
    expect(record.reply).toEqual({ root: ref, parent: ref });
  });

  it('refuses more than 300 graphemes, but 300 family emoji fit', async () => {
    const { fetch } = fakeFetch([sessionRoute, createRoute]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch);
    await expect(blueskyClient.publish(request({ text: '👩‍👩‍👧'.repeat(300) }), context)).resolves.toBeDefined();
    await expect(blueskyClient.publish(request({ text: 'ä'.repeat(301) }), context)).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'text-too-long',
    });
  });
});

describe('blueskyClient error mapping', () => {
  async function createError(
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<PlatformError> {
    const { fetch } = fakeFetch([
      sessionRoute,
      { method: 'POST', path: '/xrpc/com.atproto.repo.createRecord', respond: () => json(status, body, headers) },
    ]);
    const error = await blueskyClient
      .publish(request(), testContext('bluesky', 'dresden.de', credentials, fetch))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as Error).message).not.toMatch(/access-one|abcd-efgh/);
    return error as PlatformError;
  }

  it('429 is rate-limited until ratelimit-reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 300;
    const error = await createError(429, fixture('bluesky', 'error-rate-limit'), {
      'ratelimit-reset': String(reset),
      'ratelimit-remaining': '0',
    });
    expect(error.errorClass).toBe('rate-limited');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(299);
  });

  it('InvalidRequest is permanent, 502 retryable', async () => {
    expect(await createError(400, fixture('bluesky', 'error-invalid-request'))).toMatchObject({
      errorClass: 'permanent',
      code: 'InvalidRequest',
    });
    clearBlueskySessions();
    expect((await createError(502, { error: 'UpstreamFailure', message: 'Upstream Failure' })).errorClass).toBe(
      'retryable',
    );
  });

  it('a wrong app password is auth, and the failed login is not cached', async () => {
    let attempts = 0;
    const { fetch } = fakeFetch([
      {
        method: 'POST',
        path: '/xrpc/com.atproto.server.createSession',
        respond: () => ((attempts += 1), json(401, fixture('bluesky', 'error-auth'))),
      },
    ]);
    const context = testContext('bluesky', 'dresden.de', credentials, fetch);
    await expect(blueskyClient.publish(request(), context)).rejects.toMatchObject({
      errorClass: 'auth',
      code: 'AuthenticationRequired',
    });
    await expect(blueskyClient.followerCount(context)).rejects.toMatchObject({ errorClass: 'auth' });
    expect(attempts).toBe(2);
  });
});

describe('blueskyClient.findPublished and followerCount', () => {
  it('asks for the saved record key and is certain when it is not there', async () => {
    const { fetch, calls } = fakeFetch([
      sessionRoute,
      {
        method: 'GET',
        path: '/xrpc/com.atproto.repo.getRecord',
        respond: () => json(400, fixture('bluesky', 'error-record-not-found')),
      },
    ]);
    const found = await blueskyClient.findPublished(
      request({ checkpoint: { rkey: '3l6oveex3ii2l' } }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    expect(found).toBeNull();
    expect(Object.fromEntries(calls[1]?.url.searchParams ?? [])).toEqual({
      repo: DID,
      collection: 'app.bsky.feed.post',
      rkey: '3l6oveex3ii2l',
    });
  });

  it('returns the post when the saved record key exists', async () => {
    const { fetch } = fakeFetch([
      sessionRoute,
      { method: 'GET', path: '/xrpc/com.atproto.repo.getRecord', respond: () => json(200, { ...CREATED, value: {} }) },
    ]);
    const found = await blueskyClient.findPublished(
      request({ checkpoint: { rkey: '3l6oveex3ii2l' } }),
      testContext('bluesky', 'dresden.de', credentials, fetch),
    );
    expect(found?.remoteId).toBe(`${CREATED.uri}|${CREATED.cid}`);
  });

  it('without a saved record key nothing was created, and no request is needed', async () => {
    const { fetch, calls } = fakeFetch([]);
    expect(
      await blueskyClient.findPublished(request(), testContext('bluesky', 'dresden.de', credentials, fetch)),
    ).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('reads followersCount from getProfile of the session’s DID', async () => {
    const { fetch, calls } = fakeFetch([
      sessionRoute,
      {
        method: 'GET',
        path: '/xrpc/app.bsky.actor.getProfile',
        respond: () => json(200, fixture('bluesky', 'get-profile-response')),
      },
    ]);
    expect(await blueskyClient.followerCount(testContext('bluesky', 'dresden.de', credentials, fetch))).toBe(12873);
    expect(calls[1]?.url.searchParams.get('actor')).toBe(DID);
  });
});

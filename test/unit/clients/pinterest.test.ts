import { describe, expect, it } from 'vitest';
import { PlatformError, type PublishRequest } from '../../../shared/platforms/client';
import { pinTitle, pinterestClient } from '../../../shared/platforms/clients/pinterest';
import { fakeFetch, fixture, json, testContext } from './fake-platform-fetch';

const TOKEN = 'pina_secret_token_value';
const credentials = { accessToken: TOKEN };
const BOARD = '549755885175';
const IMAGE = { url: 'https://media.example/spielplatz.jpg', altText: 'Kinder auf dem neuen Klettergerüst', mime: 'image/jpeg' as const };

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return { idempotencyKey: 'm1:pin-city', marker: '[h:a1b2c3]', text: 'Stadtrat tagt heute ab 16 Uhr. [h:a1b2c3]', media: [IMAGE], checkpoint: {}, ...overrides };
}

describe('pinterestClient.publish', () => {
  it('creates the pin with the documented fields and returns its URL', async () => {
    const expected = fixture<Record<string, unknown>>('pinterest', 'create-pin-request');
    const { fetch, calls } = fakeFetch([{ method: 'POST', path: '/v5/pins', respond: () => json(201, fixture('pinterest', 'pin-response')) }]);
    const result = await pinterestClient.publish(
      request({ text: expected.description as string, link: 'https://www.dresden.de/spielplaetze' }),
      testContext('pinterest', BOARD, credentials, fetch),
    );
    expect(calls[0]?.json).toEqual(expected);
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result).toEqual({ remoteId: '813744226420795884', remoteUrl: 'https://www.pinterest.com/pin/813744226420795884/', threadRootId: '813744226420795884' });
  });

  it('keeps title and alt text inside their limits', async () => {
    const { fetch, calls } = fakeFetch([{ method: 'POST', path: '/v5/pins', respond: () => json(201, fixture('pinterest', 'pin-response')) }]);
    await pinterestClient.publish(request({ text: 'Ü'.repeat(150), media: [{ ...IMAGE, altText: 'ä'.repeat(600) }] }), testContext('pinterest', BOARD, credentials, fetch));
    const pin = calls[0]?.json as { title: string; alt_text: string };
    expect([...pin.title]).toHaveLength(100);
    expect([...pin.alt_text]).toHaveLength(500);
    expect(pinTitle('\n  Erste Zeile  \nzweite')).toBe('Erste Zeile');
  });

  it('refuses a pin without an image before calling Pinterest', async () => {
    const { fetch, calls } = fakeFetch([]);
    await expect(pinterestClient.publish(request({ media: [] }), testContext('pinterest', BOARD, credentials, fetch))).rejects.toMatchObject({ errorClass: 'permanent', code: 'media-required' });
    expect(calls).toHaveLength(0);
  });
});

describe('pinterestClient error mapping', () => {
  async function pinError(status: number, body: unknown, headers: Record<string, string> = {}): Promise<PlatformError> {
    const { fetch } = fakeFetch([{ method: 'POST', path: '/v5/pins', respond: () => json(status, body, headers) }]);
    const error = await pinterestClient.publish(request(), testContext('pinterest', BOARD, credentials, fetch)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as PlatformError;
  }

  it('maps 401/403 to auth, 429 to rate-limited, 400 to permanent, 5xx to retryable', async () => {
    expect(await pinError(401, fixture('pinterest', 'error-401'))).toMatchObject({ errorClass: 'auth', code: '2' });
    expect((await pinError(403, { code: 29, message: 'You do not have access to this board.' })).errorClass).toBe('auth');
    expect(await pinError(429, fixture('pinterest', 'error-429'), { 'retry-after': '60' })).toMatchObject({ errorClass: 'rate-limited', retryAfterSeconds: 60 });
    expect(await pinError(400, fixture('pinterest', 'error-400'))).toMatchObject({ errorClass: 'permanent', code: '1' });
    expect((await pinError(503, { code: 3, message: 'Service unavailable' })).errorClass).toBe('retryable');
  });
});

describe('pinterestClient.findPublished and followerCount', () => {
  it('finds the marker among the board’s pins', async () => {
    const { fetch, calls } = fakeFetch([{ method: 'GET', path: `/v5/boards/${BOARD}/pins`, respond: () => json(200, fixture('pinterest', 'board-pins-response')) }]);
    const context = testContext('pinterest', BOARD, credentials, fetch);
    expect((await pinterestClient.findPublished(request(), context))?.remoteId).toBe('813744226420795884');
    expect(await pinterestClient.findPublished(request({ marker: '[h:ffffff]' }), context)).toBeNull();
    expect(calls[0]?.url.searchParams.get('page_size')).toBe('25');
  });

  it('reads follower_count from the user account', async () => {
    const { fetch } = fakeFetch([{ method: 'GET', path: '/v5/user_account', respond: () => json(200, fixture('pinterest', 'user-account-response')) }]);
    expect(await pinterestClient.followerCount(testContext('pinterest', BOARD, credentials, fetch))).toBe(1520);
  });
});

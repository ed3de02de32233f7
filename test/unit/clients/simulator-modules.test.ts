import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: Record<string, unknown> | string; id?: string };
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', body: new URLSearchParams(fields) });

describe('threads module', () => {
  const threads = (path: string) => `${sim.baseUrl('threads')}/v1.0${path}`;

  it('refuses to publish the same container twice and keeps one post', async () => {
    const { body } = await call(
      threads('/42/threads'),
      form({ media_type: 'TEXT', text: 'einmal', access_token: 'sim-threads-token' }),
    );
    const first = await call(
      threads('/42/threads_publish'),
      form({ creation_id: body.id!, access_token: 'sim-threads-token' }),
    );
    const second = await call(
      threads('/42/threads_publish'),
      form({ creation_id: body.id!, access_token: 'sim-threads-token' }),
    );
    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expect(sim.state.posts('threads')).toHaveLength(1);
  });

  it('asks for a token and refuses an invalid one with code 190', async () => {
    expect((await call(threads('/42/threads'), form({ media_type: 'TEXT', text: 'x' }))).body.error).toMatchObject({
      code: 104,
    });
    expect(
      (await call(threads('/42/threads'), form({ media_type: 'TEXT', text: 'x', access_token: 'wrong' }))).body.error,
    ).toMatchObject({ code: 190 });
  });

  it('requires text for TEXT and an image URL for IMAGE', async () => {
    expect(
      (await call(threads('/42/threads'), form({ media_type: 'TEXT', access_token: 'sim-threads-token' }))).status,
    ).toBe(400);
    expect(
      (await call(threads('/42/threads'), form({ media_type: 'IMAGE', text: 'x', access_token: 'sim-threads-token' })))
        .status,
    ).toBe(400);
  });
});

describe('instagram module', () => {
  it('refuses a container without an image or a video', async () => {
    const answer = await call(
      `${sim.baseUrl('instagram')}/v23.0/17841/media`,
      form({ caption: 'nur Text', access_token: 'sim-instagram-token' }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 100 });
  });

  it('refuses to publish a reel that is still processing', async () => {
    const { body } = await call(
      `${sim.baseUrl('instagram')}/v23.0/17841/media`,
      form({ media_type: 'REELS', video_url: 'https://a.example/v.mp4', access_token: 'sim-instagram-token' }),
    );
    const answer = await call(
      `${sim.baseUrl('instagram')}/v23.0/17841/media_publish`,
      form({ creation_id: body.id!, access_token: 'sim-instagram-token' }),
    );
    expect(answer.body.error).toMatchObject({ code: 9007, error_subcode: 2207027 });
  });
});

describe('facebook module', () => {
  it('refuses an empty post and accepts a bearer token', async () => {
    const answer = await call(`${sim.baseUrl('facebook')}/v23.0/123/feed`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-facebook-token' },
    });
    expect(answer.body.error).toMatchObject({ code: 100 });
  });
});

describe('mastodon module', () => {
  const post = (fields: Record<string, string>, key?: string) =>
    call(`${sim.baseUrl('mastodon')}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-mastodon-token', ...(key ? { 'idempotency-key': key } : {}) },
      body: new URLSearchParams(fields),
    });

  it('answers a repeated Idempotency-Key with the first status', async () => {
    const first = await post({ status: 'eins' }, 'k1');
    const again = await post({ status: 'eins' }, 'k1');
    expect(again.body.id).toBe(first.body.id);
    expect(sim.state.posts('mastodon')).toHaveLength(1);
  });

  it('validates like Mastodon: blank text 422, unknown reply 404, no token 401', async () => {
    expect((await post({ status: ' ' })).status).toBe(422);
    expect((await post({ status: 'x', in_reply_to_id: '999' })).status).toBe(404);
    expect((await call(`${sim.baseUrl('mastodon')}/api/v1/statuses`, form({ status: 'x' }))).body).toEqual({
      error: 'The access token is invalid',
    });
  });
});

describe('telegram module', () => {
  const bot = (method: string, body: unknown, token = '123456789:sim-telegram-token') =>
    call(`${sim.baseUrl('telegram')}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('counts message ids per chat and refuses a reply to an unknown message', async () => {
    expect((await bot('sendMessage', { chat_id: '@kanal_eins', text: 'a' })).body.result).toMatchObject({
      message_id: 1,
    });
    expect((await bot('sendMessage', { chat_id: '@kanal_zwei', text: 'b' })).body.result).toMatchObject({
      message_id: 1,
    });
    expect(
      (await bot('sendMessage', { chat_id: '@kanal_eins', text: 'c', reply_parameters: { message_id: 7 } })).body,
    ).toMatchObject({ ok: false, error_code: 400 });
  });

  it('refuses a caption over 1,024 characters and an unknown bot token', async () => {
    expect(
      (await bot('sendPhoto', { chat_id: '@kanal_eins', photo: 'https://a.example/p.jpg', caption: 'x'.repeat(1025) }))
        .body,
    ).toMatchObject({ error_code: 400 });
    expect((await bot('getMe', {}, '1:wrong')).body).toEqual({
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseBody, simBaseUrlEnv } from '../../../local/simulator/server';
import { MemorySimState } from '../../../local/simulator/state';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

/** The loose shape test assertions read from simulator answers. */
interface Answer {
  id: string;
  ok: boolean;
  platforms: string[];
  error: Record<string, unknown>;
}
const json = async (response: Response | Promise<Response>): Promise<Answer> =>
  (await response).json() as Promise<Answer>;
const list = async (response: Response | Promise<Response>): Promise<Record<string, unknown>[]> =>
  (await response).json() as Promise<Record<string, unknown>[]>;

const threadsPost = (query: string) =>
  fetch(`${sim.baseUrl('threads')}/v1.0/42/threads?${query}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sim-threads-token' },
  });

describe('simulator control endpoints', () => {
  it('reports health with the mounted platforms', async () => {
    const body = await json(fetch(`${sim.url}/_sim/health`));
    expect(body).toMatchObject({ ok: true });
    expect(body.platforms).toContain('threads');
  });

  it('lists accepted posts per platform and forgets them on reset', async () => {
    const { id } = await json(threadsPost('media_type=TEXT&text=hallo'));
    await fetch(`${sim.baseUrl('threads')}/v1.0/42/threads_publish?creation_id=${id}&access_token=sim-threads-token`, {
      method: 'POST',
    });
    const posts = await list(fetch(`${sim.url}/_sim/posts?platform=threads`));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ platform: 'threads', account: '42', text: 'hallo' });
    expect(await (await fetch(`${sim.url}/_sim/posts?platform=mastodon`)).json()).toEqual([]);
    await sim.reset();
    expect(await (await fetch(`${sim.url}/_sim/posts`)).json()).toEqual([]);
  });

  it('refuses an unknown platform filter and a malformed fault', async () => {
    expect((await fetch(`${sim.url}/_sim/posts?platform=myspace`)).status).toBe(400);
    const response = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'myspace' }),
    });
    expect(response.status).toBe(400);
  });

  it('answers unknown prefixes and unknown platform paths with 404s in the platform style', async () => {
    expect((await fetch(`${sim.url}/myspace/whatever`)).status).toBe(404);
    const response = await fetch(`${sim.baseUrl('threads')}/nothing-here`);
    expect(response.status).toBe(400);
    expect((await json(response)).error.code).toBe(2500);
  });

  it('serves sample media with their content type', async () => {
    const response = await fetch(`${sim.url}/_sim/media/sample.png`);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });
});

describe('fault injection', () => {
  it('answers with the status, body and Retry-After of a fault, for its count only', async () => {
    await sim.injectFaults({
      platform: 'threads',
      status: 503,
      retryAfter: 7,
      count: 1,
      body: { error: { message: 'down', code: 2 } },
    });
    const faulted = await threadsPost('media_type=TEXT&text=a');
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('7');
    expect(await faulted.json()).toEqual({ error: { message: 'down', code: 2 } });
    expect((await threadsPost('media_type=TEXT&text=a')).status).toBe(200);
  });

  it('uses the platform error body when the fault names only a status', async () => {
    await sim.injectFaults({ status: 500, count: 1 });
    const body = await json(threadsPost('media_type=TEXT&text=a'));
    expect(body.error).toMatchObject({ code: 2, is_transient: true });
  });

  it('leaves reads alone unless writesOnly is false, and other platforms alone', async () => {
    await sim.injectFaults({ platform: 'mastodon', status: 500 }, { platform: 'threads', status: 500 });
    expect(
      (await fetch(`${sim.baseUrl('threads')}/v1.0/42/threads_publishing_limit?access_token=sim-threads-token`)).status,
    ).toBe(200);
    await sim.clearFaults();
    await sim.injectFaults({ platform: 'threads', status: 500, writesOnly: false, count: 1 });
    expect(
      (await fetch(`${sim.baseUrl('threads')}/v1.0/42/threads_publishing_limit?access_token=sim-threads-token`)).status,
    ).toBe(500);
  });

  it('delays a response', async () => {
    await sim.injectFaults({ delayMs: 150, count: 1 });
    const started = Date.now();
    expect((await threadsPost('media_type=TEXT&text=a')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('records the post and then drops the connection', async () => {
    const { id } = await json(threadsPost('media_type=TEXT&text=verloren'));
    await sim.injectFaults({ dropAfterRecord: true, count: 1 });
    await expect(
      fetch(`${sim.baseUrl('threads')}/v1.0/42/threads_publish?creation_id=${id}&access_token=sim-threads-token`, {
        method: 'POST',
      }),
    ).rejects.toThrow();
    expect(sim.state.posts('threads').map((post) => post.text)).toEqual(['verloren']);
  });
});

describe('base URLs', () => {
  it('gives every platform its own prefix on the simulator', () => {
    const env = simBaseUrlEnv('http://127.0.0.1:4010/');
    expect(env.HEROLD_THREADS_BASE_URL).toBe('http://127.0.0.1:4010/threads');
    expect(env.HEROLD_INSTAGRAM_BASE_URL).toBe('http://127.0.0.1:4010/instagram');
    expect(Object.keys(env)).toHaveLength(11);
  });
});

describe('request bodies', () => {
  it('parses url-encoded forms with repeated fields as lists', () => {
    expect(
      parseBody(Buffer.from('status=hi&media_ids[]=1&media_ids[]=2&a=1&a=2'), 'application/x-www-form-urlencoded'),
    ).toEqual({
      status: 'hi',
      'media_ids[]': ['1', '2'],
      a: ['1', '2'],
    });
  });

  it('parses multipart fields and files', () => {
    const raw = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="description"\r\n\r\nEin Feuerwehrauto\r\n' +
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8abc\r\n--XyZ--\r\n',
      'latin1',
    );
    const body = parseBody(raw, 'multipart/form-data; boundary=XyZ') as Record<string, unknown>;
    expect(body.description).toBe('Ein Feuerwehrauto');
    expect(body.file).toMatchObject({ filename: 'a.jpg', contentType: 'image/jpeg', size: 5 });
  });

  it('keeps unparseable JSON out of body', () => {
    expect(parseBody(Buffer.from('{oops'), 'application/json')).toBeUndefined();
  });
});

describe('state', () => {
  it('grows follower counts slowly and repeatably', () => {
    let now = Date.UTC(2026, 0, 1);
    const state = new MemorySimState({ seed: 3, now: () => now });
    const first = state.followers('facebook', 'page-1');
    expect(new MemorySimState({ seed: 3, now: () => now }).followers('facebook', 'page-1')).toBe(first);
    now += 30 * 24 * 60 * 60 * 1000;
    const later = state.followers('facebook', 'page-1');
    expect(later).toBeGreaterThan(first);
    expect(later - first).toBeLessThan(2000);
    expect(state.followers('facebook', 'page-2')).not.toBe(later);
  });

  it('enforces the registry quota in a rolling window', () => {
    let now = 0;
    const state = new MemorySimState({ now: () => now });
    for (let index = 0; index < 20; index += 1) expect(state.takeQuota('telegram', '@dresden')).toBe(true);
    expect(state.takeQuota('telegram', '@dresden')).toBe(false);
    expect(state.takeQuota('telegram', '@other')).toBe(true);
    expect(state.quotaUsage('telegram', '@dresden')).toEqual({ used: 20, limit: 20, windowSeconds: 60 });
    now += 61_000;
    expect(state.takeQuota('telegram', '@dresden')).toBe(true);
  });

  it('hands out the documented simulator credentials', () => {
    const state = new MemorySimState();
    expect(state.token('threads')).toBe('sim-threads-token');
    expect(state.token('telegram')).toBe('123456789:sim-telegram-token');
  });
});

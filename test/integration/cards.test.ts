/**
 * Alert cards end to end in the local stack: an emergency alert of the fire brigade reaches
 * Instagram (which takes no post without an image) on a generated card that the simulated platform
 * fetches; a card that cannot be made fails only its own channel while the text channels publish;
 * routine text opts in with `card: true`; an exercise's card is rendered and kept, never posted.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
const tokens = { fire: '', cityEditor: '' };

beforeAll(async () => {
  stack = await startIsolatedStack('cards', {
    alertsFeedIntervalMs: 3_600_000,
  });
  tokens.fire = await signToken({ sub: 'gustav', org: 'fire-brigade', roles: ['editor', 'emergency'] });
  tokens.cityEditor = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
}, 120_000);
afterAll(async () => stack?.stop());

async function api(path: string, token: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

interface DeliveryView {
  platform: string;
  state: string;
  reason?: string;
  card?: { state: string; url?: string; altText: string; width: number; height: number; mime: string; reason?: string };
  notPublishedBecause?: { code: string; detail: string };
}

async function waitFor(id: string, token: string, done: (deliveries: DeliveryView[]) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api(`/messages/${id}`, token);
    if (done(json.deliveries)) return json as { deliveries: DeliveryView[] };
    if (Date.now() > deadline) throw new Error(`message ${id}: ${JSON.stringify(json.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const on = (deliveries: DeliveryView[], platform: string) =>
  deliveries.find((delivery) => delivery.platform === platform) ?? expect.fail(`no ${platform} delivery`);

const fireAlert = (identifier: string, headline: string, instruction: string, status = 'Actual') => ({
  identifier,
  status,
  category: ['Safety'],
  severity: 'Extreme',
  urgency: 'Immediate',
  certainty: 'Observed',
  texts: {
    'de-DE': { event: 'Kampfmittelfund', headline, description: 'Eine Fliegerbombe wurde gefunden.', instruction },
    en: { event: 'Unexploded ordnance', headline: 'Bomb found in Dresden-Neustadt', instruction: 'Leave the area.' },
  },
});

async function simPosts(
  platform: string,
): Promise<{ id: string; text: string; media?: { url: string; altText?: string }[] }[]> {
  return (await (await fetch(`${stack.simulatorUrl}/_sim/posts?platform=${platform}`)).json()) as never;
}

describe('an emergency alert on an image-only platform', () => {
  it('reaches PUBLISHED on Instagram with a generated JPEG card the platform can fetch, alt text = headline and instruction', async () => {
    const headline = 'Bombenfund in der Neustadt: Evakuierung';
    const instruction = 'Verlassen Sie den Sperrkreis bis 14 Uhr.';
    const created = await api('/alerts', tokens.fire, fireAlert('FW-CARD-1', headline, instruction));
    expect(created.status).toBe(202);
    const [german] = created.json.messages;
    const settled = await waitFor(german.id, tokens.fire, (deliveries) =>
      ['instagram', 'threads', 'facebook'].every((platform) => on(deliveries, platform).state === 'PUBLISHED'),
    );
    const instagram = on(settled.deliveries, 'instagram');
    expect(instagram.card).toMatchObject({ state: 'ready', width: 1080, height: 1350, mime: 'image/jpeg' });
    expect(instagram.card?.altText).toBe(`Warnung: ${headline} ${instruction}`);

    const [post] = (await simPosts('instagram')).filter((candidate) => candidate.text.startsWith(headline));
    expect(post?.media?.[0]).toEqual({ url: instagram.card?.url, altText: instagram.card?.altText });
    const image = await fetch(post!.media![0]!.url);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1080, height: 1350 });
  });

  it('fails only the card channel, with the reason, when the card cannot be made; the text channels publish', async () => {
    // Devanagari is in none of the card's fonts: the card would show empty boxes, so it is refused.
    const created = await api(
      '/alerts',
      tokens.fire,
      fireAlert('FW-CARD-2', 'Gasaustritt: चेतावनी', 'Fenster schließen.'),
    );
    expect(created.status).toBe(202);
    const settled = await waitFor(
      created.json.messages[0].id,
      tokens.fire,
      (deliveries) =>
        ['threads', 'facebook'].every((platform) => on(deliveries, platform).state === 'PUBLISHED') &&
        on(deliveries, 'instagram').state === 'FAILED',
    );
    const instagram = on(settled.deliveries, 'instagram');
    expect(instagram.card).toMatchObject({ state: 'failed' });
    expect(instagram.card?.reason).toMatch(/no glyph for "च"/);
    expect(instagram.notPublishedBecause).toMatchObject({ code: 'card' });
    expect((await simPosts('instagram')).some((post) => post.text.startsWith('Gasaustritt'))).toBe(false);
  });

  it('renders the card of an alert waiting for its second person, who sees it; it goes out on approval, a failed one fails its channel then', async () => {
    const severe = (identifier: string, headline: string) => ({
      ...fireAlert(identifier, headline, 'Fenster und Türen schließen.'),
      severity: 'Severe',
    });
    const approver = await signToken({ sub: 'hanna', org: 'fire-brigade', roles: ['emergency'] });
    const waiting = await api('/alerts', tokens.fire, severe('FW-CARD-WAIT', 'Rauchwolke über Pieschen'));
    const failing = await api('/alerts', tokens.fire, severe('FW-CARD-WAIT-BAD', 'Rauchwolke: चेतावनी'));
    expect([waiting.status, failing.status]).toEqual([202, 202]);
    const [german] = waiting.json.messages;
    const [broken] = failing.json.messages;
    const shown = await waitFor(
      german.id,
      tokens.fire,
      (deliveries) => on(deliveries, 'instagram').card?.state === 'ready',
    );
    expect(on(shown.deliveries, 'instagram').state).toBe('AWAITING_APPROVAL');
    const refused = await waitFor(
      broken.id,
      tokens.fire,
      (deliveries) => on(deliveries, 'instagram').card?.state === 'failed',
    );
    expect(on(refused.deliveries, 'instagram').state).toBe('AWAITING_APPROVAL');
    expect((await simPosts('instagram')).some((post) => post.text.startsWith('Rauchwolke'))).toBe(false);

    for (const message of [...waiting.json.messages, ...failing.json.messages])
      expect((await api(`/messages/${message.id}/approve`, approver, {})).status).toBe(200);
    const published = await waitFor(
      german.id,
      tokens.fire,
      (deliveries) => on(deliveries, 'instagram').state === 'PUBLISHED',
    );
    const card = on(published.deliveries, 'instagram').card;
    expect(card?.url).toBe(on(shown.deliveries, 'instagram').card?.url);
    const [post] = (await simPosts('instagram')).filter((candidate) =>
      candidate.text.startsWith('Rauchwolke über Pieschen'),
    );
    expect(post?.media?.[0]?.url).toBe(card?.url);
    const failed = await waitFor(
      broken.id,
      tokens.fire,
      (deliveries) => on(deliveries, 'instagram').state === 'FAILED' && on(deliveries, 'threads').state === 'PUBLISHED',
    );
    expect(on(failed.deliveries, 'instagram').notPublishedBecause).toMatchObject({ code: 'card' });
    expect(on(failed.deliveries, 'instagram').notPublishedBecause?.detail).toMatch(/no glyph for "च"/);
  });

  it('renders and keeps the card of an exercise, marked ÜBUNG, and posts nothing', async () => {
    const created = await api(
      '/alerts',
      tokens.fire,
      fireAlert('FW-CARD-3', 'Übungsalarm Hafen', 'Bitte nichts tun.', 'Exercise'),
    );
    expect(created.status).toBe(202);
    const settled = await waitFor(
      created.json.messages[0].id,
      tokens.fire,
      (deliveries) => on(deliveries, 'instagram').card?.state === 'ready',
    );
    const instagram = on(settled.deliveries, 'instagram');
    expect(instagram.state).toBe('SKIPPED');
    expect(instagram.card?.altText).toMatch(/^ÜBUNG: /);
    expect((await fetch(instagram.card!.url!)).status).toBe(200);
    expect((await simPosts('instagram')).some((post) => post.text.includes('Übungsalarm'))).toBe(false);
  });
});

describe('routine messages', () => {
  it('are skipped on Instagram and Pinterest by default, and get a card with card: true', async () => {
    const plain = await api('/messages', tokens.cityEditor, {
      text: 'Bürgerbüro am Samstag geschlossen.',
      channels: ['city-instagram', 'city-pinterest', 'city-mastodon'],
    });
    expect(plain.status).toBe(202);
    expect(plain.json.deliveries.map((delivery: DeliveryView) => delivery.state)).toEqual([
      'SKIPPED',
      'SKIPPED',
      'QUEUED',
    ]);
    const carded = await api('/messages', tokens.cityEditor, {
      text: 'Bürgerbüro am Samstag geschlossen.\n\nTermine bitte online buchen.',
      channels: ['city-instagram', 'city-pinterest'],
      card: true,
    });
    expect(carded.status).toBe(202);
    const settled = await waitFor(carded.json.id, tokens.cityEditor, (deliveries) =>
      deliveries.every((delivery) => delivery.state === 'PUBLISHED'),
    );
    expect(on(settled.deliveries, 'pinterest').card).toMatchObject({ width: 1000, height: 1500, mime: 'image/png' });
    const png = await fetch(on(settled.deliveries, 'pinterest').card!.url!);
    expect(await sharp(Buffer.from(await png.arrayBuffer())).metadata()).toMatchObject({
      format: 'png',
      width: 1000,
      height: 1500,
    });
  });

  it('previews say "card" instead of "skipped"', async () => {
    const preview = await api('/previews', tokens.cityEditor, {
      text: 'Bürgerbüro geschlossen.',
      channels: ['city-instagram', 'city-youtube'],
      card: true,
    });
    expect(preview.status).toBe(200);
    const [instagram, youtube] = preview.json.deliveries;
    expect(instagram).toMatchObject({ state: 'QUEUED', card: { width: 1080, height: 1350, mime: 'image/jpeg' } });
    expect(youtube).toMatchObject({ state: 'SKIPPED', reason: expect.stringMatching(/videos only/) });
  });
});

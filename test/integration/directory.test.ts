/**
 * The public channel directory end to end in the local stack: built from the queue at start and
 * after every change, served with the edge headers, checked with axe in Chromium, its QR codes
 * read back to the channels' exact addresses, its Atom feed valid and carrying a new message
 * within seconds of its publication, the current emergency on top, nothing that never reached a
 * channel, and no request to anyone but the directory itself.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { atomEntries, atomProblems } from '../support/atom';
import { launchChromium, type Browser } from '../support/chromium';
import { startIsolatedStack } from '../support/isolated-stack';
import { decodeQrPng } from '../support/qr';

let stack: LocalStack;
let browser: Browser;
const tokens: Record<string, string> = {};
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  stack = await startIsolatedStack('directory', {
    directoryPort: 0,
    reconcileIntervalMs: 3_600_000,
  });
  tokens.admin = await signToken({ sub: 'admin', org: 'city', roles: ['editor', 'admin'] });
  tokens.fire = await signToken({ sub: 'fw', org: 'fire-brigade', roles: ['editor', 'emergency', 'admin'] });
  browser = await launchChromium({ viewport: { width: 1200, height: 900 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function api(method: string, path: string, body?: unknown, token = tokens.admin!) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, any>) : {} }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Polls a directory file until `until` holds for its text (the builder works from a queue). */
async function directoryFile(path: string, until: (text: string) => boolean = () => true, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${stack.directory.url}${path}`);
    const text = response.status === 200 ? await response.text() : '';
    if (response.status === 200 && until(text)) return { response, text };
    if (Date.now() > deadline)
      throw new Error(`${path} did not become what was expected: ${response.status} ${text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitPublished(messageId: string, token: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { json } = await api('GET', `/messages/${messageId}`, undefined, token);
    if ((json.deliveries as { state: string }[]).some((delivery) => delivery.state === 'PUBLISHED')) return json;
    if (Date.now() > deadline) throw new Error(`message ${messageId} was not published: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the city’s directory', () => {
  it('lists active channels, frozen ones as not monitored, never retired or unconnected ones', async () => {
    const added = await api('POST', '/channels', {
      platform: 'x',
      handle: '@neu',
      displayName: 'Noch nicht verbunden',
    });
    expect(added.status).toBe(201);
    await api('PATCH', '/channels/city-pinterest', { state: 'retired', reason: 'aufgegeben' });
    const { text } = await directoryFile('/city/', (html) => !html.includes('landeshauptstadtdresden'));
    expect(text).toContain('<h1>Landeshauptstadt Dresden</h1>');
    for (const handle of ['@landeshauptstadt_dresden', 'stadt.dresden', '@dresden@dresden.social', 'dresden.de'])
      expect(text).toContain(handle);
    expect(text).toMatch(
      /<h3>X<\/h3>\s*<p class="handle">@dresden_stadt<\/p>\s*<p class="status"><strong>Wird nicht betreut\.<\/strong>/,
    );
    expect(text).not.toContain('@neu');
    expect(text).not.toContain('landeshauptstadtdresden');
  });

  it('passes axe in Chromium, in German, in English and embedded, loading nothing from elsewhere', async () => {
    for (const path of ['/city/', '/city/en/', '/city/embed.html', '/city/en/embed.html']) {
      const page = await browser.context.newPage();
      const origins = new Set<string>();
      page.on('request', (request) => origins.add(new URL(request.url()).origin));
      const response = await page.goto(`${stack.directory.url}${path}`);
      expect(response?.status()).toBe(200);
      // evaluated through the DevTools protocol: the page's own CSP allows no script at all
      await page.evaluate(axeSource);
      const result = (await page.evaluate(
        `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })`,
      )) as {
        violations: { id: string; nodes: { target: string[] }[] }[];
      };
      expect(
        result.violations.map((violation) => `${violation.id}: ${violation.nodes[0]?.target.join(' ')}`),
        path,
      ).toEqual([]);
      expect([...origins], path).toEqual([stack.directory.url]);
      await page.close();
    }
  });

  it('has QR codes that read back to each channel’s exact address, as SVG on the page and PNG for print', async () => {
    const channels = (await api('GET', '/channels')).json.items as { id: string; profileUrl?: string; state: string }[];
    const listed = channels.filter((channel) => channel.state !== 'retired' && channel.profileUrl);
    const page = await browser.context.newPage();
    await page.goto(`${stack.directory.url}/city/`);
    const cards = page.locator('li.channel');
    expect(await cards.count()).toBe(listed.length);
    const decoded: string[] = [];
    for (let index = 0; index < (await cards.count()); index += 1) {
      const card = cards.nth(index);
      const image = card.locator('figure img');
      const fromSvg = decodeQrPng(await image.screenshot());
      const pngHref = await card.locator('figcaption a').getAttribute('href');
      const png = await fetch(new URL(pngHref ?? '', `${stack.directory.url}/city/`));
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(png.headers.get('cache-control')).toContain('immutable');
      const fromPng = decodeQrPng(Buffer.from(await png.arrayBuffer()));
      expect(fromSvg).toBe(fromPng);
      expect(await card.locator('a').first().getAttribute('href')).toBe(fromSvg);
      decoded.push(fromSvg ?? '');
    }
    expect(decoded.sort()).toEqual(listed.map((channel) => channel.profileUrl).sort());
    await page.close();
  });

  it('may be framed only in its embeddable view, by the organisation’s sites', async () => {
    const embed = await fetch(`${stack.directory.url}/city/embed.html`);
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors https://www.dresden.de');
    expect(embed.headers.get('x-frame-options')).toBeNull();
    for (const path of ['/city/', '/city/en/', '/city/feed.atom']) {
      const response = await fetch(`${stack.directory.url}${path}`);
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
    }
    await api('PUT', '/organisations/city/settings', {
      displayName: 'Landeshauptstadt Dresden',
      embedOrigins: ['https://www.dresden.de', 'https://amtsblatt.dresden.de'],
    });
    await directoryFile('/city/embed.html', () => true);
    const deadline = Date.now() + 15_000;
    while (
      !(await fetch(`${stack.directory.url}/city/embed.html`)).headers
        .get('content-security-policy')
        ?.includes('amtsblatt')
    ) {
      if (Date.now() > deadline) throw new Error('the new embedding site did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it('is cache-friendly: short caching for pages, conditional requests answered with 304', async () => {
    const first = await fetch(`${stack.directory.url}/city/`);
    expect(first.headers.get('cache-control')).toBe(
      'public, max-age=10, stale-while-revalidate=30, stale-if-error=86400',
    );
    const etag = first.headers.get('etag') ?? '';
    const again = await fetch(`${stack.directory.url}/city/`, { headers: { 'if-none-match': etag } });
    expect([200, 304]).toContain(again.status);
    if (again.status === 200) expect(again.headers.get('etag')).not.toBe(etag);
  });
});

describe('messages on the directory and in its feed', () => {
  it('shows a new message in a valid Atom feed within seconds of its publication', async () => {
    const sent = await api('POST', '/messages', {
      text: 'Straßenbahnlinie 11 fährt ab Montag wieder durch die Bautzner Straße.',
      link: 'https://www.dresden.de/verkehr',
      channels: ['city-mastodon', 'city-telegram'],
    });
    expect(sent.status).toBe(202);
    const message = await waitPublished(sent.json.id as string, tokens.admin!);
    const publishedAt = Math.min(
      ...(message.deliveries as { publishedAt?: string }[])
        .filter((d) => d.publishedAt)
        .map((d) => Date.parse(d.publishedAt!)),
    );
    const { text, response } = await directoryFile(
      '/city/feed.atom',
      (xml) => xml.includes(sent.json.id as string),
      10_000,
    );
    const seenAfterMs = Date.now() - publishedAt;
    expect(seenAfterMs).toBeLessThan(10_000);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(atomProblems(text)).toEqual([]);
    const [newest] = atomEntries(text);
    expect(newest).toMatchObject({
      id: `${stack.directory.url}/city/#m-${sent.json.id}`,
      title: 'Straßenbahnlinie 11 fährt ab Montag wieder durch die Bautzner Straße.',
    });
    const page = await directoryFile('/city/', (html) => html.includes(`id="m-${sent.json.id}"`));
    expect(page.text).toContain('https://www.dresden.de/verkehr');
  });

  it('never shows what did not reach a channel: a scheduled or a cancelled message', async () => {
    const scheduled = await api('POST', '/messages', {
      text: 'Geplant für morgen.',
      channels: ['city-mastodon'],
      scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(scheduled.json.state).toBe('SCHEDULED');
    const cancelled = await api('POST', '/messages', {
      text: 'Zurückgezogen.',
      channels: ['city-mastodon'],
      scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await api('DELETE', `/messages/${cancelled.json.id}`);
    const marker = await api('POST', '/messages', { text: 'Danach veröffentlicht.', channels: ['city-telegram'] });
    await waitPublished(marker.json.id as string, tokens.admin!);
    const { text } = await directoryFile('/city/feed.atom', (xml) => xml.includes(marker.json.id as string));
    expect(text).not.toContain(scheduled.json.id as string);
    expect(text).not.toContain(cancelled.json.id as string);
  });

  it('puts the current emergency on top while it runs, and never shows the routine posts it holds', async () => {
    const alert = await api(
      'POST',
      '/messages',
      {
        text: 'Großbrand in Friedrichstadt\n\nFenster und Türen geschlossen halten.',
        priority: 'emergency',
        severity: 'Extreme',
        channels: ['fire-brigade-threads'],
      },
      tokens.fire,
    );
    expect(alert.status).toBe(202);
    await waitPublished(alert.json.id as string, tokens.fire!);
    const held = await api(
      'POST',
      '/messages',
      { text: 'Tag der offenen Tür.', channels: ['fire-brigade-threads'] },
      tokens.fire,
    );
    expect(held.json.state).toBe('HELD');
    const during = await directoryFile('/fire-brigade/', (html) => html.includes('Aktuelle Warnung'));
    expect(during.text).toMatch(
      /<section class="emergency"[^>]*>\s*<h2 id="emergency-heading">Aktuelle Warnung<\/h2>\s*<article id="m-/,
    );
    expect(during.text).toContain('Großbrand in Friedrichstadt');
    expect(during.text).not.toContain('Tag der offenen Tür');
  });
});

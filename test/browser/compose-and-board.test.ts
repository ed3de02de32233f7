/**
 * The press office's main path in a real Chromium against the local stack: sign in, compose a
 * message with an image and a per-platform text, the previews' counts agree with POST /previews,
 * send, Threads and Mastodon reach PUBLISHED with their links, frozen X is shown greyed and cannot
 * be chosen, and the WhatsApp hand-off is copied and confirmed. Every page passes axe (WCAG 2.1 A/AA);
 * the composer and the status board are photographed for the README.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, axeViolations, openBrowser, SCREENSHOTS, signIn, urls, type Session } from './support';

let session: Session;
beforeAll(async () => {
  // tall enough to photograph the whole composer without a full-page capture, whose emulated
  // resize leaves Chromium's next mouse click unanswered
  session = await openBrowser({ viewport: { width: 1360, height: 2200 } });
});
afterAll(async () => session?.close());

const TEXT =
  'Neue Kanäle: Die Stadtverwaltung ist jetzt auf Threads und in einem WhatsApp-Kanal. Dort informieren wir über Baustellen, Veranstaltungen und Warnungen – schnell und aus erster Hand.';
const MASTODON_TEXT = 'Hallo Fediverse! Die Stadt Dresden ist jetzt auch auf Threads. #Dresden';

describe('compose → send → status board', () => {
  it('signs in, previews every channel counted as the platform counts, and sends', async () => {
    const { page } = session;
    await signIn(page, '/compose');
    await expect.poll(() => page.getByRole('heading', { name: 'Nachricht verfassen' }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // frozen X is offered greyed with its state and cannot be chosen
    const x = page.getByRole('checkbox', { name: /^X\b/ });
    expect(await x.isDisabled()).toBe(true);
    expect(await x.isChecked()).toBe(false);
    await expect.poll(() => page.locator('.channel-inactive').textContent()).toMatch(/eingefroren/);

    await page.getByLabel('Text', { exact: true }).fill(TEXT);
    await page.getByLabel('Link (optional)').fill('https://www.dresden.de/neue-kanaele');
    await page.getByRole('button', { name: 'Bild oder Video hinzufügen' }).click();
    const media = `${urls().simulator}/_sim/media/sample.jpg`;
    await page.getByLabel('Adresse (URL)').fill(media);
    await page.getByLabel('Alternativtext').fill('Das Dresdner Rathaus mit dem Logo von Threads');
    await page.getByLabel('Eigenen Text für Mastodon schreiben').check();
    await page.getByLabel('Text für Mastodon', { exact: true }).fill(MASTODON_TEXT);

    // every card's count is what the API's preview says
    const body = {
      text: TEXT,
      link: 'https://www.dresden.de/neue-kanaele',
      media: [{ url: media, altText: 'Das Dresdner Rathaus mit dem Logo von Threads', mime: 'image/jpeg' }],
      overrides: { mastodon: { text: MASTODON_TEXT } },
    };
    const server = await apiCall('/previews', { body, roles: ['editor'] });
    expect(server.status).toBe(200);
    for (const delivery of server.json.deliveries as {
      channelId: string;
      length: number;
      limit: number;
      text: string;
    }[]) {
      const count = await page.getByTestId(`count-${delivery.channelId}`).textContent();
      const [length, limit] = (count ?? '').match(/[\d.]+/g)!.map((value) => Number(value.replace(/\./g, '')));
      expect({ channel: delivery.channelId, length, limit }).toEqual({
        channel: delivery.channelId,
        length: delivery.length,
        limit: delivery.limit,
      });
    }
    const mastodonCard = page.locator('article', { has: page.getByRole('heading', { name: /Mastodon/ }) });
    expect(await mastodonCard.locator('.preview-text').textContent()).toContain(MASTODON_TEXT);
    // YouTube takes videos only: skipped, and the card says why
    const youtube = page.locator('article', { has: page.getByRole('heading', { name: /YouTube/ }) });
    expect(await youtube.textContent()).toMatch(/nur Videos/);

    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'composer.png') });

    await page.getByRole('button', { name: 'Jetzt senden' }).click();
    await page.waitForURL(/\/messages\/[A-Za-z0-9_-]+$/);
  });

  it('shows Threads and Mastodon PUBLISHED with links to the live posts', async () => {
    const { page } = session;
    for (const [channel, platform] of [
      ['city-threads', 'Threads'],
      ['city-mastodon', 'Mastodon'],
    ]) {
      const row = page.locator(`tr[data-channel="${channel}"]`);
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('PUBLISHED');
      expect(await row.textContent()).toContain('Veröffentlicht');
      const link = row.getByRole('link', { name: `Beitrag auf ${platform} ansehen` });
      expect(await link.getAttribute('href')).toMatch(/^https?:\/\//);
    }
    expect(await page.locator('tr[data-channel="city-youtube"]').textContent()).toMatch(/Übersprungen/);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('copies and confirms the WhatsApp hand-off, which then counts as published', async () => {
    const { page } = session;
    const row = page.locator('tr[data-channel="city-whatsapp"]');
    expect(await row.getAttribute('data-state')).toBe('HANDOFF');
    await row.getByRole('button', { name: 'Text kopieren' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toBe('Kopiert.');
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copied).toContain('Neue Kanäle: Die Stadtverwaltung');
    expect(copied).toContain('https://www.dresden.de/neue-kanaele');

    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-board.png') });

    await row.getByRole('button', { name: 'Ich habe es gepostet' }).click();
    const dialog = page.getByRole('dialog', { name: 'Beitrag auf WhatsApp Channels bestätigen' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Ja, er ist dort' }).click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('PUBLISHED');
  });

  it('says the whole message is published once every channel that can take it has it', async () => {
    const { page, problems } = session;
    await expect
      .poll(() => page.locator('.overall').textContent(), { timeout: 30_000 })
      .toMatch(/Veröffentlicht auf allen \d+ Kanälen/);
    expect(problems).toEqual([]);
  });
});

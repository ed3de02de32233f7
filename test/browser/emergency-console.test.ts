/**
 * The emergency console in a real Chromium against the local stack, as two duty officers of the fire
 * brigade use it: one writes a live alert from a template (mode chosen and sent from the keyboard),
 * names its audience and sees it wait; the second sees it within 5 seconds on another page and
 * approves it; the live board reaches PUBLISHED on every API channel, Instagram with its alert
 * card; the update and the all-clear are written from the board and threaded. The sender cannot
 * approve their own alert, a rejection needs a reason, an exercise is never posted and looks
 * nothing like a live alert (the header bands of both are compared pixel by pixel), held routine
 * posts are released at once, and a warning that vanished from NINA is offered its all-clear. Every
 * screen passes axe (WCAG 2.1 A/AA); the console's screens are photographed for the docs.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  apiCall,
  axeViolations,
  openBrowser,
  SCREENSHOTS,
  signIn,
  simulatorFault,
  urls,
  type Session,
} from './support';

const ANNA = { name: 'Anna Schmidt', sub: 'local-anna-schmidt' };
const BEN = { name: 'Ben Krause', sub: 'local-ben-krause' };
const VIEWPORT = { width: 1360, height: 1500 };
/** the fire brigade's channels that publish through an API (X is frozen) */
const FIRE_API_CHANNELS = ['fire-brigade-threads', 'fire-brigade-facebook', 'fire-brigade-instagram'];
const CITY_REPLY_CHANNELS = ['city-threads', 'city-mastodon', 'city-bluesky', 'city-telegram'];

let anna: Session;
let ben: Session;
beforeAll(async () => {
  [anna, ben] = await Promise.all([openBrowser({ viewport: VIEWPORT }), openBrowser({ viewport: VIEWPORT })]);
});
afterAll(async () => Promise.all([anna?.close(), ben?.close()]));

interface Delivery {
  channelId: string;
  platform: string;
  state: string;
  remoteId?: string;
}
interface Message {
  id: string;
  replyTo?: string;
  alertMessages?: Record<string, string>;
  deliveries: Delivery[];
}
interface SimPost {
  platform: string;
  id: string;
  text: string;
  replyTo?: string;
}

const message = async (id: string, org: 'city' | 'fire-brigade' = 'fire-brigade') =>
  (await apiCall(`/messages/${id}`, { org, roles: ['editor', 'emergency'] })).json as Message;
const simPosts = async () => (await (await fetch(`${urls().simulator}/_sim/posts`)).json()) as SimPost[];
/** the simulator's id of a post (Bluesky's remote id also carries the record's cid) */
const simId = (remoteId: string | undefined) => remoteId?.split('|')[0];
/** A screen's change awaited as a person would (the machine may be busy): up to 10 seconds. */
const soon = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });
const idFromUrl = (page: Page) => new URL(page.url()).pathname.split('/').pop()!;

/** The second person's approval through the API, of every language message that waits for one. */
async function approveAs(who: { sub: string }, id: string, org: 'city' | 'fire-brigade' = 'fire-brigade') {
  for (const each of Object.values((await message(id, org)).alertMessages ?? { only: id })) {
    // an all-clear is not an emergency: it never waits
    if (!(await message(each, org)).deliveries.some((delivery) => delivery.state === 'AWAITING_APPROVAL')) continue;
    const answer = await apiCall(`/messages/${each}/approve`, {
      method: 'POST',
      org,
      sub: who.sub,
      roles: ['emergency'],
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  }
}

/** Replaces every [placeholder] left by a template in the form's fields, in each field's language. */
async function fillPlaceholders(page: Page, values: { de: Record<string, string>; en: Record<string, string> }) {
  for (const field of await page.locator('.alert-form input[type="text"], .alert-form textarea').all()) {
    const value = await field.inputValue();
    const words = (await field.getAttribute('lang'))?.startsWith('en') ? values.en : values.de;
    if (value.includes('[')) await field.fill(value.replace(/\[([^\]]+)\]/g, (_, name: string) => words[name] ?? name));
  }
  // photographed from the top, nothing focused
  await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
}

/** The header band as Chromium draws it: the same strip of every screenshot, compared pixel by pixel. */
async function headerBand(page: Page): Promise<PNG> {
  return PNG.sync.read(await page.screenshot({ clip: { x: 0, y: 0, width: VIEWPORT.width, height: 90 } }));
}

async function expectPublished(page: Page, channels: string[], timeout = 45_000) {
  for (const channel of channels) {
    const rows = page.locator(`tr[data-channel="${channel}"]`);
    await expect.poll(() => rows.count(), { timeout }).toBeGreaterThan(0);
    for (const row of await rows.all())
      await expect
        .poll(() => row.getAttribute('data-state'), { timeout })
        .toBe('PUBLISHED')
        .catch(async (error: unknown) => {
          // what the board says in the row, when it never gets there
          throw new Error(`${channel} not PUBLISHED: ${await row.textContent()}`, { cause: error });
        });
  }
}

async function expectThreaded(childId: string, org: 'city' | 'fire-brigade', channels: string[]) {
  const child = await message(childId, org);
  expect(child.replyTo).toBeDefined();
  const parent = await message(child.replyTo!, org);
  const posts = await simPosts();
  for (const channel of channels) {
    const mine = child.deliveries.find((delivery) => delivery.channelId === channel);
    const theirs = parent.deliveries.find((delivery) => delivery.channelId === channel);
    const post = posts.find((candidate) => candidate.id === simId(mine?.remoteId));
    expect(post, channel).toBeDefined();
    expect(post?.replyTo, channel).toBe(simId(theirs?.remoteId));
  }
}

let alertId = '';
let sentAt = 0;
let actualBand: PNG;

describe('the emergency console', () => {
  it('writes a live alert from a template, from the keyboard, names its audience, and shows it waiting', async () => {
    // the second officer is already at work on another page
    await signIn(ben.page, '/messages', { name: BEN.name, org: 'fire-brigade', roles: ['emergency'] });
    const { page } = anna;
    await signIn(page, '/console', { name: ANNA.name, org: 'fire-brigade', roles: ['editor', 'emergency'] });
    await page.getByRole('heading', { name: 'Warnkonsole', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: /^Unwetter/ }).click();
    await page.getByRole('heading', { name: 'Warnung verfassen' }).waitFor();
    await soon(() => page.getByTestId('mode-band').textContent()).toMatch(/zuerst wählen/);
    // the mode is chosen from the keyboard: nothing is previewed before it is chosen
    await page.getByRole('radio', { name: /^Echte Warnung/ }).focus();
    await page.keyboard.press('Space');
    await soon(() => page.getByTestId('mode-band').textContent()).toMatch(/ECHTE WARNUNG/);
    expect(await page.locator('html').getAttribute('data-alert-mode')).toBe('actual');

    // the template's placeholders refuse the alert until they are replaced
    await soon(() => page.locator('.previews').textContent()).toMatch(/Platzhalter ersetzt/);
    await fillPlaceholders(page, {
      de: { 'Art des Unwetters': 'Gewitter mit Sturmböen', Uhrzeit: '18:00' },
      en: { 'Art des Unwetters': 'Thunderstorms with gales', Uhrzeit: '6 pm' },
    });
    const instagram = page.locator('.previews article[data-channel="fire-brigade-instagram"]').first();
    await expect.poll(() => instagram.textContent(), { timeout: 15_000 }).toMatch(/Warnkarte statt Bild/);
    await soon(() => page.locator('.preview-language').count()).toBe(2);
    expect(await page.locator('.exercise-stamp').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-real-alert.png') });
    actualBand = await headerBand(page);

    // sent from the keyboard; the confirmation names the channels and their followers
    await page.getByRole('button', { name: 'Echte Warnung senden …' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: 'Echte Warnung an die Öffentlichkeit senden?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('audience-sum').textContent()).toMatch(
      /^An [\d.]+( \+ [\d.]+)+ Follower, zusammen [\d.]+\./,
    );
    expect(await dialog.textContent()).toMatch(/zweite Person/);
    // "back" has the focus: Enter alone never sends a live alert
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Zurück, nicht senden');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    sentAt = Date.now();
    await page.waitForURL(/\/console\/alerts\/[A-Za-z0-9_-]+$/);
    alertId = idFromUrl(page);
    await soon(() => page.locator('.approval-line').textContent()).toMatch(/Wartet seit .* zweite Person/);
    for (const channel of FIRE_API_CHANNELS)
      expect(await page.locator(`tr[data-channel="${channel}"]`).first().getAttribute('data-state')).toBe(
        'AWAITING_APPROVAL',
      );
    expect(await simPosts().then((posts) => posts.some((post) => post.text.includes('Gewitter mit Sturmböen')))).toBe(
      false,
    );
  });

  it('refuses the sender approving their own alert, on the screen and in the API', async () => {
    const { page } = anna;
    await page.getByRole('link', { name: 'Zur Freigabe' }).click();
    await page.waitForURL(/\/console\/approvals\//);
    const approve = page.getByRole('button', { name: 'Freigeben und veröffentlichen …' });
    await approve.waitFor();
    expect(await approve.isDisabled()).toBe(true);
    expect(await page.locator('#own-alert').textContent()).toMatch(/selbst gesendet/);
    const own = await apiCall(`/messages/${alertId}/approve`, {
      method: 'POST',
      org: 'fire-brigade',
      sub: ANNA.sub,
      roles: ['emergency'],
    });
    expect(own.status).toBe(403);
    expect(own.json.detail).toMatch(/cannot approve their own/);
  });

  it('shows the waiting alert to the second person within 5 seconds on another page, who approves it after seeing its audience', async () => {
    const { page } = ben;
    expect(new URL(page.url()).pathname).toBe('/messages');
    const bar = page.locator('.watch-approval');
    await expect.poll(() => bar.textContent(), { timeout: 10_000, interval: 100 }).toMatch(/Gewitter mit Sturmböen/);
    const seenAfter = Date.now() - sentAt;
    expect(seenAfter).toBeLessThan(5_000);
    expect(await bar.textContent()).toMatch(/gesendet von local-anna-schmidt \(2 Sprachen\), wartet seit/);
    expect(await axeViolations(page)).toEqual([]);

    await bar.getByRole('link', { name: 'Prüfen und freigeben' }).click();
    await page.waitForURL(/\/console\/approvals\//);
    await soon(() => page.locator('.approval-language').count()).toBe(2);
    // exactly what goes out: the stored text on each channel, and Instagram's card
    const instagram = page.locator('article[data-channel="fire-brigade-instagram"]').first();
    await expect.poll(() => instagram.locator('img').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('.approval-view').textContent()).toMatch(
      /Unwetterwarnung: Gewitter mit Sturmböen ab 18:00 Uhr/,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-approval.png') });

    await page.getByRole('button', { name: 'Freigeben und veröffentlichen …' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Warnung freigeben und veröffentlichen?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('audience-sum').textContent()).toMatch(/Follower, zusammen/);
    await dialog.getByRole('button', { name: /^Ja, freigeben und an [\d.]+ Follower senden$/ }).click();
    await page.waitForURL(/\/console\/alerts\//);
  });

  it('reaches PUBLISHED on every API channel of the fire brigade, Instagram with its alert card', async () => {
    const { page, problems } = ben;
    await expectPublished(page, FIRE_API_CHANNELS);
    // frozen X gets no delivery at all
    expect(await page.locator('tr[data-channel="fire-brigade-x"]').count()).toBe(0);
    const card = page.locator('tr[data-channel="fire-brigade-instagram"] img.board-card').first();
    await card.waitFor();
    // the image itself arrived, not only its alt text
    await soon(() => card.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBe(1080);
    expect(await card.getAttribute('alt')).toMatch(/Gewitter mit Sturmböen/);
    expect(await page.locator('.approval-line').textContent()).toMatch(/Freigegeben von local-ben-krause/);
    const instagramPosts = (await simPosts()).filter((post) => post.platform === 'instagram');
    expect(instagramPosts.filter((post) => post.text.includes('Gewitter mit Sturmböen'))).toHaveLength(1);
    expect(instagramPosts.filter((post) => post.text.includes('Thunderstorms with gales'))).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-live-board.png') });
    expect(problems).toEqual([]);
  });

  it('lists held routine posts under the banner on every page and releases them all in one go (before the all-clear ends the hold)', async () => {
    const { page } = anna;
    // the live alert put the fire brigade's routine posting on hold
    const held: string[] = [];
    for (const text of ['Tag der offenen Tür an der Feuerwache Übigau', 'Rauchmelder retten Leben: Tipps zum Testen']) {
      const created = await apiCall('/messages', { body: { text }, org: 'fire-brigade', roles: ['editor'] });
      expect(created.status).toBe(202);
      held.push(created.json.id);
    }
    expect((await message(held[0]!)).deliveries.every((delivery) => ['HELD', 'SKIPPED'].includes(delivery.state))).toBe(
      true,
    );
    await page.goto(`${urls().workspace}/messages`);
    const banner = page.locator('.hold-banner');
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toMatch(/2 zurückgehaltene Nachrichten ansehen/);
    await banner.getByRole('link', { name: '2 zurückgehaltene Nachrichten ansehen' }).click();
    await page.getByRole('heading', { name: 'Zurückgehaltene Nachrichten' }).waitFor();
    await soon(() => page.locator('tr[data-message]').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Alle 2 zurückgehaltenen Nachrichten freigeben …' }).click();
    await page.getByRole('button', { name: 'Ja, alle 2 freigeben' }).click();
    await soon(() => page.locator('.held-messages .send-status').textContent()).toMatch(/2 Nachrichten freigegeben/);
    for (const id of held)
      await expect
        .poll(async () => (await message(id)).deliveries.find((d) => d.channelId === 'fire-brigade-threads')?.state, {
          timeout: 30_000,
        })
        .toBe('PUBLISHED');
  });

  it('writes the update and the all-clear from the board, threaded under the alert on Threads', async () => {
    const { page } = ben;
    for (const kind of ['update', 'all-clear'] as const) {
      await page.goto(`${urls().workspace}/console/alerts/${alertId}`);
      await page
        .getByRole('link', { name: kind === 'update' ? 'Aktualisierung schreiben' : 'Entwarnung schreiben' })
        .click();
      await page
        .getByRole('heading', { name: kind === 'update' ? 'Aktualisierung schreiben' : 'Entwarnung schreiben' })
        .waitFor();
      await soon(() => page.locator('.answers').textContent()).toMatch(/Gewitter mit Sturmböen/);
      // an answer keeps its alert's mode
      expect(await page.locator('.mode-option-actual[data-selected]').count()).toBe(1);
      expect(await page.locator('.mode-choice input[type="radio"]:disabled').count()).toBe(3);
      if (kind === 'update') {
        const german = page.getByRole('group', { name: 'Texte auf Deutsch' });
        await german.getByLabel('Überschrift').fill('Unwetter: Sturmböen bis 20:00 Uhr');
      }
      await expect.poll(() => page.locator('.preview-language').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await page.locator('.preview-notes').first().textContent()).toMatch(/eingefädelt/);
      await page.getByRole('button', { name: 'Echte Warnung senden …' }).click();
      await page
        .getByRole('alertdialog')
        .getByRole('button', { name: /^Ja, an/ })
        .click();
      await page.waitForURL(/\/console\/alerts\/[A-Za-z0-9_-]+$/);
      const id = idFromUrl(page);
      expect(id).not.toBe(alertId);
      // the fire brigade's policy asks for a second person for these too
      await approveAs(ANNA, id);
      await expectPublished(page, FIRE_API_CHANNELS);
      await expectThreaded(id, 'fire-brigade', ['fire-brigade-threads']);
      expect(await page.locator('tr[data-channel="fire-brigade-threads"] .threaded').first().textContent()).toMatch(
        /eingefädelt/,
      );
    }
  });

  it('rejects an alert with a reason: nothing is published and the reason is shown', async () => {
    const created = await apiCall('/alerts', {
      org: 'fire-brigade',
      sub: ANNA.sub,
      roles: ['emergency'],
      body: {
        identifier: `herold-reject-${Date.now()}`,
        status: 'Actual',
        category: ['Health'],
        severity: 'Severe',
        urgency: 'Immediate',
        certainty: 'Observed',
        texts: {
          'de-DE': { event: 'Trinkwasserverunreinigung', headline: 'Trinkwasser in Plauen abkochen' },
          en: { event: 'Drinking water contamination', headline: 'Boil tap water in Plauen' },
        },
      },
    });
    expect(created.status).toBe(202);
    const id = created.json.messages[0].id as string;
    const { page } = ben;
    await page.goto(`${urls().workspace}/console/approvals/${id}`);
    await page.getByRole('button', { name: 'Ablehnen …' }).click();
    const dialog = page.getByRole('dialog', { name: 'Warnung ablehnen' });
    await dialog.getByRole('button', { name: 'Ablehnen', exact: true }).click();
    await soon(() => dialog.textContent()).toMatch(/Bitte einen Grund angeben/);
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByLabel('Grund').fill('Falscher Stadtteil: Es ist Cotta, nicht Plauen.');
    await dialog.getByRole('button', { name: 'Ablehnen', exact: true }).click();
    await soon(() => page.locator('.approval-line').textContent()).toMatch(
      /Abgelehnt von local-ben-krause: Falscher Stadtteil: Es ist Cotta, nicht Plauen\./,
    );
    for (const each of Object.values(created.json.messages as { id: string }[]).map((m) => m.id)) {
      const rejected = await message(each);
      expect(rejected.deliveries.filter((d) => d.state !== 'SKIPPED').every((d) => d.state === 'REJECTED')).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await simPosts()).some((post) => post.text.includes('Plauen'))).toBe(false);
  });

  it('records an exercise without posting it, on a screen that looks nothing like a live alert', async () => {
    const { page } = anna;
    const before = (await simPosts()).length;
    await page.goto(`${urls().workspace}/console/new?template=bombenfund-evakuierung`);
    await page.getByRole('heading', { name: 'Warnung verfassen' }).waitFor();
    await page.getByRole('radio', { name: /^Übung/ }).focus();
    await page.keyboard.press('Space');
    await fillPlaceholders(page, {
      de: { Ort: 'Carolabrücke', Radius: '1.000', Uhrzeit: '14:00', Notunterkunft: 'der 101. Oberschule' },
      en: { Ort: 'Carola Bridge', Radius: '1,000', Uhrzeit: '2 pm', Notunterkunft: '101st Secondary School' },
    });
    await expect.poll(() => page.locator('.preview-language').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('html').getAttribute('data-alert-mode')).toBe('exercise');
    expect(await page.getByTestId('mode-band').textContent()).toMatch(/^ÜBUNG/);
    // every preview says it, on the card itself
    const cards = await page.locator('.previews article').count();
    expect(cards).toBeGreaterThan(0);
    expect(await page.locator('.previews article .exercise-stamp').count()).toBe(cards);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-exercise.png') });

    // the two modes' header bands differ in most of their pixels, not in a word
    const exerciseBand = await headerBand(page);
    const { width, height } = exerciseBand;
    const differing = pixelmatch(actualBand.data, exerciseBand.data, undefined, width, height, { threshold: 0.2 });
    expect(differing / (width * height)).toBeGreaterThan(0.5);

    // no confirmation: nothing goes out
    await page.getByRole('button', { name: 'Übung aufzeichnen' }).click();
    await page.waitForURL(/\/console\/alerts\//);
    const id = idFromUrl(page);
    await soon(() => page.getByTestId('mode-band').textContent()).toMatch(/^ÜBUNG/);
    const recorded = await message(id);
    expect(recorded.deliveries.every((delivery) => delivery.state === 'SKIPPED')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await simPosts();
    expect(after.length).toBe(before);
    expect(after.some((post) => post.text.includes('Carolabrücke'))).toBe(false);
  });

  it('offers the all-clear of a warning that vanished from NINA without one, and never sends it alone', async () => {
    const runFeed = () => fetch(`${urls().api}/_local/schedules/alerts-feed/run`, { method: 'POST' });
    const simulator = urls().simulator;
    const published = (await (
      await fetch(`${simulator}/_sim/nina/warnings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          headline: 'Großbrand in Friedrichstadt',
          description: 'Starke Rauchentwicklung.',
          severity: 'Severe',
          urgency: 'Immediate',
        }),
      })
    ).json()) as { identifier: string };
    expect((await runFeed()).ok).toBe(true);
    await fetch(`${simulator}/_sim/nina/warnings/${encodeURIComponent(published.identifier)}`, { method: 'DELETE' });
    expect((await runFeed()).ok).toBe(true);

    const { page } = anna;
    await page.goto(`${urls().workspace}/compose`);
    const bar = page.locator('.watch-vanished');
    await expect.poll(() => bar.textContent(), { timeout: 30_000 }).toMatch(/Großbrand in Friedrichstadt/);
    expect(await bar.textContent()).toMatch(/sendet keine Entwarnung von selbst/);
    expect(await axeViolations(page)).toEqual([]);
    await bar.getByRole('link', { name: 'Entwarnung vorbereiten' }).click();
    await page.getByRole('heading', { name: 'Entwarnung schreiben' }).waitFor();
    await soon(() => page.locator('.answers').textContent()).toMatch(/Großbrand in Friedrichstadt/);
    const posts = await simPosts();
    expect(posts.filter((post) => post.text.includes('Großbrand in Friedrichstadt')).some((post) => post.replyTo)).toBe(
      false,
    );
  });

  it('threads the update and the all-clear of a city alert on Threads, Mastodon, Bluesky and Telegram', async () => {
    const city = { name: 'Clara Weber', sub: 'local-clara-weber' };
    const created = await apiCall('/alerts', {
      org: 'city',
      sub: city.sub,
      roles: ['emergency'],
      body: {
        identifier: `herold-city-${Date.now()}`,
        status: 'Actual',
        category: ['Infra'],
        severity: 'Severe',
        urgency: 'Immediate',
        certainty: 'Observed',
        texts: {
          'de-DE': {
            event: 'Stromausfall',
            headline: 'Stromausfall in Gorbitz',
            instruction: 'Kerzen nicht unbeaufsichtigt lassen.',
          },
        },
      },
    });
    expect(created.status).toBe(202);
    const originalId = created.json.messages[0].id as string;
    // the city's policy asks for a second person for every live alert
    await approveAs(ANNA, originalId, 'city');

    const clara = await openBrowser({ viewport: VIEWPORT });
    const { page } = clara;
    onTestFinished(() => clara.close());
    await signIn(page, `/console/alerts/${originalId}`, { name: city.name, org: 'city', roles: ['emergency'] });
    await expectPublished(page, CITY_REPLY_CHANNELS);
    for (const kind of ['update', 'all-clear'] as const) {
      await page.goto(`${urls().workspace}/console/alerts/${originalId}`);
      await page
        .getByRole('link', { name: kind === 'update' ? 'Aktualisierung schreiben' : 'Entwarnung schreiben' })
        .click();
      await expect.poll(() => page.locator('.preview-language').count(), { timeout: 15_000 }).toBe(1);
      await page.getByRole('button', { name: 'Echte Warnung senden …' }).click();
      await page
        .getByRole('alertdialog')
        .getByRole('button', { name: /^Ja, an/ })
        .click();
      await page.waitForURL((url) => url.pathname.startsWith('/console/alerts/') && !url.pathname.endsWith(originalId));
      const id = idFromUrl(page);
      await approveAs(ANNA, id, 'city');
      await expectPublished(page, CITY_REPLY_CHANNELS);
      await expectThreaded(id, 'city', CITY_REPLY_CHANNELS);
    }
    expect(clara.problems).toEqual([]);
  });

  it('turns a channel red that has not published 60 seconds after the alert was sent, and says why', async () => {
    // Threads answers every post with a transient error for as long as this runs
    await simulatorFault({
      platform: 'threads',
      status: 503,
      body: {
        error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true },
      },
    });
    onTestFinished(() => simulatorFault(null));
    // Extreme: the fire brigade's policy lets one person send it
    const created = await apiCall('/alerts', {
      org: 'fire-brigade',
      sub: ANNA.sub,
      roles: ['emergency'],
      body: {
        identifier: `herold-late-${Date.now()}`,
        status: 'Actual',
        category: ['Fire'],
        severity: 'Extreme',
        urgency: 'Immediate',
        certainty: 'Observed',
        texts: {
          'de-DE': { event: 'Großbrand', headline: 'Großbrand in Pieschen: Fenster und Türen schließen' },
          en: { event: 'Major fire', headline: 'Major fire in Pieschen: close windows and doors' },
        },
      },
    });
    expect(created.status).toBe(202);
    const { page } = anna;
    await page.goto(`${urls().workspace}/console/alerts/${created.json.messages[0].id}`);
    await expectPublished(page, ['fire-brigade-facebook', 'fire-brigade-instagram']);
    const threads = page.locator('tr[data-channel="fire-brigade-threads"]').first();
    await soon(() => threads.textContent()).toMatch(/Die Plattform meldet einen Fehler|Die Plattform bremst gerade/);
    expect(await threads.getAttribute('data-late')).toBeNull();
    await expect.poll(() => threads.getAttribute('data-late'), { timeout: 75_000 }).toBe('true');
    expect(await threads.textContent()).toMatch(/Seit über 60 Sekunden nicht veröffentlicht\./);
    expect(await threads.textContent()).toMatch(/Service temporarily unavailable/);
    expect(await axeViolations(page)).toEqual([]);
  }, 150_000);
});

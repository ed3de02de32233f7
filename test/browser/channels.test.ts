/**
 * The Channels page end to end, in Chromium against the simulator's sign-in pages: every platform's
 * account connected the way it authorises (the OAuth platforms through the platform's page and back
 * to the Channels page with the outcome; Mastodon with its instance; Bluesky, Telegram and WhatsApp
 * with their forms), a refused consent, a tampered `state`, an expired code and a Bluesky main
 * password, each shown with its reason and leaving the channel as it was; a Telegram channel
 * without a discussion group warned of as one whose replies Herold cannot read; then a message published
 * through the freshly connected channels, a channel retired with its consequences, the directory
 * settings changed and the directory rebuilt.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_TELEGRAM_NO_DISCUSSION_CHANNEL } from '../../local/simulator/platforms/telegram';
import { SIM_BLUESKY_APP_PASSWORD, SIM_BLUESKY_MAIN_PASSWORD, SIM_TOKENS } from '../../local/simulator/state';
import { apiCall, axeViolations, openBrowser, SCREENSHOTS, signIn, urls, type Session } from './support';

let session: Session;
/** channel ids by platform, once connected */
const connected: Record<string, string> = {};

beforeAll(async () => {
  session = await openBrowser({ viewport: { width: 1360, height: 1100 } });
  await signIn(session.page, '/channels', { name: 'Anna Schmidt', roles: ['editor', 'admin'] });
});
afterAll(async () => session?.close());

async function addChannel(platform: string, handle: string, displayName: string): Promise<string> {
  const created = await apiCall('/channels', { body: { platform, handle, displayName } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return created.json.id as string;
}

const row = (page: Page, id: string) => page.locator(`tr[data-channel="${id}"]`);

async function openChannels(page: Page) {
  await page.goto(`${urls().workspace}/channels`);
  await page.getByRole('heading', { name: 'Kanäle', level: 1 }).waitFor();
}

/** At the platform's consent page: decide, and follow the callback page's link back to the Channels page. */
async function decideAndReturn(page: Page, decision: 'Erlauben' | 'Ablehnen') {
  await page.waitForURL((url) => url.href.startsWith(urls().simulator));
  await page.getByRole('button', { name: decision }).click();
  await page.waitForURL(/\/oauth\/callback\//);
  await page.getByRole('link', { name: 'Zurück zu den Kanälen' }).click();
  await page.waitForURL(/\/channels\?/);
}

/**
 * The person approves at the platform, but the redirect back to Herold is taken out of the browser's
 * hands (Chromium follows a 302 before any route could change it): the consent form is posted here,
 * and the browser is sent to the callback address after `change` had its way with it.
 */
async function approveThenVisit(page: Page, change: (callback: URL) => Promise<void> | void) {
  await page.waitForURL((url) => url.href.startsWith(urls().simulator));
  const request = await page.locator('input[name="request"]').getAttribute('value');
  const answer = await fetch(`${urls().simulator}/_sim/oauth/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: request ?? '', decision: 'approve' }),
    redirect: 'manual',
  });
  const callback = new URL(answer.headers.get('location') ?? '');
  await change(callback);
  await page.goto(callback.toString());
}

const notice = (page: Page) => page.locator('.notice').textContent({ timeout: 15_000 });

async function expectConnected(page: Page, id: string, account: RegExp) {
  await expect.poll(() => notice(page)).toMatch(account);
  expect(await row(page, id).getAttribute('data-state')).toBe('active');
  expect(await row(page, id).textContent()).toContain('Verbunden');
  connected[id] = id;
}

describe('connecting each platform through its own sign-in', () => {
  it('adds a Threads channel from the page and connects it in one click', async () => {
    const { page } = session;
    await openChannels(page);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Kanal hinzufügen' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Plattform', { exact: true }).selectOption('threads');
    await dialog.getByRole('button', { name: 'Hinzufügen' }).click();
    // nothing typed in: the fields say so
    await expect.poll(() => dialog.locator('.field-errors').count()).toBe(2);
    await dialog.getByLabel('Name auf der Plattform').fill('@herold_threads');
    await dialog.getByLabel('Anzeigename').fill('Stadt auf Threads');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Hinzufügen' }).click();
    await expect.poll(() => notice(page)).toMatch(/„Stadt auf Threads“ wurde hinzugefügt/);
    const threads = page.locator('tr', { hasText: 'Stadt auf Threads' });
    expect(await threads.textContent()).toContain('Nicht verbunden');
    const id = (await threads.getAttribute('data-channel'))!;

    await threads.getByRole('button', { name: /^Verbinden/ }).click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /„Stadt auf Threads“ ist mit dem Threads-Konto @herold_threads verbunden/);
    expect(await row(page, id).getAttribute('class')).toContain('highlighted');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('Facebook: a sign-in reaching several Pages names them; the person picks one and connects', async () => {
    const { page } = session;
    const id = await addChannel('facebook', 'Unbekannte Seite', 'Stadt auf Facebook');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expect.poll(() => notice(page)).toMatch(/several Pages \(Herold Testseite, Zweite Seite\)/);
    expect(await row(page, id).getAttribute('data-state')).toBe('frozen');

    await row(page, id)
      .getByRole('button', { name: /^Andere Seite wählen/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Seite, Organisation oder Pinnwand (optional)').fill('Zweite Seite');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Weiter zur Anmeldung bei Facebook' }).click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /Facebook-Konto Zweite Seite verbunden/);
  });

  it('Instagram: the business account of the Page', async () => {
    const { page } = session;
    const id = await addChannel('instagram', '@herold_test', 'Stadt auf Instagram');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /Instagram-Konto @herold_test verbunden/);
  });

  it('LinkedIn: a tampered state is refused and changes nothing; connecting again works', async () => {
    const { page } = session;
    const id = await addChannel('linkedin', 'herold-test', 'Stadt auf LinkedIn');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await approveThenVisit(page, (callback) =>
      callback.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -4)}AAAA`),
    );
    expect(await page.locator('h1').textContent()).toContain('Anmeldung abgelehnt');
    await page.getByRole('link', { name: 'Zurück zu den Kanälen' }).click();
    await page.waitForURL(/outcome=refused/);
    await expect.poll(() => notice(page)).toMatch(/nicht angenommen .* Es wurde nichts geändert/);
    expect(await row(page, id).getAttribute('data-state')).toBe('frozen');
    expect(await row(page, id).textContent()).toContain('Nicht verbunden');

    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /LinkedIn-Konto Herold Test GmbH verbunden/);
  });

  it('YouTube: Google sign-in with offline access', async () => {
    const { page } = session;
    const id = await addChannel('youtube', '@heroldtest', 'Stadt auf YouTube');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /YouTube-Konto Herold Test verbunden/);
    expect(await row(page, id).textContent()).toMatch(/gültig bis/);
  });

  it('Pinterest: a refused consent is shown with the platform’s reason; the board is then connected', async () => {
    const { page } = session;
    const id = await addChannel('pinterest', 'heroldtest', 'Stadt auf Pinterest');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Ablehnen');
    await expect.poll(() => notice(page)).toMatch(/Pinterest did not authorise Herold: access_denied/);
    expect(await row(page, id).getAttribute('data-state')).toBe('frozen');
    expect(await row(page, id).textContent()).toMatch(/Letzter Verbindungsversuch am .* fehlgeschlagen/);
    expect(await axeViolations(page)).toEqual([]);

    await row(page, id)
      .getByRole('button', { name: /^Andere Seite wählen/ })
      .click();
    await page.getByRole('dialog').getByLabel('Seite, Organisation oder Pinnwand (optional)').fill('Warnungen');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^Weiter zur Anmeldung/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /Pinterest-Konto heroldtest \/ Warnungen verbunden/);
  });

  it('X: an expired code is refused by X and shown; connecting again works (PKCE)', async () => {
    const { page } = session;
    const id = await addChannel('x', '@herold_test', 'Stadt auf X');
    await openChannels(page);
    // the code expires between the consent and Herold's exchange
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await approveThenVisit(page, async () => {
      await fetch(`${urls().simulator}/_sim/oauth/expire-codes`, { method: 'POST' });
    });
    await page.getByRole('link', { name: 'Zurück zu den Kanälen' }).click();
    await page.waitForURL(/outcome=failed/);
    await expect.poll(() => notice(page)).toMatch(/Die Verbindung von „Stadt auf X“ ist fehlgeschlagen: .*invalid/i);
    expect(await row(page, id).getAttribute('data-state')).toBe('frozen');

    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /X-Konto Herold Test verbunden/);
  });

  it('Mastodon: the instance’s address, Herold’s registration there, then its sign-in; its own text limit shown', async () => {
    const { page } = session;
    const id = await addChannel('mastodon', '@dresden@dresden.social', 'Stadt auf Mastodon');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Adresse der Instanz').fill('https://dresden.social');
    await dialog.getByRole('button', { name: 'Weiter zur Anmeldung bei Mastodon' }).click();
    await decideAndReturn(page, 'Erlauben');
    await expectConnected(page, id, /Mastodon-Konto Landeshauptstadt Dresden verbunden/);
    expect(await row(page, id).textContent()).toMatch(/Zeichenlimit der Instanz: [\d.]+ Zeichen/);
  });

  it('Bluesky: the account’s main password is refused with the reason; an app password connects', async () => {
    const { page } = session;
    const id = await addChannel('bluesky', 'herold.bsky.social', 'Stadt auf Bluesky');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('App-Passwort').fill(SIM_BLUESKY_MAIN_PASSWORD);
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expect.poll(() => dialog.locator('.form-problem').textContent()).toMatch(/main password/);
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByLabel('App-Passwort').fill(SIM_BLUESKY_APP_PASSWORD);
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expectConnected(page, id, /Bluesky-Konto .* verbunden/);
  });

  it('Telegram: the bot token, checked to be an administrator of the channel', async () => {
    const { page } = session;
    const id = await addChannel('telegram', '@herold_kanal', 'Stadt auf Telegram');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Bot-Token').fill(SIM_TOKENS.telegram);
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expectConnected(page, id, /Telegram-Konto .* verbunden/);
  });

  it('Telegram: a channel without a linked discussion group says its replies cannot be read, and what to do', async () => {
    const { page } = session;
    const id = await addChannel('telegram', SIM_TELEGRAM_NO_DISCUSSION_CHANNEL, 'Telegram ohne Diskussion');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Bot-Token').fill(SIM_TOKENS.telegram);
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expect.poll(() => notice(page)).toMatch(/Telegram-Konto .* verbunden/);
    // the collection checks each Telegram channel's discussion group and the bot's rights there
    const run = await fetch(`${urls().api}/_local/schedules/collect-replies/run`, { method: 'POST' });
    expect(run.status).toBeLessThan(300);
    // the check is a job on Telegram's queue: wait for its finding through the API, then look at the page once
    await expect
      .poll(async () => (await apiCall('/channels')).json.items.find((item: { id: string }) => item.id === id)?.inbox, {
        timeout: 70_000,
        interval: 1000,
      })
      .toMatchObject({ status: 'no-access' });
    await openChannels(page);
    const warning = row(page, id).locator('[data-inbox="no-access"]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(
      /Antworten nicht lesbar.*keine verknüpfte Diskussionsgruppe.*Bot dort zum Administrator.*Privacy-Modus/s,
    );
    // the channel connected before has its group, in which the bot reads: no warning
    const withGroup = Object.keys(connected).find((other) => other.includes('-telegram-'))!;
    expect(await row(page, withGroup).locator('[data-inbox]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('WhatsApp: the invite link, checked for its form', async () => {
    const { page } = session;
    const id = await addChannel('whatsapp', 'Herold WhatsApp', 'Stadt auf WhatsApp');
    await openChannels(page);
    await row(page, id)
      .getByRole('button', { name: /^Verbinden/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Einladungslink').fill('https://example.org/channel/x');
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expect.poll(() => dialog.locator('.field-errors').textContent()).toMatch(/invite link/);
    await dialog.getByLabel('Einladungslink').fill('https://whatsapp.com/channel/0029VaHeroldTest01');
    await dialog.getByRole('button', { name: 'Prüfen und verbinden' }).click();
    await expectConnected(page, id, /WhatsApp Channels-Konto .* verbunden/);
  });

  it('publishes a message through every freshly connected channel', async () => {
    const ids = Object.keys(connected);
    expect(ids).toHaveLength(11);
    const youtube = ids.filter((id) => id.includes('-youtube-'));
    const others = ids.filter((id) => !id.includes('-youtube-'));
    const media = (file: string, mime: string) => [
      { url: `${urls().simulator}/_sim/media/${file}`, altText: 'Das Dresdner Rathaus', mime },
    ];
    const sent = [
      await apiCall('/messages', {
        body: { text: 'Neu verbunden: Herold grüßt.', channels: others, media: media('sample.jpg', 'image/jpeg') },
      }),
      await apiCall('/messages', {
        body: { text: 'Neu verbunden: Herold grüßt.', channels: youtube, media: media('sample.mp4', 'video/mp4') },
      }),
    ];
    for (const message of sent) expect(message.status, JSON.stringify(message.json)).toBe(202);
    const states = async () =>
      Object.fromEntries(
        (await Promise.all(sent.map(async (message) => (await apiCall(`/messages/${message.json.id}`)).json))).flatMap(
          (message) =>
            (message.deliveries as { channelId: string; state: string }[]).map((d) => [d.channelId, d.state]),
        ),
      );
    await expect
      .poll(states, { timeout: 60_000, interval: 500 })
      .toEqual(Object.fromEntries(ids.map((id) => [id, id.includes('-whatsapp-') ? 'HANDOFF' : 'PUBLISHED'])));

    const { page } = session;
    await openChannels(page);
    for (const id of others.filter((other) => !other.includes('-whatsapp-')))
      await expect.poll(() => row(page, id).locator('td').nth(3).textContent()).toContain('Veröffentlicht');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'channels.png'), fullPage: true });
  });
});

describe('freezing and retiring', () => {
  it('names the consequences, keeps the audit record, and reports what retiring did to the credentials', async () => {
    const { page } = session;
    await openChannels(page);
    const telegram = Object.keys(connected).find((id) => id.includes('-telegram-'))!;
    await row(page, telegram)
      .getByRole('button', { name: /^Einfrieren/ })
      .click();
    let dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/veröffentlicht nichts mehr .* Audit-Protokoll/s);
    await dialog.getByLabel('Grund (optional)').fill('Kanal wird überarbeitet');
    await dialog.getByRole('button', { name: 'Einfrieren' }).click();
    await expect.poll(() => notice(page)).toMatch(/ist eingefroren/);
    expect(await row(page, telegram).getAttribute('data-state')).toBe('frozen');
    await row(page, telegram)
      .getByRole('button', { name: /^Auftauen/ })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Aktivieren' }).click();
    await expect.poll(() => notice(page)).toMatch(/ist wieder aktiv/);

    const x = Object.keys(connected).find((id) => id.includes('-x-'))!;
    await row(page, x)
      .getByRole('button', { name: /^Stilllegen/ })
      .click();
    dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/nicht rückgängig .*gelöscht.*widerrufen/s);
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Endgültig stilllegen' }).click();
    await expect
      .poll(() => notice(page))
      .toMatch(/ist stillgelegt\. Der Token wurde bei X widerrufen\. Der gespeicherte Zugang ist gelöscht\./);
    expect(await row(page, x).getAttribute('data-state')).toBe('retired');
    expect(await row(page, x).getByRole('button').count()).toBe(0);
  });

  it('shows an editor the same health without the administrator’s actions, and says why', async () => {
    const editor = await openBrowser();
    try {
      await signIn(editor.page, '/channels', { name: 'Emil Editor', roles: ['editor'] });
      await editor.page.locator('tr[data-channel]').first().waitFor();
      expect(await editor.page.textContent('main')).toContain('können nur Administratorinnen und Administratoren');
      expect(await editor.page.getByRole('button', { name: /Verbinden|Einfrieren|Stilllegen/ }).count()).toBe(0);
      expect(await axeViolations(editor.page)).toEqual([]);
    } finally {
      await editor.close();
    }
  });
});

describe('the directory settings', () => {
  it('changes the display name and embedding sites; the directory is rebuilt with the new name', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'Verzeichnis' }).click();
    await page.getByRole('heading', { name: 'Öffentliches Kanalverzeichnis' }).waitFor();
    const snippet = await page.locator('textarea.snippet').inputValue();
    expect(snippet).toMatch(/^<iframe src="http[^"]+embed\.html" title="[^"]+"/);
    await page.getByRole('button', { name: 'Ausschnitt kopieren' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(snippet);

    await page.getByLabel('Websites, die das Verzeichnis einbinden dürfen').fill('http://www.dresden.de/pfad');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => page.locator('.settings .field-errors').first().textContent()).toMatch(/https/);
    await page.getByLabel('Name der Organisation').fill('Landeshauptstadt Dresden (Test)');
    await page.getByLabel('Websites, die das Verzeichnis einbinden dürfen').fill('https://www.dresden.de');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => page.locator('.settings [role="status"]').last().textContent()).toMatch(/Gespeichert/);
    expect(await axeViolations(page)).toEqual([]);

    const directory = await page
      .getByRole('link', { name: /^http.*\/$/ })
      .first()
      .getAttribute('href');
    await expect
      .poll(async () => (await fetch(directory!)).text(), { timeout: 30_000, interval: 500 })
      .toContain('Landeshauptstadt Dresden (Test)');
    await expect
      .poll(async () => (await fetch(directory!.replace(/\/$/, '/embed.html'))).headers.get('content-security-policy'))
      .toContain('https://www.dresden.de');
  });
});

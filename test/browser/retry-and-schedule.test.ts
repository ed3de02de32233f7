/**
 * A platform made to fail permanently through the simulator's fault API, that one delivery retried
 * from the status board; a scheduled message (and a time that does not exist) and its cancellation
 * from the messages list.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, openBrowser, SCREENSHOTS, signIn, simulatorFault, type Session } from './support';

let session: Session;
beforeAll(async () => {
  session = await openBrowser({ viewport: { width: 1360, height: 1400 } });
  await signIn(session.page, '/compose');
});
afterAll(async () => {
  await simulatorFault(null);
  await session?.close();
});

describe('retrying one failed delivery', () => {
  it('shows Mastodon FAILED with its message, the message as partly published, and retries only Mastodon', async () => {
    const { page } = session;
    await simulatorFault({
      platform: 'mastodon',
      status: 422,
      body: { error: 'Validation failed: Text character limit of 500 exceeded' },
      count: 1,
    });
    await page
      .getByLabel('Text', { exact: true })
      .fill('Baustelle Carolabrücke: Die Sperrung bleibt bis Freitag bestehen.');
    await page.getByRole('button', { name: 'Jetzt senden' }).click();
    await page.waitForURL(/\/messages\/[A-Za-z0-9_-]+$/);

    const mastodon = page.locator('tr[data-channel="city-mastodon"]');
    await expect.poll(() => mastodon.getAttribute('data-state'), { timeout: 30_000 }).toBe('FAILED');
    expect(await mastodon.textContent()).toContain('Validation failed');
    await expect
      .poll(() => page.locator('tr[data-channel="city-threads"]').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('PUBLISHED');
    await expect
      .poll(() => page.locator('.overall').textContent(), { timeout: 30_000 })
      .toMatch(/Teilweise veröffentlicht – fehlgeschlagen: Mastodon/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-board-failed.png') });

    const threadsUpdated = await page.locator('tr[data-channel="city-threads"]').textContent();
    await mastodon.getByRole('button', { name: 'Mastodon erneut versuchen' }).click();
    await expect.poll(() => mastodon.getAttribute('data-state'), { timeout: 30_000 }).toBe('PUBLISHED');
    expect(await mastodon.getByRole('link', { name: 'Beitrag auf Mastodon ansehen' }).count()).toBe(1);
    expect(await page.locator('tr[data-channel="city-threads"]').textContent()).toBe(threadsUpdated);
  });
});

describe('a scheduled message', () => {
  it('refuses a time that does not exist in words, schedules a valid one, and cancels it from the list', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'Verfassen' }).click();
    await page
      .getByLabel('Text', { exact: true })
      .fill('Vorankündigung: Am Sonntag ist Tag der offenen Tür im Rathaus.');
    await page.locator('label', { hasText: 'Später senden' }).click();
    expect(await page.getByRole('radio', { name: 'Später senden' }).isChecked()).toBe(true);
    const when = page.getByLabel('Datum und Uhrzeit');
    // the night the clocks go forward in Germany: 02:30 does not exist
    await when.fill('2027-03-28T02:30');
    await expect
      .poll(() => page.locator('.schedule .field-errors').textContent())
      .toMatch(/gibt es an diesem Tag nicht/);
    expect(await when.getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(tomorrow);
    await when.fill(`${day}T09:30`);
    await expect.poll(() => page.locator('.schedule').textContent()).toMatch(/Geht am .* hinaus/);
    await page.getByRole('button', { name: 'Planen' }).click();
    await page.waitForURL(/\/messages\/[A-Za-z0-9_-]+$/);
    const id = page.url().split('/').pop()!;
    await expect.poll(() => page.locator('.overall').textContent()).toContain('Geplant');

    await page.getByRole('link', { name: 'Nachrichten', exact: true }).click();
    await page.getByLabel('Anzeigen').selectOption('SCHEDULED');
    const row = page.locator(`tr[data-message="${id}"]`);
    await row.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Abbrechen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nachricht abbrechen?' });
    await dialog.getByRole('button', { name: 'Ja, abbrechen' }).click();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);

    await page.getByLabel('Anzeigen').selectOption('all');
    await expect.poll(() => page.locator(`tr[data-message="${id}"]`).textContent()).toContain('Abgebrochen');
    expect(session.problems).toEqual([]);
  });
});

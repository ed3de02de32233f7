/**
 * The keyboard alone from compose to send (focus always visible), an expired session that keeps the
 * draft, signing out that deletes it, and the workspace in English.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, fillSignIn, openBrowser, signIn, type Session } from './support';

let session: Session;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

/** Tabs forward until the focused element matches; fails after `limit` presses. */
async function tabTo(page: Page, matches: string, limit = 80): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(
      `(() => { const el = document.activeElement; return el ? (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || '') : ''; })()`,
    );
    if (String(focused).trim().startsWith(matches)) return;
  }
  throw new Error(`"${matches}" was not reached with Tab`);
}

const outline = (page: Page) =>
  page.evaluate(
    `getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth`,
  );

describe('keyboard only', () => {
  it('composes and sends without a mouse, with focus visible on every stop', async () => {
    const { page } = session;
    await signIn(page, '/compose', { name: 'Karl Tastatur' });
    await page.getByRole('heading', { name: 'Nachricht verfassen' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Zum Inhalt springen');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Text');
    expect(String(await outline(page))).toMatch(/solid 3px/);
    await page.keyboard.type('Tastatur: Die Bürgerbüros öffnen am Montag eine Stunde später.');
    await tabTo(page, 'Bluesky');
    expect(String(await outline(page))).not.toMatch(/^none/);
    await page.keyboard.press('Space'); // leaves Bluesky out
    await tabTo(page, 'Jetzt senden');
    expect(String(await outline(page))).toMatch(/solid 3px/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/messages\/[A-Za-z0-9_-]+$/);
    await expect
      .poll(() => page.locator('tr[data-channel="city-threads"]').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('PUBLISHED');
    expect(await page.locator('tr[data-channel="city-bluesky"]').count()).toBe(0);
  });
});

describe('the session', () => {
  it('sends an expired session to the sign-in and back to the draft, which is still there', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/auth\/signed-out/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Erneut anmelden' }).click();
    await page.waitForURL(/\/_local\/oidc\/authorize/);
    await fillSignIn(page, { name: 'Eva Kurz', sessionSeconds: 6 });
    await page.waitForURL(/\/compose$/);
    const text = page.getByLabel('Text', { exact: true });
    // signing out deleted the earlier drafts
    expect(await text.inputValue()).toBe('');
    await text.fill('Entwurf: Dieser Text überlebt das Ende der Sitzung.');
    // the session ends: the workspace goes to the sign-in, and comes back to the same draft
    await page.waitForURL(/\/_local\/oidc\/authorize/, { timeout: 20_000 });
    await fillSignIn(page, { name: 'Eva Kurz' });
    await page.waitForURL(/\/compose$/);
    await expect
      .poll(() => page.getByLabel('Text', { exact: true }).inputValue())
      .toBe('Entwurf: Dieser Text überlebt das Ende der Sitzung.');
    // tokens live in session storage only
    const stored = String(await page.evaluate('JSON.stringify(Object.keys(localStorage))'));
    expect(stored).not.toMatch(/oidc|token/i);
  });

  it('switches to English, dates and all', async () => {
    const { page } = session;
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'Compose a message' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Nachrichten' }).waitFor();
    expect(session.problems).toEqual([]);
  });
});

/**
 * The follower page (the press-release table, the chart, CSV and Markdown downloads, WhatsApp's
 * figure entered by hand with German number input) and the audit page filtered by person, each
 * checked with axe and used with the keyboard alone.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, axeViolations, openBrowser, SCREENSHOTS, signIn, type Session } from './support';

let session: Session;
beforeAll(async () => {
  session = await openBrowser({ viewport: { width: 1360, height: 1300 } });
  await signIn(session.page, '/followers', { name: 'Berta Becker', roles: ['editor', 'admin'] });
});
afterAll(async () => session?.close());

describe('the follower page', () => {
  it('shows the table with the chart, downloads CSV and Markdown, and takes WhatsApp’s figure typed the German way', async () => {
    const { page } = session;
    await page.locator('table.follower-table tbody tr').first().waitFor();
    expect(await page.locator('table.follower-table caption').textContent()).toMatch(/^Follower vom .* bis /);
    expect(await page.locator('table.follower-table thead').textContent()).toMatch(/Veränderung in %/);
    expect(await page.locator('figure.follower-chart img').getAttribute('alt')).toMatch(
      /alle Zahlen stehen in der Tabelle/,
    );
    expect(await axeViolations(page)).toEqual([]);

    for (const [button, extension, check] of [
      ['Als CSV herunterladen', 'csv', /^\uFEFFdate,channel,count,platform/],
      ['Als Markdown-Tabelle herunterladen', 'md', /\| Plattform \|/],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(
        new RegExp(`^follower-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.${extension}$`),
      );
      expect(await readFile((await download.path())!, 'utf8')).toMatch(check);
    }

    const whatsapp = (await apiCall('/channels')).json.items.find(
      (channel: { platform: string; state: string }) => channel.platform === 'whatsapp' && channel.state === 'active',
    ) as { id: string; displayName?: string; handle: string };
    const form = page.locator('section.manual-figure');
    await form.getByLabel('Kanal').selectOption(whatsapp.id);
    const count = form.getByLabel('Follower', { exact: true });
    // keyboard only: type, then submit with Enter
    await count.fill('12,5');
    await count.press('Enter');
    await expect.poll(() => form.locator('.field-errors').textContent()).toMatch(/ganze Zahl/);
    expect(await count.getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await count.fill('12.345');
    await count.press('Enter');
    await expect
      .poll(() => form.locator('[role="status"]').textContent())
      .toMatch(/12\.345 Follower für .* eingetragen/);
    await expect
      .poll(() => page.locator(`table.follower-table tr[data-channel="${whatsapp.id}"]`).textContent())
      .toMatch(/12\.345 \*/);
    expect(await page.locator('.followers .note').first().textContent()).toContain('* von Hand eingetragen');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'followers.png'), fullPage: true });
  });
});

describe('the audit page', () => {
  it('lists what a person did by their name, in words, filtered by person', async () => {
    const { page } = session;
    // someone else changes a channel meanwhile (a token without a name: shown by its subject)
    for (const state of ['frozen', 'active'])
      expect(
        (await apiCall('/channels/city-telegram', { method: 'PATCH', body: { state, reason: 'Wartung' } })).status,
      ).toBe(200);
    await page.getByRole('link', { name: 'Protokoll' }).click();
    await page.getByRole('heading', { name: 'Audit-Protokoll' }).waitFor();
    await page.locator('table.audit-table tbody tr').first().waitFor();
    await expect
      .poll(() => page.locator('table.audit-table tbody').textContent())
      .toMatch(/aktiv → eingefroren Grund: Wartung/);
    const person = page.getByLabel('Person', { exact: true });
    await person.fill('berta');
    await person.press('Enter');
    await expect
      .poll(async () => [...new Set(await page.locator('table.audit-table tbody td:nth-child(2)').allTextContents())])
      .toEqual(['Berta Becker']);
    expect(await page.locator('table.audit-table').textContent()).not.toContain('ohne Namen im Token');
    expect(await page.locator('table.audit-table tbody').textContent()).toContain('hat eine Follower-Zahl eingetragen');
    expect(await axeViolations(page)).toEqual([]);
    await person.fill('');
    await person.press('Enter');
    await expect.poll(() => page.locator('table.audit-table tbody td:nth-child(2)').count()).toBeGreaterThan(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit.png'), fullPage: true });
  });

  it('is not offered to an editor, and says so when opened', async () => {
    const editor = await openBrowser();
    try {
      await signIn(editor.page, '/audit', { name: 'Emil Editor', roles: ['editor'] });
      await editor.page.getByText('sehen nur Administratorinnen und Administratoren').waitFor();
      expect(await editor.page.getByRole('link', { name: 'Protokoll' }).count()).toBe(0);
      expect(await axeViolations(editor.page)).toEqual([]);
    } finally {
      await editor.close();
    }
  });
});

/**
 * Driving Debian's Chromium with playwright-core (no browser downloads here), signing in through the
 * local development sign-in, checking a page with axe (WCAG 2.1 A and AA) and collecting what the
 * browser's console complains about, so no test passes over an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { signToken } from '../../local/dev-key';

export const CHROMIUM = process.env.HEROLD_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

export const urls = () => ({
  workspace: inject('workspaceUrl'),
  api: inject('apiUrl'),
  simulator: inject('simulatorUrl'),
});

export interface Session {
  context: BrowserContext;
  page: Page;
  /** console errors and failed requests seen so far */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<Session> {
  const profile = mkdtempSync(path.join(tmpdir(), 'herold-chromium-'));
  // a fresh profile each time (playwright passes it as --user-data-dir)
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1360, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: urls().workspace });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface SignIn {
  name?: string;
  org?: 'city' | 'fire-brigade';
  roles?: ('editor' | 'emergency' | 'admin')[];
  sessionSeconds?: number;
}

/** Opens a workspace path; the workspace sends the browser to the development sign-in, which is filled in. */
export async function signIn(page: Page, target = '/compose', who: SignIn = {}): Promise<void> {
  await page.goto(`${urls().workspace}${target}`);
  await page.waitForURL(/\/_local\/oidc\/authorize/);
  await fillSignIn(page, who);
  await page.waitForURL((url) => url.pathname === target.split('?')[0]);
}

export async function fillSignIn(page: Page, who: SignIn = {}): Promise<void> {
  await page.getByLabel('Name').fill(who.name ?? 'Anna Schmidt');
  await page.getByLabel('Organisation').selectOption(who.org ?? 'city');
  for (const role of ['editor', 'emergency', 'admin'] as const) {
    await page
      .getByRole('checkbox', { name: new RegExp(`\\(${role}\\)`) })
      .setChecked((who.roles ?? ['editor']).includes(role));
  }
  if (who.sessionSeconds) await page.getByLabel('Sitzungsdauer in Sekunden').fill(String(who.sessionSeconds));
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

/** WCAG 2.1 A and AA violations on the page as it is now (none expected). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}

/** A token for calling the local API directly (set-up and checks beside the browser). */
export async function apiCall(
  pathAndQuery: string,
  options: {
    method?: string;
    body?: unknown;
    org?: 'city' | 'fire-brigade';
    roles?: ('editor' | 'emergency' | 'admin')[];
    /** whose token: a person signed in through the development sign-in is `local-<name>` */
    sub?: string;
  } = {},
) {
  const token = await signToken({
    sub: options.sub ?? 'test-setup',
    org: options.org ?? 'city',
    roles: options.roles ?? ['editor', 'admin'],
  });
  const response = await fetch(`${urls().api}${pathAndQuery}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

export async function simulatorFault(fault: unknown): Promise<void> {
  await fetch(`${urls().simulator}/_sim/faults`, {
    method: fault === null ? 'DELETE' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: fault === null ? undefined : JSON.stringify(fault),
  });
}

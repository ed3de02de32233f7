/**
 * The workspace in Chromium against the local stack (`npm run bench` runs it):
 *  1. the JavaScript (gzip) the composer needs on its first load, against the 200 kB budget;
 *  2. navigation → the composer's text field accepts input, median of 10 cold loads (HTTP cache
 *     cleared each time), beside the load of a static file from the same server;
 *  3. keystroke → every preview updated, p95 over 200 keystrokes in a 3,000-character text with 11
 *     channels (X unfrozen for the run), beside a no-op input handler's keystroke on a blank page.
 */
import { chromium } from 'playwright-core';
import { signToken } from '../local/dev-key';
import { startLocalStack } from '../local/start';
import { ms, percentile, ratio } from './stats';
import { collectScripts, keystrokeBaseline, keystrokeToPreviews, longText } from './workspace-measure';

const COLD_LOADS = 10;
const KEYSTROKES = 200;

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const stack = await startLocalStack({ port: 0, simulatorPort: 0, workspacePort: 0, log: () => undefined });
const browser = await chromium.launch({
  executablePath: process.env.HEROLD_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const admin = await signToken({ sub: 'bench', org: 'city', roles: ['editor', 'admin'] });
const patchX = (state: 'active' | 'frozen') =>
  fetch(`${stack.apiUrl}/channels/city-x`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      state,
      ...(state === 'frozen' ? { reason: 'frozen since 2024-02-02: see press release' } : {}),
    }),
  });

try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'de-DE' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const workspace = stack.workspaceUrl!;

  // sign in once (session storage stays with the tab), then measure the composer's first load
  await page.goto(`${workspace}/compose`);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByLabel('Text', { exact: true }).waitFor();

  await page.goto('about:blank');
  await cdp.send('Network.clearBrowserCache');
  const scripts = collectScripts(page);
  await page.goto(`${workspace}/compose`);
  await page.getByLabel('Text', { exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
  const firstLoad = await scripts();

  const loads: number[] = [];
  const baselineLoads: number[] = [];
  for (let round = 0; round < COLD_LOADS; round += 1) {
    for (const [target, times] of [
      ['/favicon.svg', baselineLoads],
      ['/compose', loads],
    ] as const) {
      await page.goto('about:blank');
      await cdp.send('Network.clearBrowserCache');
      const started = Date.now();
      await page.goto(`${workspace}${target}`, { waitUntil: 'commit' });
      if (target === '/compose') {
        const text = page.getByLabel('Text', { exact: true });
        await text.fill('x', { timeout: 10_000 });
      } else await page.waitForLoadState('load');
      times.push(Date.now() - started);
    }
  }

  await patchX('active');
  await page.goto(`${workspace}/compose`);
  await page.getByLabel('Text', { exact: true }).fill(longText());
  await page.getByTestId('count-city-x').waitFor();
  const cards = await page.locator('[data-testid^="count-"]').count();
  await page.getByLabel('Text', { exact: true }).focus();
  await page.keyboard.press('End');
  const keystrokes = await keystrokeToPreviews(page, KEYSTROKES, 'city-facebook');
  const blank = await context.newPage();
  const baseline = await keystrokeBaseline(blank, KEYSTROKES);

  const median = (values: number[]) => percentile(values, 50);
  console.log(`
Workspace in Chromium (${cards} preview cards, local stack)
| measurement | value | baseline | ratio | target |
|---|---|---|---|---|
| first-load JavaScript of the composer (gzip, ${firstLoad.files} files) | ${(firstLoad.gzipBytes / 1024).toFixed(1)} kB | – | – | ≤ 200 kB: ${firstLoad.gzipBytes <= 200 * 1024 ? 'met' : 'MISSED'} |
| navigation → composer accepts input, median of ${COLD_LOADS} cold loads | ${ms(median(loads))} | ${ms(median(baselineLoads))} (static file) | ${ratio(median(loads), median(baselineLoads))} | ≤ 1000 ms: ${median(loads) <= 1000 ? 'met' : 'MISSED'} |
| keystroke → every preview updated, p50 (3,000 characters) | ${ms(median(keystrokes))} | ${ms(median(baseline))} (no-op handler) | ${ratio(median(keystrokes), median(baseline))} | – |
| keystroke → every preview updated, p95 (3,000 characters) | ${ms(percentile(keystrokes, 95))} | ${ms(percentile(baseline, 95))} (no-op handler) | ${ratio(percentile(keystrokes, 95), percentile(baseline, 95))} | ≤ 50 ms: ${percentile(keystrokes, 95) <= 50 ? 'met' : 'MISSED'} |
`);
} finally {
  await patchX('frozen').catch(() => undefined);
  await browser.close();
  await stack.stop();
}

/**
 * Measurements of the workspace in Chromium, shared by `npm run bench` (bench/workspace.ts) and the
 * browser test that holds the keystroke bound. Page code is passed as strings: it runs in the browser.
 */
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';

/**
 * Milliseconds from each keystroke (its keydown event) until the previews in the page show it.
 * React renders every card in one commit, so the moment the card of a platform that shows the whole
 * text (Facebook) has the new count, every card has it: a MutationObserver on that count notes it.
 */
export async function keystrokeToPreviews(page: Page, keystrokes: number, markerChannel: string): Promise<number[]> {
  // installed once per page, so a second run on the same page counts each keystroke once
  await page.evaluate(`(() => {
    window.__heroldLatencies = [];
    if (window.__heroldMeasuring === '${markerChannel}') return;
    window.__heroldMeasuring = '${markerChannel}';
    const text = document.querySelector('textarea[name="text"]');
    const marker = document.querySelector('[data-testid="count-${markerChannel}"]');
    let started;
    new MutationObserver(() => {
      if (started === undefined) return;
      window.__heroldLatencies.push(performance.now() - started);
      started = undefined;
    }).observe(marker, { childList: true, characterData: true, subtree: true });
    text.addEventListener('keydown', (event) => { started = event.timeStamp; }, { capture: true });
  })()`);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let index = 0; index < keystrokes; index += 1) {
    await page.keyboard.press(letters[index % letters.length]!);
    // a function, not a string: the workspace's CSP allows no eval
    await page.waitForFunction(
      (count) => (globalThis as unknown as { __heroldLatencies: number[] }).__heroldLatencies.length >= count,
      index + 1,
    );
  }
  return page.evaluate('window.__heroldLatencies') as Promise<number[]>;
}

/** The same measurement on a blank page with a text area whose input handler does nothing: the browser's own share. */
export async function keystrokeBaseline(page: Page, keystrokes: number): Promise<number[]> {
  await page.setContent('<!doctype html><textarea name="text"></textarea><output data-testid="count-x">0</output>');
  await page.evaluate(`(() => {
    const text = document.querySelector('textarea');
    const out = document.querySelector('output');
    text.addEventListener('input', () => { out.textContent = String(text.value.length); });
  })()`);
  await page.focus('textarea');
  return keystrokeToPreviews(page, keystrokes, 'x');
}

/** Every script a page load fetched, and their size gzipped (as CloudFront serves them compressed). */
export function collectScripts(page: Page): () => Promise<{ files: number; gzipBytes: number }> {
  const pending: Promise<number>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script')
      pending.push(response.body().then((body) => gzipSync(body, { level: 9 }).length));
  });
  return async () => {
    const sizes = await Promise.all(pending);
    return { files: sizes.length, gzipBytes: sizes.reduce((sum, size) => sum + size, 0) };
  };
}

/** A 3,000-character German text of sentences, as a long press release would be. */
export function longText(length = 3000): string {
  const sentence =
    'Die Landeshauptstadt Dresden informiert über Baustellen, Veranstaltungen und Warnungen in der Stadt. ';
  return sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length);
}

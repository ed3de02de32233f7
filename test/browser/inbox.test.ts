/**
 * The replies inbox in Chromium: replies added at the simulator under a published post show up
 * grouped under it, questions first; an editor answers one (threaded at the simulator) and hides
 * another with a reason from the netiquette, by keyboard; axe finds nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiCall, axeViolations, openBrowser, SCREENSHOTS, signIn, urls, type Session } from './support';

let session: Session;
let post: string;

const sim = async (pathAndQuery: string, body?: unknown) => {
  const response = await fetch(`${urls().simulator}${pathAndQuery}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json() as Promise<unknown>;
};

beforeAll(async () => {
  const created = await apiCall('/messages', {
    body: { text: 'Elbhochwasser: Sandsäcke gibt es am Messering.', channels: ['city-facebook'] },
  });
  expect(created.status).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const message = await apiCall(`/messages/${created.json.id}`);
    const delivery = (message.json.deliveries as { state: string; remoteId?: string }[])[0];
    if (delivery?.state === 'PUBLISHED') {
      post = String(delivery.remoteId);
      break;
    }
    if (Date.now() > deadline) throw new Error('the post was not published');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await sim('/_sim/replies', { platform: 'facebook', postId: post, text: 'Danke für die schnelle Info!', name: 'Uwe' });
  await sim('/_sim/replies', {
    platform: 'facebook',
    postId: post,
    text: 'Ihr seid alle unfähig, ihr Idioten',
    name: 'Troll',
  });
  await sim('/_sim/replies', {
    platform: 'facebook',
    postId: post,
    text: 'Bis wann hat die Ausgabe am Messering geöffnet?',
    name: 'Erika',
  });
  await fetch(`${urls().api}/_local/schedules/collect-replies/run`, { method: 'POST' });
  session = await openBrowser({ viewport: { width: 1360, height: 1300 } });
  await signIn(session.page, '/inbox');
}, 60_000);
afterAll(async () => session?.close());

it('shows questions first, answers one and hides one with a reason, by keyboard', async () => {
  const { page } = session;
  const replies = page.locator('article.reply');
  await expect.poll(() => replies.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  const texts = await page.locator('article.reply .reply-text').allTextContents();
  expect(texts[0]).toBe('Bis wann hat die Ausgabe am Messering geöffnet?');
  expect(await replies.first().textContent()).toContain('Frage');
  // the group is headed by the post it answers, and says how many replies it has
  const group = page.locator('section.inbox-post').first();
  expect(await group.getByRole('heading', { level: 2 }).textContent()).toContain(
    'Elbhochwasser: Sandsäcke gibt es am Messering.',
  );
  expect(await group.locator('.inbox-post-count').textContent()).toMatch(/^\d+ Antworten$/);
  // Pinterest and X say why they have no replies
  expect(await page.locator('.inbox-coverage').textContent()).toMatch(/Pinterest: keine Antworten/);
  expect(await page.locator('.inbox-coverage').textContent()).toMatch(/X: keine Antworten/);
  expect(await axeViolations(page)).toEqual([]);

  // answer the question by keyboard
  const question = replies.first();
  await question.getByRole('button', { name: 'Antworten' }).focus();
  await page.keyboard.press('Enter');
  const answerField = question.getByLabel('Antwort an Erika');
  await answerField.focus();
  await page.keyboard.type('Heute bis 20 Uhr, morgen ab 7 Uhr.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect.poll(() => question.textContent(), { timeout: 30_000 }).toContain('Beantwortet');
  await expect
    .poll(
      async () =>
        ((await sim('/_sim/posts?platform=facebook')) as { text: string; replyTo?: string }[]).some(
          (item) => item.text === 'Heute bis 20 Uhr, morgen ab 7 Uhr.' && item.replyTo !== undefined,
        ),
      { timeout: 30_000 },
    )
    .toBe(true);

  // hide the insult, naming the rule it breaks
  const insult = page.locator('article.reply', { hasText: 'Ihr seid alle unfähig' });
  await insult.getByRole('button', { name: 'Verbergen' }).focus();
  await page.keyboard.press('Enter');
  await insult.getByLabel('Grund (Netiquette)').selectOption('insult');
  await insult.getByRole('button', { name: 'Jetzt verbergen' }).focus();
  await page.keyboard.press('Enter');
  await expect
    .poll(() => insult.textContent(), { timeout: 30_000 })
    .toMatch(/Verborgen von .*Beleidigung, Bedrohung oder Herabwürdigung/);
  expect(await insult.getByRole('button', { name: 'Wieder zeigen' }).count()).toBe(1);
  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'inbox.png'), fullPage: true });
  expect(session.problems).toEqual([]);
}, 90_000);

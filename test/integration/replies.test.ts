/**
 * The replies inbox end to end in the local stack, on Mastodon (polled) and Facebook (polled, and
 * pushed through the Page feed webhook): replies added in the simulator are collected once each
 * (paging over several pages, push and poll both seeing one), kept with a TTL, answered threaded
 * at the simulator, hidden and shown again with audit records, and gone from Herold once deleted
 * on the platform; a forged webhook is refused and stores nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import { metaSignature } from '../../local/simulator/replies';
import type { LocalStack } from '../../local/start';
import { expectRetentionTtl, repliesHarness, startRepliesStack, until } from '../support/replies-stack';

let stack: LocalStack;
let editor: string;
let messageId: string;
const remote: Record<string, string> = {};
const inbox = repliesHarness(
  () => stack,
  () => editor,
);
const { api: call, sim, collect, replies, addReplies } = inbox;

beforeAll(async () => {
  ({ stack, editor } = await startRepliesStack('replies'));
  const posted = await inbox.publishEverywhere({
    text: 'Hochwasser an der Elbe: Die Terrassenufer-Straße ist gesperrt. #Dresden',
    channels: ['city-mastodon', 'city-facebook'],
  });
  messageId = posted.messageId;
  Object.assign(remote, posted.remoteIds);
}, 120_000);
afterAll(async () => stack?.stop());

it('collects every reply once, over several pages and from push and poll, questions marked, each with a TTL', async () => {
  const [question] = await addReplies({
    platform: 'mastodon',
    postId: remote.mastodon,
    text: 'Wann wird die Straße wieder freigegeben?',
    handle: 'erika@dresden.social',
    name: 'Erika',
  });
  remote.question = question!.id;
  await addReplies({
    platform: 'mastodon',
    postId: remote.mastodon,
    parentId: question!.id,
    text: 'Danke für die Info!',
  });
  // 60 comments: three pages of Facebook's comments edge at the simulator's 25 per page
  await addReplies({ platform: 'facebook', postId: remote.facebook, text: 'Gut zu wissen', count: 60 });
  // one more, pushed through the signed Page feed webhook before any poll
  const [pushed] = await addReplies({
    platform: 'facebook',
    postId: remote.facebook,
    text: 'Is the ferry running?',
    name: 'Jan',
    webhook: `${stack.apiUrl}/webhooks/meta`,
  });
  expect(pushed?.webhookStatus).toBe(200);
  expect((await replies('&platform=facebook')).map((reply) => reply.text)).toEqual(['Is the ferry running?']);

  await collect();
  const all = await until(replies, (list) => list.length >= 63);
  expect(all).toHaveLength(63);
  expect(new Set(all.map((reply) => reply.id)).size).toBe(63);
  expect(all.filter((reply) => reply.text === 'Is the ferry running?')).toHaveLength(1);
  const byText = (text: string) => all.find((reply) => reply.text === text)!;
  expect(byText('Wann wird die Straße wieder freigegeben?')).toMatchObject({
    platform: 'mastodon',
    question: true,
    author: { handle: 'erika@dresden.social', name: 'Erika' },
    canHide: false,
    nested: false,
  });
  expect(byText('Danke für die Info!')).toMatchObject({ question: false, nested: true });
  expect(byText('Is the ferry running?')).toMatchObject({ question: true, canHide: true, author: { name: 'Jan' } });
  // a second poll finds nothing new
  await collect();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await replies()).toHaveLength(63);

  // TTL on every stored reply: the retention period (14 days) after the post was published
  const items = await inbox.storedItems(messageId);
  expect(items).toHaveLength(63);
  expectRetentionTtl(items, 14, 300);
  // nothing that could link a person across platforms
  for (const item of items) expect(JSON.stringify(item)).not.toMatch(/avatar|followers|acct-/);
}, 90_000);

it('answers a reply threaded under it at the platform, marks it answered and audits it', async () => {
  const question = (await replies('&platform=mastodon')).find((reply) => reply.question)!;
  await inbox.answer(question, 'Voraussichtlich ab Freitag, wir informieren hier.');
  const posts = (await sim('GET', '/_sim/posts?platform=mastodon')).json as unknown as {
    text: string;
    replyTo?: string;
  }[];
  const answer = posts.find((post) => post.text.startsWith('Voraussichtlich ab Freitag'));
  // threaded under the citizen's status (in_reply_to_id), not under Herold's post
  expect(answer?.replyTo).toBe(remote.question);
  expect((await call('POST', `/replies/${question.id}/answer`, { text: 'Noch einmal' })).status).toBe(409);
  expect((await replies('&unanswered=true&platform=mastodon')).map((reply) => reply.id)).not.toContain(question.id);
  // the answer itself is Herold's own post: the next poll does not take it for a citizen's reply
  await collect();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await replies('&platform=mastodon')).toHaveLength(2);
  expect((await inbox.auditOf(question.id)).some((entry) => entry.action === 'reply.answered')).toBe(true);
}, 60_000);

it('hides and shows a reply on the platform, by a person with a netiquette reason, audited; refuses where hiding does not exist', async () => {
  const target = (await replies('&platform=facebook')).find((reply) => reply.text === 'Gut zu wissen 7')!;
  expect((await call('POST', `/replies/${target.id}/hide`, { reason: 'no-such-rule' })).status).toBe(400);
  const hide = await call('POST', `/replies/${target.id}/hide`, {
    reason: 'insult',
    note: 'Beleidigung eines Anwohners',
  });
  expect(hide.status).toBe(202);
  const hidden = await until(
    async () => (await replies('&platform=facebook')).find((reply) => reply.id === target.id)!,
    (reply) => reply.hidden && !reply.pending,
  );
  expect(hidden.hidden).toBe(true);
  // the simulator's comments edge says is_hidden too, so the next poll keeps it hidden
  await collect();
  expect((await call('POST', `/replies/${target.id}/unhide`, {})).status).toBe(202);
  const shown = await until(
    async () => (await replies('&platform=facebook')).find((reply) => reply.id === target.id)!,
    (reply) => !reply.hidden && !reply.pending,
  );
  expect(shown.hidden).toBe(false);
  const mine = await inbox.auditOf(target.id);
  expect(mine.map((entry) => entry.action).sort()).toEqual(['reply.hidden', 'reply.unhidden']);
  expect(mine.find((entry) => entry.action === 'reply.hidden')).toMatchObject({
    actor: 'presse',
    after: { reason: 'insult' },
  });

  const mastodon = (await replies('&platform=mastodon'))[0]!;
  expect((await call('POST', `/replies/${mastodon.id}/hide`, { reason: 'insult' })).status).toBe(409);
  const admin = await signToken({ sub: 'it', org: 'city', roles: ['admin'] });
  expect((await call('POST', `/replies/${target.id}/hide`, { reason: 'insult' }, admin)).status).toBe(403);
  const other = await signToken({ sub: 'x', org: 'fire-brigade', roles: ['editor'] });
  expect((await call('POST', `/replies/${target.id}/hide`, { reason: 'insult' }, other)).status).toBe(404);
}, 60_000);

it('refuses a forged or malformed webhook with nothing stored, and answers Meta’s subscription check', async () => {
  const before = (await replies()).length;
  const body = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: '100000000000101',
        time: 1,
        changes: [
          {
            field: 'feed',
            value: { item: 'comment', verb: 'add', comment_id: 'x_1', post_id: remote.facebook, message: 'forged' },
          },
        ],
      },
    ],
  });
  const post = (headers: Record<string, string>, raw = body) =>
    fetch(`${stack.apiUrl}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });
  expect((await post({ 'x-hub-signature-256': metaSignature(body, 'not-the-app-secret') })).status).toBe(401);
  expect((await post({})).status).toBe(401);
  const malformed = '{"object":"page","entry":"nope"}';
  expect(
    (await post({ 'x-hub-signature-256': metaSignature(malformed, 'sim-facebook-app-secret') }, malformed)).status,
  ).toBe(400);
  expect((await post({ 'x-hub-signature-256': metaSignature('{', 'sim-facebook-app-secret') }, '{')).status).toBe(400);
  expect((await replies()).length).toBe(before);

  const check = await fetch(
    `${stack.apiUrl}/webhooks/meta?hub.mode=subscribe&hub.verify_token=sim-meta-verify-token&hub.challenge=1158201444`,
  );
  expect(check.status).toBe(200);
  expect(await check.text()).toBe('1158201444');
  const wrong = await fetch(`${stack.apiUrl}/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
  expect(wrong.status).toBe(403);
});

it('deletes in Herold what was deleted on the platform, at the next poll', async () => {
  const gone = (await replies('&platform=facebook')).find((reply) => reply.text === 'Gut zu wissen 3')!;
  const all = await addReplies({ platform: 'facebook', postId: remote.facebook, text: 'Wird gleich gelöscht' });
  await collect();
  await until(replies, (list) => list.some((reply) => reply.text === 'Wird gleich gelöscht'));
  expect((await sim('DELETE', `/_sim/replies/facebook/${all[0]!.id}`)).status).toBe(204);
  await collect();
  const after = await until(replies, (list) => !list.some((reply) => reply.text === 'Wird gleich gelöscht'));
  expect(after.some((reply) => reply.text === 'Wird gleich gelöscht')).toBe(false);
  expect(after.some((reply) => reply.id === gone.id)).toBe(true);
}, 60_000);

it('Threads: conversation pages and the signed replies webhook give one reply each; answers use reply_to_id, hiding manage_reply', async () => {
  const created = await call('POST', '/messages', {
    text: 'Sirenentest am Mittwoch um 11 Uhr. #Dresden',
    channels: ['city-threads'],
  });
  expect(created.status).toBe(202);
  const threadsMessage = String(created.json.id);
  const [delivery] = await until(
    async () =>
      (await call('GET', `/messages/${threadsMessage}`)).json.deliveries as { state: string; remoteId?: string }[],
    (list) => list[0]?.state === 'PUBLISHED',
  );
  const post = String(delivery?.remoteId);
  const [pushed] = await addReplies({
    platform: 'threads',
    postId: post,
    text: 'Heult die Sirene auch in Klotzsche?',
    handle: 'klotzscher',
    webhook: `${stack.apiUrl}/webhooks/threads`,
  });
  expect(pushed?.webhookStatus).toBe(200);
  await addReplies({ platform: 'threads', postId: post, text: 'Alles klar', count: 30 });
  await collect();
  const list = await until(
    () => replies(`&message=${threadsMessage}`),
    (items) => items.length >= 31,
  );
  expect(list).toHaveLength(31);
  const question = list.find((reply) => reply.text.startsWith('Heult'))!;
  expect(question).toMatchObject({ question: true, author: { handle: 'klotzscher' }, canHide: true });

  expect((await call('POST', `/replies/${question.id}/answer`, { text: 'Ja, in ganz Dresden.' })).status).toBe(202);
  const answered = await until(
    async () =>
      ((await sim('GET', '/_sim/posts?platform=threads')).json as unknown as { text: string; replyTo?: string }[]).find(
        (item) => item.text === 'Ja, in ganz Dresden.',
      ),
    (item) => item !== undefined,
  );
  expect(answered?.replyTo).toBe(pushed?.id);

  expect((await call('POST', `/replies/${question.id}/hide`, { reason: 'spam' })).status).toBe(202);
  const hidden = await until(
    async () => (await replies(`&message=${threadsMessage}`)).find((reply) => reply.id === question.id)!,
    (reply) => reply.hidden && !reply.pending,
  );
  expect(hidden.hidden).toBe(true);
  // Herold's own answer is not collected as a citizen's reply
  await collect();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await replies(`&message=${threadsMessage}`)).toHaveLength(31);
}, 90_000);

it('backs off a platform that rate-limits polling, and marks a channel without read access as such, with the reason', async () => {
  await sim('POST', '/_sim/faults', {
    platform: 'mastodon',
    readsOnly: true,
    status: 429,
    retryAfter: 120,
    count: 1,
  });
  await collect();
  const waiting = await until(
    () => inbox.inboxOf('city-mastodon'),
    (inbox) => inbox?.status === 'waiting',
  );
  expect(waiting).toMatchObject({ status: 'waiting' });
  expect(waiting?.until).toBeGreaterThan(Date.now() + 60_000);
  // while it waits, the schedule sends no poll for the channel: the platform is not hammered
  await sim('POST', '/_sim/faults', { platform: 'mastodon', readsOnly: true, status: 429, count: 5 });
  await collect();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const faults = (await sim('GET', '/_sim/faults')).json as unknown as { platform: string; remaining: number }[];
  expect(faults.find((fault) => fault.platform === 'mastodon')?.remaining).toBe(5);
  await sim('DELETE', '/_sim/faults');

  await sim('POST', '/_sim/faults', {
    platform: 'facebook',
    readsOnly: true,
    status: 403,
    body: {
      error: {
        message: '(#10) Application does not have permission for this action',
        type: 'OAuthException',
        code: 10,
      },
    },
  });
  await collect();
  const denied = await until(
    () => inbox.inboxOf('city-facebook'),
    (inbox) => inbox?.status === 'no-access',
  );
  expect(denied?.status).toBe('no-access');
  expect(denied?.reason).toMatch(/permission/);
  await sim('DELETE', '/_sim/faults');
}, 60_000);

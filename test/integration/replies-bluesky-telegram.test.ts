/**
 * The replies inbox end to end in the local stack on Bluesky (polled: getPostThread's nested
 * tree, answers with reply.root/parent, hiding through the thread's threadgate) and Telegram
 * (pushed: the channel's discussion group, whose comments reach Herold only as bot updates on the
 * webhook the access check registered, with the secret token): replies added at the simulator are
 * collected once each and kept with a TTL, answered threaded at the simulator, hidden and shown
 * again with audit records where the platform can hide; a webhook without the right token is
 * refused and stores nothing; a Bluesky reply deleted at the simulator is gone at the next poll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/start';
import { telegramSecretToken } from '../../shared/replies/webhook-secrets';
import { expectRetentionTtl, repliesHarness, startRepliesStack, until } from '../support/replies-stack';

let stack: LocalStack;
let editor: string;
let messageId: string;
const remote: Record<string, string> = {};

interface AddedReply {
  id: string;
  webhookStatus?: number;
  webhookBody?: { update_id: number; message: { chat: { id: number }; text: string; message_id: number } };
}

const inbox = repliesHarness(
  () => stack,
  () => editor,
);
const { api: call, sim, collect, replies } = inbox;
const addReplies = async (body: Record<string, unknown>) => (await inbox.addReplies(body)) as AddedReply[];
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

async function published(id: string) {
  return until(
    async () => ((await call('GET', `/messages/${id}`)).json.deliveries as { state: string }[])[0]!,
    (delivery) => delivery.state === 'PUBLISHED',
  );
}

/** The thread of a post as Bluesky's AppView shows it (no authentication needed). */
async function blueskyThread(uri: string) {
  const { status, json } = await sim(
    'GET',
    `/bluesky/xrpc/app.bsky.feed.getPostThread?uri=${encodeURIComponent(uri)}&depth=10`,
  );
  expect(status).toBe(200);
  return json as {
    thread: ThreadNode;
    threadgate?: { record: { hiddenReplies?: string[] } };
  };
}
interface ThreadNode {
  post: { uri: string; record: { text: string; reply?: { root: { uri: string }; parent: { uri: string } } } };
  replies?: ThreadNode[];
}
const findIn = (node: ThreadNode, text: string): ThreadNode | undefined =>
  node.post.record.text === text
    ? node
    : (node.replies ?? []).map((child) => findIn(child, text)).find((found) => found !== undefined);

beforeAll(async () => {
  ({ stack, editor } = await startRepliesStack('replies-bt'));
  // the first collection checks the Telegram channel: its discussion group, the bot's rights, and registers the webhook
  await collect();
  const telegramInbox = await until(
    () => inbox.inboxOf('city-telegram'),
    (state) => state?.status === 'ok',
  );
  expect(telegramInbox).toMatchObject({ status: 'ok', discussionGroup: expect.stringMatching(/^-100\d+$/) });

  const posted = await inbox.publishEverywhere({
    text: 'Stadtfest am Samstag: Die Augustusbrücke ist ab 10 Uhr gesperrt. #Dresden',
    channels: ['city-bluesky', 'city-telegram'],
  });
  messageId = posted.messageId;
  Object.assign(remote, posted.remoteIds);
}, 120_000);
afterAll(async () => stack?.stop());

const storedItems = async (platform: string) =>
  (await inbox.storedItems(messageId)).filter((item) => item.platform === platform);

describe('Bluesky', () => {
  const ids: Record<string, string> = {};

  it('collects every reply of the nested thread once, questions marked, each with a TTL', async () => {
    const post = remote.bluesky!;
    const [question] = await addReplies({
      platform: 'bluesky',
      postId: post,
      text: 'Ist die Carolabrücke auch gesperrt?',
      handle: 'erika.bsky.social',
      name: 'Erika',
    });
    ids.question = question!.id;
    const [second] = await addReplies({
      platform: 'bluesky',
      postId: post,
      parentId: question!.id,
      text: 'Ja, leider',
    });
    const [third] = await addReplies({
      platform: 'bluesky',
      postId: post,
      parentId: second!.id,
      text: 'Woher weißt du das',
      handle: 'jan.bsky.social',
    });
    ids.third = third!.id;
    await addReplies({ platform: 'bluesky', postId: post, text: 'Schön, bis Samstag', count: 5 });

    await collect();
    const list = await until(
      () => replies('&platform=bluesky'),
      (items) => items.length >= 8,
    );
    expect(list).toHaveLength(8);
    expect(new Set(list.map((reply) => reply.id)).size).toBe(8);
    const byText = (text: string) => list.find((reply) => reply.text === text)!;
    expect(byText('Ist die Carolabrücke auch gesperrt?')).toMatchObject({
      question: true,
      nested: false,
      canHide: true,
      author: { handle: 'erika.bsky.social', name: 'Erika' },
    });
    expect(byText('Ja, leider')).toMatchObject({ nested: true, question: false });
    expect(byText('Woher weißt du das')).toMatchObject({ nested: true, author: { handle: 'jan.bsky.social' } });

    // a second poll finds nothing new
    await collect();
    await settle();
    expect(await replies('&platform=bluesky')).toHaveLength(8);
    const items = await storedItems('bluesky');
    expect(items).toHaveLength(8);
    expectRetentionTtl(items, 14, 300);
  }, 60_000);

  it('answers threaded under the reply (reply.parent the citizen’s post, reply.root Herold’s), audited', async () => {
    const question = (await replies('&platform=bluesky')).find((reply) => reply.text.startsWith('Ist die Carola'))!;
    const answered = await call('POST', `/replies/${question.id}/answer`, {
      text: 'Nein, die Carolabrücke bleibt offen.',
    });
    expect(answered.status).toBe(202);
    await published(String((answered.json.message as { id: string }).id));
    const rootUri = remote.bluesky!.split('|')[0]!;
    const answer = findIn((await blueskyThread(rootUri)).thread, 'Nein, die Carolabrücke bleibt offen.');
    expect(answer?.post.record.reply).toMatchObject({ root: { uri: rootUri }, parent: { uri: ids.question } });
    // Herold's own answer is not collected as a citizen's reply
    await collect();
    await settle();
    expect(await replies('&platform=bluesky')).toHaveLength(8);
    expect((await inbox.auditOf(question.id)).map((entry) => entry.action)).toContain('reply.answered');
  }, 60_000);

  it('hides a nested reply through the threadgate and shows it again, by a person with a reason, audited', async () => {
    const target = (await replies('&platform=bluesky')).find((reply) => reply.text === 'Woher weißt du das')!;
    expect((await call('POST', `/replies/${target.id}/hide`, { reason: 'insult', note: 'Beleidigung' })).status).toBe(
      202,
    );
    const hidden = await until(
      async () => (await replies('&platform=bluesky')).find((reply) => reply.id === target.id)!,
      (reply) => reply.hidden && !reply.pending,
    );
    expect(hidden.hidden).toBe(true);
    const rootUri = remote.bluesky!.split('|')[0]!;
    expect((await blueskyThread(rootUri)).threadgate?.record.hiddenReplies).toEqual([ids.third]);
    // the thread still lists it (v1 getPostThread does), and its gate says hidden: the next poll keeps it hidden
    await collect();
    await settle();
    expect((await replies('&platform=bluesky')).find((reply) => reply.id === target.id)?.hidden).toBe(true);

    expect((await call('POST', `/replies/${target.id}/unhide`, {})).status).toBe(202);
    const shown = await until(
      async () => (await replies('&platform=bluesky')).find((reply) => reply.id === target.id)!,
      (reply) => !reply.hidden && !reply.pending,
    );
    expect(shown.hidden).toBe(false);
    expect((await blueskyThread(rootUri)).threadgate?.record.hiddenReplies).toEqual([]);
    const audit = await inbox.auditOf(target.id);
    expect(audit.map((entry) => entry.action).sort()).toEqual(['reply.hidden', 'reply.unhidden']);
    expect(audit.find((entry) => entry.action === 'reply.hidden')).toMatchObject({
      actor: 'presse',
      after: { reason: 'insult' },
    });
  }, 60_000);

  it('deletes in Herold a reply deleted at Bluesky, at the next poll', async () => {
    const [doomed] = await addReplies({ platform: 'bluesky', postId: remote.bluesky, text: 'Wird gleich gelöscht' });
    await collect();
    await until(
      () => replies('&platform=bluesky'),
      (list) => list.some((reply) => reply.text === 'Wird gleich gelöscht'),
    );
    expect((await sim('DELETE', `/_sim/replies/bluesky/${encodeURIComponent(doomed!.id)}`)).status).toBe(204);
    await collect();
    const after = await until(
      () => replies('&platform=bluesky'),
      (list) => !list.some((reply) => reply.text === 'Wird gleich gelöscht'),
    );
    expect(after.map((reply) => reply.text)).not.toContain('Wird gleich gelöscht');
    expect(after).toHaveLength(8);
  }, 60_000);
});

describe('Telegram', () => {
  const secret = () => telegramSecretToken('sim-telegram-webhook-secret', 'city-telegram');
  const pushUpdate = (body: unknown, token?: string) =>
    fetch(`${stack.apiUrl}/webhooks/telegram/city-telegram`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { 'x-telegram-bot-api-secret-token': token }),
      },
      body: JSON.stringify(body),
    });
  let question: AddedReply;

  it('receives the discussion group’s comments as updates on the webhook, once each, with a TTL', async () => {
    const post = remote.telegram!;
    [question] = (await addReplies({
      platform: 'telegram',
      postId: post,
      text: 'Fährt die Straßenbahn 4 trotzdem?',
      handle: 'erika_dd',
      name: 'Erika Muster',
    })) as [AddedReply];
    expect(question.webhookStatus).toBe(200);
    const [nested] = await addReplies({
      platform: 'telegram',
      postId: post,
      parentId: question.id,
      text: 'Die fährt eine Umleitung',
    });
    expect(nested?.webhookStatus).toBe(200);
    const more = await addReplies({ platform: 'telegram', postId: post, text: 'Danke für den Hinweis', count: 3 });
    expect(more.map((reply) => reply.webhookStatus)).toEqual([200, 200, 200]);

    // pushed, not polled: in Herold without any collection
    const list = await until(
      () => replies('&platform=telegram'),
      (items) => items.length >= 5,
    );
    expect(list).toHaveLength(5);
    expect(list.find((reply) => reply.text.startsWith('Fährt'))).toMatchObject({
      question: true,
      nested: false,
      canHide: false,
      author: { handle: 'erika_dd', name: 'Erika Muster' },
    });
    expect(list.find((reply) => reply.text === 'Die fährt eine Umleitung')).toMatchObject({ nested: true });

    // Telegram delivers an update again when it is unsure it arrived: still one reply
    expect((await pushUpdate(question.webhookBody, secret())).status).toBe(200);
    await settle();
    expect(await replies('&platform=telegram')).toHaveLength(5);
    const items = await storedItems('telegram');
    expect(items).toHaveLength(5);
    expectRetentionTtl(items, 14, 300);
  }, 60_000);

  it('refuses an update without the right secret token with 401, and stores nothing', async () => {
    const forged = {
      ...question.webhookBody!,
      update_id: question.webhookBody!.update_id + 1000,
      message: { ...question.webhookBody!.message, message_id: 9999, text: 'Gefälschter Kommentar' },
    };
    expect((await pushUpdate(forged, 'not-the-secret-token')).status).toBe(401);
    expect((await pushUpdate(forged)).status).toBe(401);
    // another channel's token does not fit this channel's route
    expect((await pushUpdate(forged, telegramSecretToken('sim-telegram-webhook-secret', 'city-bluesky'))).status).toBe(
      401,
    );
    await settle();
    const list = await replies('&platform=telegram');
    expect(list).toHaveLength(5);
    expect(list.map((reply) => reply.text)).not.toContain('Gefälschter Kommentar');
  });

  it('answers in the discussion group under the comment; refuses hiding, which Telegram does not have', async () => {
    const target = (await replies('&platform=telegram')).find((reply) => reply.text.startsWith('Fährt'))!;
    const answered = await call('POST', `/replies/${target.id}/answer`, {
      text: 'Ja, mit Umleitung über den Postplatz.',
    });
    expect(answered.status).toBe(202);
    await published(String((answered.json.message as { id: string }).id));
    const posts = (await sim('GET', '/_sim/posts?platform=telegram')).json as unknown as {
      text: string;
      account: string;
      replyTo?: string;
    }[];
    const answer = posts.find((item) => item.text === 'Ja, mit Umleitung über den Postplatz.');
    expect(answer).toMatchObject({ account: String(question.webhookBody!.message.chat.id), replyTo: question.id });
    expect((await inbox.auditOf(target.id)).map((entry) => entry.action)).toContain('reply.answered');

    const refused = await call('POST', `/replies/${target.id}/hide`, { reason: 'insult' });
    expect(refused.status).toBe(409);
    expect(String(refused.json.detail)).toMatch(/Telegram/);
    expect((await inbox.auditOf(target.id)).map((entry) => entry.action)).not.toContain('reply.hidden');

    // Telegram reports no deletions: a deleted comment stays until its TTL
    expect((await sim('DELETE', `/_sim/replies/telegram/${question.id}`)).status).toBe(204);
    await collect();
    await settle();
    expect((await replies('&platform=telegram')).map((reply) => reply.id)).toContain(target.id);
  }, 60_000);
});

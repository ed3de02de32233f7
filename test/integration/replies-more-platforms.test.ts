/**
 * The replies inbox end to end in the local stack on Instagram (polled, and pushed through the
 * signed `comments` webhook), YouTube and LinkedIn (polled): replies added at the simulator over
 * several pages are collected once each, kept with a TTL, answered threaded under the right parent
 * at the simulator, hidden and shown again with audit records where the platform can hide (LinkedIn
 * cannot, and says so), and gone from Herold once deleted at the platform; a forged Instagram
 * webhook is refused and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaSignature } from '../../local/simulator/replies';
import type { LocalStack } from '../../local/start';
import { expectRetentionTtl, repliesHarness, startRepliesStack, until, type ReplyView } from '../support/replies-stack';

let stack: LocalStack;
let editor: string;
const inbox = repliesHarness(
  () => stack,
  () => editor,
);

beforeAll(async () => {
  ({ stack, editor } = await startRepliesStack('replies-more'));
}, 120_000);
afterAll(async () => stack?.stop());

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
const byText = (list: ReplyView[], text: string) => list.find((reply) => reply.text === text)!;

describe('Instagram', () => {
  let post: { messageId: string; remoteId: string };
  let question: string;
  const ofPost = () => inbox.replies(`&message=${post.messageId}`);

  beforeAll(async () => {
    post = await inbox.publish({
      text: 'Elbhangfest: Die Fähre Pillnitz fährt am Wochenende im Halbstundentakt. #Dresden',
      media: [{ url: `${stack.simulatorUrl}/_sim/media/sample.jpg`, altText: 'Die Fähre', mime: 'image/jpeg' }],
      channels: ['city-instagram'],
    });
  }, 90_000);

  it('collects every comment and reply once, over several pages and from push and poll, each with a TTL', async () => {
    // 40 top-level comments and the question: two pages of the comments edge at the simulator's 25
    await inbox.addReplies({ platform: 'instagram', postId: post.remoteId, text: 'Schönes Foto', count: 40 });
    [{ id: question }] = (await inbox.addReplies({
      platform: 'instagram',
      postId: post.remoteId,
      text: 'Fährt die Fähre auch abends?',
      handle: 'elbfahrer',
    })) as [{ id: string }];
    // 30 replies to it: 25 inline in the replies{…} expansion, the rest from GET /{comment}/replies
    await inbox.addReplies({
      platform: 'instagram',
      postId: post.remoteId,
      parentId: question,
      text: 'Würde mich auch interessieren',
      count: 30,
    });
    // one more, pushed through the signed Instagram comments webhook before any poll
    const [pushed] = await inbox.addReplies({
      platform: 'instagram',
      postId: post.remoteId,
      parentId: question,
      text: 'Bis 22 Uhr, steht am Anleger',
      handle: 'faehrfrau',
      webhook: `${stack.apiUrl}/webhooks/meta`,
    });
    expect(pushed?.webhookStatus).toBe(200);
    expect((await ofPost()).map((reply) => reply.text)).toEqual(['Bis 22 Uhr, steht am Anleger']);

    await inbox.collect();
    const all = await until(ofPost, (list) => list.length >= 72);
    expect(all).toHaveLength(72);
    expect(new Set(all.map((reply) => reply.id)).size).toBe(72);
    expect(all.filter((reply) => reply.text === 'Bis 22 Uhr, steht am Anleger')).toHaveLength(1);
    expect(all.filter((reply) => reply.text.startsWith('Würde mich auch interessieren'))).toHaveLength(30);
    expect(byText(all, 'Fährt die Fähre auch abends?')).toMatchObject({
      platform: 'instagram',
      question: true,
      nested: false,
      canHide: true,
      author: { handle: 'elbfahrer' },
    });
    expect(byText(all, 'Bis 22 Uhr, steht am Anleger')).toMatchObject({
      nested: true,
      author: { handle: 'faehrfrau' },
    });
    expect(byText(all, 'Würde mich auch interessieren 30')).toMatchObject({ nested: true, question: false });

    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(72);
    const items = await inbox.storedItems(post.messageId);
    expect(items).toHaveLength(72);
    expectRetentionTtl(items);
  }, 90_000);

  it('answers a comment with a threaded reply under it, which the next poll does not take for a citizen’s', async () => {
    const target = byText(await ofPost(), 'Fährt die Fähre auch abends?');
    await inbox.answer(target, 'Ja, bis 22 Uhr.');
    const answer = (await inbox.simPosts('instagram')).find((item) => item.text === 'Ja, bis 22 Uhr.');
    expect(answer?.replyTo).toBe(question);
    // a reply to a reply goes under its top-level comment: Instagram threads one level deep
    const nested = byText(await ofPost(), 'Würde mich auch interessieren 2');
    await inbox.answer(nested, 'Siehe oben.');
    const under = (await inbox.simPosts('instagram')).find((item) => item.text === 'Siehe oben.');
    expect(under?.replyTo).toBe(question);
    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(72);
    expect((await inbox.auditOf(target.id)).map((entry) => entry.action)).toContain('reply.answered');
  }, 60_000);

  it('hides and shows a comment on Instagram, audited, and the poll in between keeps it hidden', async () => {
    const target = byText(await ofPost(), 'Schönes Foto 7');
    expect((await inbox.moderate(target, 'hide', post.messageId)).hidden).toBe(true);
    await inbox.collect();
    await settle();
    expect(byText(await ofPost(), 'Schönes Foto 7').hidden).toBe(true);
    expect((await inbox.moderate(target, 'unhide', post.messageId)).hidden).toBe(false);
    const audit = await inbox.auditOf(target.id);
    expect(audit.map((entry) => entry.action).sort()).toEqual(['reply.hidden', 'reply.unhidden']);
    expect(audit.find((entry) => entry.action === 'reply.hidden')).toMatchObject({
      actor: 'presse',
      after: { reason: 'insult' },
    });
  }, 60_000);

  it('refuses a forged comments webhook with 401 and a malformed one with 400, storing nothing', async () => {
    const before = (await ofPost()).length;
    const body = JSON.stringify({
      object: 'instagram',
      entry: [
        {
          id: '17841400000000102',
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              field: 'comments',
              value: {
                from: { id: '1', username: 'faelscher' },
                media: { id: post.remoteId, media_product_type: 'FEED' },
                id: '99999999',
                text: 'gefälscht',
              },
            },
          ],
        },
      ],
    });
    const send = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await send({ 'x-hub-signature-256': metaSignature(body, 'not-the-app-secret') })).status).toBe(401);
    expect((await send({})).status).toBe(401);
    // rightly signed but not the comments field's shape (no media): 400
    const malformed = body.replace(/"media":\{[^}]*\},/, '');
    expect(malformed).not.toContain('"media"');
    const refused = await fetch(`${stack.apiUrl}/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': metaSignature(malformed, 'sim-facebook-app-secret'),
      },
      body: malformed,
    });
    expect(refused.status).toBe(400);
    expect(await ofPost()).toHaveLength(before);
    // the same body, rightly signed, is taken: the refusal was the signature's
    expect((await send({ 'x-hub-signature-256': metaSignature(body, 'sim-facebook-app-secret') })).status).toBe(200);
    const after = await ofPost();
    expect(after.filter((reply) => reply.text === 'gefälscht')).toHaveLength(1);
    expect(after).toHaveLength(before + 1);
    // and the next poll, which does not find it at Instagram, deletes it again
    await inbox.collect();
    const polled = await until(ofPost, (list) => list.length === before);
    expect(polled.some((reply) => reply.text === 'gefälscht')).toBe(false);
  }, 60_000);

  it('deletes in Herold what was deleted on Instagram, at the next poll', async () => {
    const gone = byText(await ofPost(), 'Schönes Foto 3');
    const [added] = await inbox.addReplies({ platform: 'instagram', postId: post.remoteId, text: 'Wird gelöscht' });
    await inbox.collect();
    await until(ofPost, (list) => list.some((reply) => reply.text === 'Wird gelöscht'));
    expect(await inbox.deleteAtPlatform('instagram', added!.id)).toBe(204);
    await inbox.collect();
    const after = await until(ofPost, (list) => !list.some((reply) => reply.text === 'Wird gelöscht'));
    expect(after.some((reply) => reply.text === 'Wird gelöscht')).toBe(false);
    expect(after.some((reply) => reply.id === gone.id)).toBe(true);
  }, 60_000);
});

describe('YouTube', () => {
  let post: { messageId: string; remoteId: string };
  let question: string;
  const ofPost = () => inbox.replies(`&message=${post.messageId}`);

  beforeAll(async () => {
    post = await inbox.publish({
      text: 'Hochwasserschutz an der Elbe: So bauen die Einsatzkräfte die mobilen Wände auf.',
      media: [
        { url: `${stack.simulatorUrl}/_sim/media/sample.mp4`, altText: 'Aufbau am Terrassenufer', mime: 'video/mp4' },
      ],
      channels: ['city-youtube'],
    });
  }, 90_000);

  it('collects every comment thread and reply once over several pages (commentThreads.list, comments.list), each with a TTL', async () => {
    // 31 threads: two pages at the simulator's 25
    await inbox.addReplies({ platform: 'youtube', postId: post.remoteId, text: 'Starke Arbeit', count: 30 });
    [{ id: question }] = (await inbox.addReplies({
      platform: 'youtube',
      postId: post.remoteId,
      text: 'Wo kann ich Sandsäcke abholen?',
      handle: 'sandsack',
    })) as [{ id: string }];
    // 30 replies: a thread carries 5 of them, comments.list by parentId the rest, in two pages
    await inbox.addReplies({
      platform: 'youtube',
      postId: post.remoteId,
      parentId: question,
      text: 'Am Bauhof',
      name: 'Jan Elbe',
      count: 30,
    });
    await inbox.collect();
    const all = await until(ofPost, (list) => list.length >= 61);
    expect(all).toHaveLength(61);
    expect(new Set(all.map((reply) => reply.id)).size).toBe(61);
    expect(byText(all, 'Wo kann ich Sandsäcke abholen?')).toMatchObject({
      platform: 'youtube',
      question: true,
      nested: false,
      canHide: true,
      author: { handle: 'sandsack' },
    });
    expect(byText(all, 'Am Bauhof 30')).toMatchObject({ nested: true, author: { name: 'Jan Elbe' } });

    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(61);
    const items = await inbox.storedItems(post.messageId);
    expect(items).toHaveLength(61);
    expectRetentionTtl(items);
  }, 90_000);

  it('answers with comments.insert under the top-level comment; the channel’s own answer is not collected', async () => {
    const target = byText(await ofPost(), 'Wo kann ich Sandsäcke abholen?');
    await inbox.answer(target, 'An allen Feuerwachen.');
    const answer = (await inbox.simPosts('youtube')).find((item) => item.text === 'An allen Feuerwachen.');
    expect(answer?.replyTo).toBe(question);
    // a reply to a reply goes under the top-level comment (snippet.parentId must name one)
    await inbox.answer(byText(await ofPost(), 'Am Bauhof 4'), 'Danke für den Hinweis.');
    const under = (await inbox.simPosts('youtube')).find((item) => item.text === 'Danke für den Hinweis.');
    expect(under?.replyTo).toBe(question);
    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(61);
  }, 60_000);

  it('hides (heldForReview) and shows (published) a comment and a reply, audited; polls in between keep them hidden', async () => {
    const list = await ofPost();
    const top = byText(list, 'Starke Arbeit 7');
    const reply = byText(list, 'Am Bauhof 12');
    expect((await inbox.moderate(top, 'hide', post.messageId)).hidden).toBe(true);
    expect((await inbox.moderate(reply, 'hide', post.messageId)).hidden).toBe(true);
    // held comments leave the published listing; the poll reads the held ones and keeps them, hidden
    await inbox.collect();
    await settle();
    const polled = await ofPost();
    expect(polled).toHaveLength(61);
    expect(byText(polled, 'Starke Arbeit 7').hidden).toBe(true);
    expect(byText(polled, 'Am Bauhof 12').hidden).toBe(true);
    expect((await inbox.moderate(top, 'unhide', post.messageId)).hidden).toBe(false);
    expect((await inbox.moderate(reply, 'unhide', post.messageId)).hidden).toBe(false);
    await inbox.collect();
    await settle();
    const shown = await ofPost();
    expect(shown).toHaveLength(61);
    expect(shown.filter((item) => item.hidden)).toEqual([]);
    for (const target of [top, reply])
      expect((await inbox.auditOf(target.id)).map((entry) => entry.action).sort()).toEqual([
        'reply.hidden',
        'reply.unhidden',
      ]);
  }, 90_000);

  it('deletes in Herold what was deleted on YouTube, at the next poll', async () => {
    const list = await ofPost();
    const reply = byText(list, 'Am Bauhof 20');
    const top = byText(list, 'Starke Arbeit 3');
    const remote = (await inbox.storedItems(post.messageId)).find((item) => item.text === 'Am Bauhof 20')!;
    expect(await inbox.deleteAtPlatform('youtube', String(remote.remoteId))).toBe(204);
    await inbox.collect();
    const after = await until(ofPost, (items) => !items.some((item) => item.id === reply.id));
    expect(after.some((item) => item.id === reply.id)).toBe(false);
    expect(after.some((item) => item.id === top.id)).toBe(true);
    expect(after).toHaveLength(60);
  }, 60_000);
});

describe('LinkedIn', () => {
  let post: { messageId: string; remoteId: string };
  let question: string;
  const ofPost = () => inbox.replies(`&message=${post.messageId}`);

  beforeAll(async () => {
    post = await inbox.publish({
      text: 'Die Stadt sucht Freiwillige für den Katastrophenschutz. Infos im Rathaus.',
      channels: ['city-linkedin'],
    });
  }, 90_000);

  it('collects every comment and comment on a comment once, over pages of start/count, each with a TTL', async () => {
    // 106 comments on the post: two pages at the client's count of 100
    await inbox.addReplies({ platform: 'linkedin', postId: post.remoteId, text: 'Tolle Initiative', count: 105 });
    [{ id: question }] = (await inbox.addReplies({
      platform: 'linkedin',
      postId: post.remoteId,
      text: 'Gibt es eine Altersgrenze für Freiwillige?',
    })) as [{ id: string }];
    await inbox.addReplies({
      platform: 'linkedin',
      postId: post.remoteId,
      parentId: question,
      text: 'Gute Frage',
      count: 3,
    });
    await inbox.collect();
    const all = await until(ofPost, (list) => list.length >= 109);
    expect(all).toHaveLength(109);
    expect(new Set(all.map((reply) => reply.id)).size).toBe(109);
    // LinkedIn names a member only by URN, which Herold does not keep
    expect(byText(all, 'Gibt es eine Altersgrenze für Freiwillige?')).toMatchObject({
      platform: 'linkedin',
      question: true,
      nested: false,
      canHide: false,
      author: {},
    });
    expect(byText(all, 'Gute Frage 3')).toMatchObject({ nested: true });

    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(109);
    const items = await inbox.storedItems(post.messageId);
    expect(items).toHaveLength(109);
    expectRetentionTtl(items);
    expect(JSON.stringify(items)).not.toMatch(/urn:li:person/);
  }, 90_000);

  it('answers as the organisation, threaded under the comment (parentComment); its own answer is not collected', async () => {
    const target = byText(await ofPost(), 'Gibt es eine Altersgrenze für Freiwillige?');
    await inbox.answer(target, 'Ab 16 Jahren.');
    const answer = (await inbox.simPosts('linkedin')).find((item) => item.text === 'Ab 16 Jahren.');
    expect(answer?.replyTo).toBe(question);
    await inbox.collect();
    await settle();
    expect(await ofPost()).toHaveLength(109);
    expect((await inbox.auditOf(target.id)).map((entry) => entry.action)).toEqual(['reply.answered']);
  }, 60_000);

  it('refuses to hide: LinkedIn has no way to, and nothing is audited', async () => {
    const target = byText(await ofPost(), 'Tolle Initiative 9');
    const refused = await inbox.api('POST', `/replies/${target.id}/hide`, { reason: 'insult' });
    expect(refused.status).toBe(409);
    expect(String(refused.json.detail)).toMatch(/LinkedIn has no way to hide/);
    expect(await inbox.auditOf(target.id)).toEqual([]);
    expect(byText(await ofPost(), 'Tolle Initiative 9').hidden).toBe(false);
  });

  it('deletes in Herold what was deleted on LinkedIn, at the next poll', async () => {
    const nested = byText(await ofPost(), 'Gute Frage 2');
    const remote = (await inbox.storedItems(post.messageId)).find((item) => item.text === 'Gute Frage 2')!;
    expect(await inbox.deleteAtPlatform('linkedin', String(remote.remoteId))).toBe(204);
    await inbox.collect();
    const after = await until(ofPost, (items) => !items.some((item) => item.id === nested.id));
    expect(after.some((item) => item.id === nested.id)).toBe(false);
    expect(after).toHaveLength(108);
  }, 60_000);
});

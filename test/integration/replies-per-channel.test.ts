/**
 * Reading replies channel by channel, in the local stack on Mastodon: while three of a channel's
 * posts are due, the schedule sends one collect-replies job for the channel that carries all three
 * (newest first), and that job reads each of them; a post the platform fails on is left for its
 * next poll while the channel's other posts are read; and the channel's read budget is taken per
 * platform call as before, the job stopping where the budget ends. A channel with more posts due than
 * one job carries gets several jobs.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import type { LocalStack } from '../../local/start';
import { MAX_POSTS_PER_REPLIES_JOB } from '../../shared/model/schemas';
import { PLATFORMS } from '../../shared/platforms/registry';
import { readBudgetScope } from '../../shared/replies/read-budget';
import { plannedReplyJobs } from '../../shared/replies/schedule';
import { putPostRef } from '../../shared/replies/store';
import { repliesHarness, startRepliesStack, until, type ReplyView } from '../support/replies-stack';

let stack: LocalStack;
let editor: string;
const inbox = repliesHarness(
  () => stack,
  () => editor,
);
/** the channel's three posts, oldest first */
const posts: { messageId: string; remoteId: string }[] = [];

beforeAll(async () => {
  ({ stack, editor } = await startRepliesStack('replies-channel'));
  for (const text of ['Erste Meldung: Baustelle Carolabrücke.', 'Zweite Meldung: Umleitung.', 'Dritte Meldung: Fähre.'])
    posts.push(await inbox.publish({ text, channels: ['city-mastodon'] }));
}, 120_000);
afterAll(async () => {
  doc?.destroy();
  await stack?.stop();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
let doc: ReturnType<typeof localDynamoDocumentClient> | undefined;
const store = () => ({
  doc: (doc ??= localDynamoDocumentClient(stack.dynamoEndpoint)),
  table: stack.tableName,
});
/** which of the channel's posts (by index) have a reply with this text in Herold */
const postsWith = async (text: string) => {
  const listed: ReplyView[] = await inbox.replies('&platform=mastodon');
  return posts.flatMap((post, index) =>
    listed.some((reply) => reply.messageId === post.messageId && reply.text === text) ? [index] : [],
  );
};
const replyToEach = async (text: string) => {
  for (const post of posts) await inbox.addReplies({ platform: 'mastodon', postId: post.remoteId, text });
};

it('sends one job for the channel that carries every due post, and the job reads each of them', async () => {
  const jobs = await plannedReplyJobs({ store: store(), orgs: ['city'], nowMs: Date.now() });
  const ofChannel = jobs.filter(({ job }) => job.channelId === 'city-mastodon');
  expect(ofChannel).toEqual([
    {
      platform: 'mastodon',
      priority: 'normal',
      job: {
        type: 'collect-replies',
        channelId: 'city-mastodon',
        messageIds: posts.map((post) => post.messageId).reverse(),
      },
    },
  ]);
  // no other channel has a post: nothing else is read (the Telegram channel gets its access check)
  expect(
    jobs.filter(({ job }) => job.channelId !== 'city-mastodon' && job.type === 'collect-replies' && job.messageIds),
  ).toEqual([]);

  await replyToEach('Danke für die Info!');
  await inbox.collect();
  expect(
    await until(
      () => postsWith('Danke für die Info!'),
      (found) => found.length === 3,
    ),
  ).toEqual([0, 1, 2]);
}, 60_000);

it('reads the channel’s other posts when the platform fails on one, and that one at its next poll', async () => {
  await replyToEach('Wann ist die Brücke wieder frei?');
  // the middle post's thread answers 500 every time it is read
  await inbox.sim('POST', '/_sim/faults', {
    platform: 'mastodon',
    readsOnly: true,
    matching: `/statuses/${posts[1]!.remoteId}`,
    status: 500,
  });
  await inbox.collect();
  const found = await until(
    () => postsWith('Wann ist die Brücke wieder frei?'),
    (list) => list.length === 2,
  );
  await settle();
  expect(found).toEqual([0, 2]);
  expect(await postsWith('Wann ist die Brücke wieder frei?')).toEqual([0, 2]);

  await inbox.sim('DELETE', '/_sim/faults');
  await inbox.collect();
  expect(
    await until(
      () => postsWith('Wann ist die Brücke wieder frei?'),
      (list) => list.length === 3,
    ),
  ).toEqual([0, 1, 2]);
}, 60_000);

it('takes the channel’s read budget for every call and stops the job where the budget ends', async () => {
  // the last poll may still be reading the oldest post: let it end before the budget is set
  await settle();
  const rule = PLATFORMS.mastodon.inbox.reads!;
  const key = (windowStart: number) => ({
    PK: `READS#${readBudgetScope('mastodon', rule, 'city-mastodon')}`,
    SK: new Date(windowStart).toISOString(),
  });
  const windowMs = rule.windowSeconds * 1000;
  const current = Math.floor(Date.now() / windowMs) * windowMs;
  const { doc: client } = store();
  // four calls left in this window (and the next, should the job start there): a Mastodon post takes two
  for (const windowStart of [current, current + windowMs])
    await client.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...key(windowStart),
          used: rule.limit - 4,
          limit: rule.limit,
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );
  await replyToEach('Gibt es eine Umleitung?');
  await inbox.collect();
  // newest first: the two newest posts are read, the oldest waits for the next window
  const found = await until(
    () => postsWith('Gibt es eine Umleitung?'),
    (list) => list.length === 2,
  );
  await settle();
  expect(found).toEqual([1, 2]);
  expect(await postsWith('Gibt es eine Umleitung?')).toEqual([1, 2]);
  const used = await Promise.all(
    [current, current + windowMs].map(
      async (windowStart) =>
        (await client.send(new GetCommand({ TableName: stack.tableName, Key: key(windowStart) }))).Item?.used as number,
    ),
  );
  expect(used).toContain(rule.limit);
  expect(Math.max(...used)).toBe(rule.limit);

  // with the budget back, the next poll reads the third
  for (const windowStart of [current, current + windowMs])
    await client.send(new DeleteCommand({ TableName: stack.tableName, Key: key(windowStart) }));
  await inbox.collect();
  expect(
    await until(
      () => postsWith('Gibt es eine Umleitung?'),
      (list) => list.length === 3,
    ),
  ).toEqual([0, 1, 2]);
}, 60_000);

it('splits a channel’s due posts into jobs of at most 25, newest first, each post in one job', async () => {
  // 30 watched posts of another channel, all in their first hour (the schedule reads only these items)
  const published = Array.from({ length: 30 }, (_, index) => ({
    messageId: `chunk-${String(index).padStart(2, '0')}`,
    publishedAt: new Date(Date.now() - (30 - index) * 60_000).toISOString(),
  }));
  for (const post of published)
    await putPostRef(store(), {
      org: 'city',
      messageId: post.messageId,
      channelId: 'city-bluesky',
      platform: 'bluesky',
      remoteId: `at://did:plc:test/app.bsky.feed.post/${post.messageId}`,
      emergency: false,
      publishedAt: post.publishedAt,
    });
  const jobs = await plannedReplyJobs({ store: store(), orgs: ['city'], nowMs: Date.now() });
  const carried = jobs.flatMap(({ job }) =>
    job.channelId === 'city-bluesky' && job.type === 'collect-replies' ? [job.messageIds ?? []] : [],
  );
  expect(carried.map((messageIds) => messageIds.length)).toEqual([MAX_POSTS_PER_REPLIES_JOB, 5]);
  expect(carried.flat()).toEqual(published.map((post) => post.messageId).reverse());
});

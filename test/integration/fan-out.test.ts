/**
 * The daily runs fanned out, in the local stack: follower collection and the token health check of
 * many organisations become one job per channel on the platforms' queues, a channel the platform
 * keeps failing ends alone in its platform's DLQ while every other channel is collected and checked,
 * and the NINA poll visits many organisations side by side. The simulator answers in 100 ms.
 *
 * HEROLD_FANOUT_ORGS sets the number of extra organisations (11 channels each; default 20) to time a
 * larger run by hand.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { SEED_CREDENTIALS_FILE } from '../../local/seed';
import type { AlertPolicies } from '../../local/organisations';
import type { LocalStack } from '../../local/start';
import { DRESDEN_ARS } from '../../shared/cap/nina';
import { pollNinaFeeds } from '../../shared/alerts/feed';
import { latestFollowerFigure } from '../../shared/followers/store';
import { isCollectable } from '../../shared/followers/schedule';
import { JobSchema, type Channel, type Job } from '../../shared/model/schemas';
import { PLATFORM_IDS, type PlatformId } from '../../shared/platforms/registry';
import { listChannels, putChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { isTokenCheckable } from '../../shared/tokens/health';
import { startIsolatedStack } from '../support/isolated-stack';

const ORG_COUNT = Number(process.env.HEROLD_FANOUT_ORGS ?? 20);
const ORGS = Array.from({ length: ORG_COUNT }, (_, index) => `land-${String(index).padStart(3, '0')}`);
/** organisations that follow a NINA region of their own, beside the fire brigade's Dresden */
const FEED_ORGS = Array.from({ length: 80 }, (_, index) => `feed-${String(index).padStart(3, '0')}`);
const RESPONSE_DELAY_MS = 100;

/** the channel whose X token refresh the platform keeps refusing with a 503 */
const FAILING_TOKEN = { channelId: `${ORGS[3]}-x`, refreshToken: `sim-x-refresh-${ORGS[3]}` };
/** the Page whose follower count Facebook keeps failing with a 500 */
const FAILING_FOLLOWERS = { channelId: `${ORGS[5]}-facebook`, account: '777000000000005' };

let stack: LocalStack;
let store: Store;
let directory: string;
let channels: Channel[];

/** Eleven channels per organisation, one per platform, with the city's accounts (Facebook Pages of their own) and credentials. */
function channelsOf(org: string, index: number): Channel[] {
  return PLATFORM_IDS.map((platform: PlatformId) => {
    const city = stack.channels.find((channel) => channel.id === `city-${platform}`)!;
    return {
      ...city,
      id: `${org}-${platform}`,
      org,
      handle: `@${org}-${platform}`,
      state: 'active',
      account: platform === 'facebook' ? String(777_000_000_000_000 + index) : city.account,
      credentialsRef: `local:${org}-${platform}`,
    };
  });
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'herold-fan-out-'));
  const credentialsFile = path.join(directory, 'credentials.json');
  await copyFile(SEED_CREDENTIALS_FILE, credentialsFile);
  const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as Record<string, Record<string, string>>;
  const refs = ORGS.flatMap((org) => PLATFORM_IDS.map((platform) => ({ org, platform })));
  for (const { org, platform } of refs) {
    const city = credentials[`local:city-${platform}`];
    credentials[`local:${org}-${platform}`] =
      platform === 'x' ? { ...city, refreshToken: `sim-x-refresh-${org}`, clientId: 'herold-local' } : { ...city };
  }
  await writeFile(credentialsFile, JSON.stringify(credentials, null, 2));

  // every organisation the deployment serves is an item in the table: the channels' organisations
  // with the strict default policy, the feed organisations with a NINA region each
  const policy: AlertPolicies = Object.fromEntries(ORGS.map((org) => [org, {}]));
  Object.assign(
    policy,
    Object.fromEntries(
      FEED_ORGS.map((org, index) => [
        org,
        {
          singlePersonSeverities: [],
          languages: ['de-DE'],
          // districts of Saxony (ARS 14…), one per organisation, none of them Dresden's
          ninaArs: `14${String(100 + index).padStart(3, '0')}0000000`,
          sender: `leitstelle@${org}.example`,
          senderName: org,
        },
      ]),
    ),
  );
  policy['fire-brigade'] = {
    singlePersonSeverities: ['Extreme'],
    languages: ['de-DE'],
    ninaArs: DRESDEN_ARS,
    sender: 'leitstelle@feuerwehr.dresden.de',
    senderName: 'Feuerwehr Dresden',
  };

  stack = await startIsolatedStack('fan-out', {
    credentialsFile,
    // a failing job comes back after 15 s, so it reaches its DLQ after its fifth receive within the
    // test; much shorter, a renewal waiting for the credentials file on a busy machine would be
    // received again while it still runs (in AWS the visibility is six function timeouts)
    visibilityTimeoutSeconds: 15,
    simulator: { responseDelayMs: { min: RESPONSE_DELAY_MS, max: RESPONSE_DELAY_MS }, enforceQuotas: false },
    alertsFeedIntervalMs: 3_600_000,
    alertPolicies: policy,
  });
  store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
  channels = ORGS.flatMap(channelsOf);
  for (const channel of channels) await putChannel(store, channel);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function faults(list: unknown[]): Promise<void> {
  const response = await fetch(`${stack.simulatorUrl}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(list),
  });
  expect(response.status).toBe(201);
}

/** The jobs resting in a platform's normal DLQ (read once, at the end). */
async function deadLetters(platform: PlatformId): Promise<Job[]> {
  const sqs = localSqsClient(stack.sqsEndpoint);
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.deadLetterQueues[platform].normal,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    return Messages.map((message) => JobSchema.parse(JSON.parse(message.Body ?? '')));
  } finally {
    sqs.destroy();
  }
}

/**
 * Whether every platform's normal queue is empty: a job leaves its queue when its function has
 * handled it, or for its DLQ after its last receive (the local server counts received jobs too).
 */
async function queuesDrained(): Promise<boolean> {
  const sqs = localSqsClient(stack.sqsEndpoint);
  try {
    const depths = await Promise.all(
      PLATFORM_IDS.map(async (platform) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.queues[platform].normal,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        return (
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
        );
      }),
    );
    return depths.every((depth) => depth === 0);
  } finally {
    sqs.destroy();
  }
}

interface Progress {
  checked: number;
  collected: number;
  uncheckedIds: string[];
  uncollectedIds: string[];
}

async function progressSince(startedAt: string): Promise<Progress> {
  const listed = (await Promise.all(ORGS.map((org) => listChannels(store, org)))).flat();
  const checkable = listed.filter(isTokenCheckable);
  const unchecked = checkable.filter((channel) => !channel.tokenCheckedAt || channel.tokenCheckedAt < startedAt);
  const collectable = listed.filter(isCollectable);
  const figures = await Promise.all(
    collectable.map(async (channel) => ({
      channel,
      figure: await latestFollowerFigure(store.doc, store.table, channel.id),
    })),
  );
  const uncollected = figures.filter(({ figure }) => !figure || figure.collectedAt < startedAt);
  return {
    checked: checkable.length - unchecked.length,
    collected: collectable.length - uncollected.length,
    uncheckedIds: unchecked.map((channel) => channel.id),
    uncollectedIds: uncollected.map(({ channel }) => channel.id),
  };
}

describe('the daily runs, fanned out', () => {
  it('collects and checks every channel of many organisations; the one the platform keeps failing ends alone in its DLQ', async () => {
    await faults([
      { platform: 'x', matching: FAILING_TOKEN.refreshToken, status: 503 },
      { platform: 'facebook', matching: FAILING_FOLLOWERS.account, readsOnly: true, status: 500 },
    ]);
    // the start's own follower run has measured the seeded channels by now; this run is the day's
    const startedAt = new Date().toISOString();
    const started = performance.now();
    await Promise.all([stack.schedules.runNow('collect-followers'), stack.schedules.runNow('token-health')]);
    const enqueuedMs = performance.now() - started;

    const deadline = Date.now() + 240_000;
    while (!(await queuesDrained()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    const doneMs = performance.now() - started;
    const progress = await progressSince(startedAt);
    const [xDead, facebookDead] = await Promise.all([deadLetters('x'), deadLetters('facebook')]);
    console.info(
      `fan-out: ${channels.length} channels of ${ORGS.length} organisations; jobs enqueued in ${Math.round(enqueuedMs)} ms; ` +
        `queues empty after ${Math.round(doneMs)} ms: ${progress.collected} collected, ${progress.checked} checked`,
    );

    expect(progress.uncheckedIds).toEqual([FAILING_TOKEN.channelId]);
    expect(progress.uncollectedIds).toEqual([FAILING_FOLLOWERS.channelId]);
    // every other channel: WhatsApp has neither a token to check nor a follower API
    expect(progress.checked).toBe(ORGS.length * 10 - 1);
    expect(progress.collected).toBe(ORGS.length * 10 - 1);
    expect(xDead).toEqual([{ type: 'check-token', channelId: FAILING_TOKEN.channelId }]);
    expect(facebookDead).toEqual([
      expect.objectContaining({ type: 'collect-followers', channelId: FAILING_FOLLOWERS.channelId }),
    ]);
    // the failing X channel is not flagged: the platform could not be asked, a person is not needed
    const failing = (await listChannels(store, ORGS[3]!)).find((channel) => channel.id === FAILING_TOKEN.channelId);
    expect(failing?.needsReauth).toBeUndefined();
  }, 300_000);

  it('polls the NINA feeds of many organisations side by side, not one after another', async () => {
    const feeds = [...FEED_ORGS, 'fire-brigade'];
    const timed = async (feedConcurrency?: number) => {
      const started = performance.now();
      const reports = await pollNinaFeeds({ store, ...(feedConcurrency ? { feedConcurrency } : {}) });
      return { reports, ms: performance.now() - started };
    };
    // the baseline, in the same run: one organisation after another, as the poll used to
    const sequential = await timed(1);
    const parallel = await timed();
    console.info(
      `NINA poll of ${feeds.length} organisations: ${Math.round(parallel.ms)} ms side by side, ${Math.round(sequential.ms)} ms one after another`,
    );
    for (const { reports } of [sequential, parallel]) {
      expect(reports.map((report) => report.org).sort()).toEqual([...feeds].sort());
      expect(reports.filter((report) => report.error)).toEqual([]);
    }
    expect(parallel.ms).toBeLessThan(sequential.ms / 2);

    // the scheduled function polls them all, each organisation recording its poll
    const before = new Date().toISOString();
    await stack.schedules.runNow('alerts-feed');
    const polledAt = await Promise.all(
      feeds.map(async (org) => {
        const { Item } = await store.doc.send(
          new GetCommand({ TableName: store.table, Key: { PK: `NINAFEED#${org}`, SK: 'NINAFEED' } }),
        );
        return Item?.polledAt as string | undefined;
      }),
    );
    expect(polledAt.every((at) => at !== undefined && at >= before)).toBe(true);
  }, 120_000);
});

/**
 * A deployment of some platforms only (CDK context herold:platforms, here Dresden's 8): its
 * functions know them from HEROLD_QUEUES. A channel on another platform cannot be created or
 * connected (RFC 9457 problem naming the setting), the workspace is not offered the platform, and
 * nothing is ever sent to a queue the deployment does not have: messages and alerts skip such
 * channels with the reason, the daily jobs and the replies schedule leave them out and count them,
 * and the reconciler keeps their open deliveries until the platform is deployed again.
 */
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRESDEN_PLATFORMS } from '../../bench/cost/model';
import { handler as ingest } from '../../functions/ingest/handler';
import { seedOrganisations } from '../../local/organisations';
import type { ApiEvent, ApiResult } from '../../shared/api/http';
import { ProblemError } from '../../shared/api/problem';
import { ENV } from '../../shared/config';
import { startConnect } from '../../shared/connect/service';
import { createMessage } from '../../shared/intake/create-message';
import { CreateMessageSchema, type Channel, type CreateMessageInput, type Principal } from '../../shared/model/schemas';
import { logger } from '../../shared/observability/powertools';
import { PLATFORM_IDS, type PlatformId } from '../../shared/platforms/registry';
import { sendJobs, type QueuedJob } from '../../shared/queue/jobs';
import { reconcile, UNDEPLOYED_RECHECK_MS } from '../../shared/reconcile/reconcile';
import { plannedReplyJobs } from '../../shared/replies/schedule';
import { readyToGo } from '../../shared/scheduling/dispatch';
import { listChannels, putChannel } from '../../shared/store/channels';
import { enqueueTokenChecks } from '../../shared/tokens/schedule';
import { CHANNELS, drainJobs, startHarness, type Harness } from './scheduling-harness';

let harness: Harness;
let allQueues: string;
let dresdenQueues: string;
const ABSENT: PlatformId[] = PLATFORM_IDS.filter((id) => !DRESDEN_PLATFORMS.includes(id));

const cityAdmin: Principal = { sub: 'boss', org: 'city', roles: ['editor', 'admin'] };
const fireEditor: Principal = { sub: 'frank', org: 'fire-brigade', roles: ['editor', 'emergency'] };
const onDeployed = (id: string, org: string, platform: PlatformId): Channel => ({
  id,
  org,
  platform,
  handle: `@${id}`,
  state: 'active',
  account: `${id}-account`,
  credentialsRef: `local:${id}`,
});
/** the harness's channels on Mastodon, Telegram and Bluesky: none of them Dresden's */
const undeployedChannels = CHANNELS.filter((channel) => ABSENT.includes(channel.platform));

const deployAll = () => (process.env[ENV.queues] = allQueues);
const deployDresden = () => (process.env[ENV.queues] = dresdenQueues);

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  harness = await startHarness();
  Object.assign(process.env, harness.env);
  allQueues = process.env[ENV.queues]!;
  const urls = JSON.parse(allQueues) as Record<string, unknown>;
  dresdenQueues = JSON.stringify(Object.fromEntries(DRESDEN_PLATFORMS.map((id) => [id, urls[id]])));
  await seedOrganisations(harness.store, {
    'fire-brigade': { singlePersonSeverities: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] },
  });
  await putChannel(harness.store, onDeployed('city-threads', 'city', 'threads'));
  await putChannel(harness.store, onDeployed('fire-threads', 'fire-brigade', 'threads'));
  expect(undeployedChannels.map((channel) => channel.id).sort()).toEqual(
    ['city-bluesky', 'city-mastodon', 'city-telegram', 'fire-mastodon', 'fire-telegram'].sort(),
  );
}, 60_000);

afterEach(async () => {
  deployAll();
  await drainJobs(harness);
});

afterAll(async () => {
  await harness?.stop();
});

const context = { functionName: 'ingest', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 };
function request(method: string, path: string, principal: Principal, body?: unknown): Promise<ApiResult> {
  const event = {
    routeKey: `${method} ${path}`,
    rawPath: path,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: {},
    requestContext: {
      authorizer: {
        jwt: { claims: { sub: principal.sub, org: principal.org, roles: `[${principal.roles.join(' ')}]` } },
      },
    },
  } as unknown as ApiEvent;
  return ingest(event, context as unknown as Context) as Promise<ApiResult>;
}

const create = (principal: Principal, input: CreateMessageInput, send: typeof sendJobs = harness.send) =>
  createMessage(principal, CreateMessageSchema.parse(input), { store: harness.store, send });

/** Every job on every platform queue, as [platform of its channel, job type]. */
async function queuedJobs(): Promise<string[]> {
  const jobs = await drainJobs(harness);
  return jobs.map((job) => job.channelId);
}

describe('the API of a deployment of Dresden’s platforms', () => {
  it('refuses a channel on a platform that is not deployed with a problem naming the setting, and writes nothing', async () => {
    deployDresden();
    const before = (await listChannels(harness.store, 'city')).length;
    const response = await request('POST', '/channels', cityAdmin, {
      platform: 'mastodon',
      handle: '@dresden@dresden.social',
      displayName: 'Dresden auf Mastodon',
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(String(response.body)) as { detail: string; errors: { field: string }[] };
    expect(problem.detail).toBe(
      'Mastodon is not deployed here: add "mastodon" to the CDK context setting herold:platforms and deploy again',
    );
    expect(problem.errors.map((error) => error.field)).toEqual(['platform']);
    expect(await listChannels(harness.store, 'city')).toHaveLength(before);

    const created = await request('POST', '/channels', cityAdmin, {
      platform: 'linkedin',
      handle: 'landeshauptstadt-dresden',
      displayName: 'Dresden auf LinkedIn',
    });
    expect(created.statusCode).toBe(201);
  });

  it('offers the workspace only the deployed platforms (GET /me)', async () => {
    deployDresden();
    const me = JSON.parse(String((await request('GET', '/me', cityAdmin)).body)) as { platforms: string[] };
    expect(me.platforms).toEqual(DRESDEN_PLATFORMS);
    deployAll();
    const everything = JSON.parse(String((await request('GET', '/me', cityAdmin)).body)) as { platforms: string[] };
    expect(everything.platforms).toEqual([...PLATFORM_IDS]);
  });

  it('refuses to connect a channel already on a platform that was taken out', async () => {
    deployDresden();
    const refused = await startConnect({ store: harness.store }, cityAdmin, 'city-mastodon', {}, 'https://api').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).status).toBe(422);
    expect((refused as ProblemError).message).toContain('herold:platforms');
  });
});

describe('channels on a platform that is not deployed', () => {
  it('are skipped by a routine message with the reason; only the deployed channels get jobs', async () => {
    deployDresden();
    const created = await create(cityAdmin, { text: 'Stadtratssitzung heute um 16 Uhr' });
    const states = Object.fromEntries(created.deliveries.map((delivery) => [delivery.channelId, delivery]));
    for (const channel of undeployedChannels.filter((c) => c.org === 'city')) {
      expect(states[channel.id]).toMatchObject({ state: 'SKIPPED' });
      expect(JSON.stringify(states[channel.id])).toContain('herold:platforms');
    }
    expect(states['city-threads']).toMatchObject({ state: 'QUEUED' });
    expect(states['city-whatsapp']).toMatchObject({ state: 'HANDOFF' });
    expect(await queuedJobs()).toEqual(['city-threads']);
  });

  it('are skipped by an emergency alert, which goes out on the deployed platforms', async () => {
    deployDresden();
    const created = await create(fireEditor, { text: 'Großbrand in der Neustadt', priority: 'emergency' });
    const states = Object.fromEntries(created.deliveries.map((delivery) => [delivery.channelId, delivery.state]));
    expect(states).toMatchObject({ 'fire-mastodon': 'SKIPPED', 'fire-telegram': 'SKIPPED', 'fire-threads': 'QUEUED' });
    expect(await queuedJobs()).toEqual(['fire-threads']);
  });

  it('are skipped when a scheduled message goes out after their platform was taken out', () => {
    deployDresden();
    const channel = CHANNELS.find((c) => c.id === 'city-mastodon')!;
    const waiting = {
      messageId: 'm-1',
      channelId: channel.id,
      org: 'city',
      platform: channel.platform,
      priority: 'normal',
      renderedText: 'Konzert',
      attempts: 0,
      version: 0,
      state: 'SCHEDULED',
      createdAt: '2026-12-03T08:00:00.000Z',
      updatedAt: '2026-12-03T08:00:00.000Z',
    } as const;
    expect(readyToGo(waiting, channel)).toMatchObject({
      state: 'SKIPPED',
      reason: expect.stringContaining('mastodon'),
    });
    deployAll();
    expect(readyToGo(waiting, channel)).toMatchObject({ state: 'PENDING' });
  });

  it('keep their open deliveries with the reconciler, unsent, until the platform is deployed again', async () => {
    // sent while every platform was deployed, but no job reached a queue: all PENDING
    const created = await create(cityAdmin, { text: 'Weihnachtsmarkt eröffnet' }, async (jobs) => jobs);
    const pending = created.deliveries.filter((delivery) => delivery.state === 'PENDING').map((d) => d.channelId);
    expect(pending.sort()).toEqual(['city-bluesky', 'city-mastodon', 'city-telegram', 'city-threads']);

    deployDresden();
    const sent: QueuedJob[] = [];
    const send = (jobs: QueuedJob[]) => (sent.push(...jobs), sendJobs(jobs, harness.sqs));
    const soon = Date.now() + 10 * 60_000;
    const report = await reconcile(harness.store, { now: soon, send });
    expect(report.undeployed).toBe(3);
    // the deliveries left QUEUED by the tests before are sent again as well: none on an undeployed platform
    expect(sent.map((queued) => queued.job.channelId)).toContain('city-threads');
    expect(sent.filter((queued) => !DRESDEN_PLATFORMS.includes(queued.platform))).toEqual([]);
    expect((await queuedJobs()).filter((channelId) => undeployedChannels.some((c) => c.id === channelId))).toEqual([]);

    // looked at again only after an hour, then sent once the platforms are back
    deployAll();
    expect((await reconcile(harness.store, { now: soon + 5 * 60_000, send })).undeployed).toBe(0);
    expect(sent.map((queued) => queued.job.channelId)).not.toContain('city-mastodon');
    const later = await reconcile(harness.store, { now: soon + UNDEPLOYED_RECHECK_MS + 60_000, send });
    expect(later.requeued).toBeGreaterThanOrEqual(3);
    expect((await queuedJobs()).sort()).toEqual(
      expect.arrayContaining(['city-bluesky', 'city-mastodon', 'city-telegram']),
    );
  });

  it('get no token check: counted, not sent', async () => {
    deployDresden();
    const sent: QueuedJob[] = [];
    const run = await enqueueTokenChecks({
      store: harness.store,
      orgs: ['city', 'fire-brigade'],
      send: async (jobs) => (sent.push(...jobs), sendJobs(jobs, harness.sqs)),
    });
    expect(run.undeployed).toBe(undeployedChannels.length);
    expect(run.unsent).toBe(0);
    expect(sent.every((queued) => DRESDEN_PLATFORMS.includes(queued.platform))).toBe(true);
    expect(sent.length).toBeGreaterThan(0);
  });

  it('get no replies access check (Telegram) from the every-minute schedule', async () => {
    const telegramJobs = async () =>
      (await plannedReplyJobs({ store: harness.store, orgs: ['city', 'fire-brigade'], nowMs: Date.now() })).filter(
        (queued) => queued.platform === 'telegram',
      );
    // a Telegram channel whose access is not known yet is checked every minute
    expect((await telegramJobs()).length).toBe(2);
    deployDresden();
    expect(await telegramJobs()).toEqual([]);
  });

  it('never reach a queue the deployment does not have, even when a job names them', async () => {
    deployDresden();
    const job: QueuedJob = {
      platform: 'mastodon',
      priority: 'emergency',
      job: { type: 'publish', messageId: 'm-1', channelId: 'city-mastodon' },
    };
    const client = {
      send: () => {
        throw new Error('nothing may be sent');
      },
    };
    expect(await sendJobs([job], client as never)).toEqual([job]);
  });
});

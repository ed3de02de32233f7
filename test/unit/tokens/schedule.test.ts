import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapBounded } from '../../../shared/bounded';
import { ENV } from '../../../shared/config';
import { JobSchema, type Channel } from '../../../shared/model/schemas';
import { PLATFORM_IDS, queueNames } from '../../../shared/platforms/registry';
import { sendJobs, type QueuedJob } from '../../../shared/queue/jobs';
import { channelItem } from '../../../shared/store/channels';
import type { Store } from '../../../shared/store/client';
import { keys } from '../../../shared/store/keys';
import { enqueueTokenChecks, LISTING_CONCURRENCY, plannedTokenChecks } from '../../../shared/tokens/schedule';
import { channel, recordingDoc } from '../followers/fixtures';

/** 500 organisations with 11 channels each, one per platform (the state profile). */
const ORGS = Array.from({ length: 500 }, (_, index) => `org-${index}`);
const channelsOf = (org: string): Channel[] =>
  PLATFORM_IDS.map((platform) => channel({ id: `${org}-${platform}`, org, platform }));

/** A table that answers each organisation's GSI1 query in pages of 4 items, counting the queries running at once. */
function tableOf(channels: (org: string) => Channel[]) {
  let running = 0;
  let mostAtOnce = 0;
  const { doc, sent } = recordingDoc();
  const paged = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      await doc.send(command as never);
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      const values = command.input.ExpressionAttributeValues as { ':pk': string };
      const org = values[':pk'].replace(keys.orgChannels(''), '');
      const items = channels(org).map(channelItem);
      const start = Number((command.input.ExclusiveStartKey as { at?: number } | undefined)?.at ?? 0);
      const page = items.slice(start, start + 4);
      return { Items: page, ...(start + 4 < items.length ? { LastEvaluatedKey: { at: start + 4 } } : {}) };
    },
  };
  const store = { doc: paged, table: 'herold' } as unknown as Store;
  return { store, sent, mostAtOnce: () => mostAtOnce };
}

describe('the daily token health run', () => {
  it('lists every organisation’s channels page by page, a bounded number of organisations at a time', async () => {
    const table = tableOf(channelsOf);
    const jobs = await plannedTokenChecks(table.store, ORGS);
    // 11 channels in pages of 4: three queries per organisation
    expect(table.sent).toHaveLength(ORGS.length * 3);
    expect(table.mostAtOnce()).toBeLessThanOrEqual(LISTING_CONCURRENCY);
    expect(table.mostAtOnce()).toBeGreaterThan(1);
    // WhatsApp Channels has no token: 10 jobs per organisation
    expect(jobs).toHaveLength(ORGS.length * 10);
    expect(jobs.every((queued) => queued.priority === 'normal')).toBe(true);
    expect(jobs[0]).toEqual({
      platform: 'threads',
      priority: 'normal',
      job: { type: 'check-token', channelId: 'org-0-threads' },
    });
  });

  it('leaves out retired channels and hand-off platforms, keeps frozen ones', async () => {
    const table = tableOf(() => [
      channel({ id: 'city-x', platform: 'x', state: 'frozen' }),
      channel({ id: 'city-pinterest', platform: 'pinterest', state: 'retired' }),
      channel({ id: 'city-whatsapp', platform: 'whatsapp' }),
    ]);
    const jobs = await plannedTokenChecks(table.store, ['city']);
    expect(jobs.map((queued) => queued.job.channelId)).toEqual(['city-x']);
  });

  it('sends the jobs that failed again, and reports those that never went', async () => {
    const table = tableOf((org) => channelsOf(org).slice(0, 3));
    const attempts: string[][] = [];
    const run = await enqueueTokenChecks({
      store: table.store,
      orgs: ['a', 'b'],
      send: async (jobs) => {
        attempts.push(jobs.map((queued) => queued.job.channelId));
        // b-threads never goes, a-facebook only on the second attempt
        return jobs.filter(
          (queued) =>
            queued.job.channelId === 'b-threads' || (attempts.length === 1 && queued.job.channelId === 'a-facebook'),
        );
      },
    });
    expect(attempts).toEqual([
      ['a-threads', 'a-facebook', 'b-threads', 'b-facebook'],
      ['a-facebook', 'b-threads'],
      ['b-threads'],
    ]);
    expect(run).toEqual({ channels: 4, enqueued: { threads: 1, facebook: 2 }, unsent: 1, undeployed: 0 });
  });

  describe('through SQS', () => {
    const before = process.env[ENV.queues];
    beforeEach(() => {
      process.env[ENV.queues] = JSON.stringify(
        Object.fromEntries(
          PLATFORM_IDS.map((id) => [
            id,
            { normal: `http://sqs/${queueNames(id).normal}`, urgent: `http://sqs/${queueNames(id).urgent}` },
          ]),
        ),
      );
    });
    afterEach(() => {
      if (before === undefined) delete process.env[ENV.queues];
      else process.env[ENV.queues] = before;
    });

    it('sends 5,000 jobs of 500 organisations in SendMessageBatch calls of ten, to each platform’s normal queue', async () => {
      const batches: { url: string; bodies: string[] }[] = [];
      const sqs = {
        send: async (command: { input: { QueueUrl: string; Entries: { MessageBody: string }[] } }) => {
          batches.push({
            url: command.input.QueueUrl,
            bodies: command.input.Entries.map((entry) => entry.MessageBody),
          });
          return { Failed: [] };
        },
      } as unknown as SQSClient;
      const run = await enqueueTokenChecks({
        store: tableOf(channelsOf).store,
        orgs: ORGS,
        send: (jobs: QueuedJob[]) => sendJobs(jobs, sqs),
      });
      expect(run.unsent).toBe(0);
      expect(run.channels).toBe(5000);
      expect(batches).toHaveLength(500);
      expect(batches.every((batch) => batch.bodies.length === 10)).toBe(true);
      expect(new Set(batches.map((batch) => batch.url))).toEqual(
        new Set(PLATFORM_IDS.filter((id) => id !== 'whatsapp').map((id) => `http://sqs/herold-${id}`)),
      );
      const jobs = batches.flatMap((batch) => batch.bodies.map((body) => JobSchema.parse(JSON.parse(body))));
      expect(new Set(jobs.map((job) => job.channelId)).size).toBe(5000);
    });
  });
});

describe('mapBounded', () => {
  it('keeps the order of the items and never runs more than the bound at once', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (delay, index) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running--;
      return index * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(mostAtOnce).toBe(3);
  });
});

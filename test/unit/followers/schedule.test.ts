import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV } from '../../../shared/config';
import { JobSchema, type Channel } from '../../../shared/model/schemas';
import { followerMetrics, NEVER_MEASURED_SECONDS } from '../../../shared/followers/metrics';
import {
  enqueueFollowerJobs,
  FIGURE_READ_CONCURRENCY,
  missingFigures,
  runDailyFollowerSchedule,
} from '../../../shared/followers/schedule';
import { configuredTimeZone } from '../../../shared/followers/settings';
import { captureEmf } from './emf';
import { channel, recordingDoc } from './fixtures';

function recordingSqs(
  failFirst: (
    entries: { Id: string }[],
  ) => { Id: string; SenderFault: boolean; Code: string; Message: string }[] = () => [],
) {
  const batches: { queueUrl: string; entries: { Id: string; MessageBody: string }[] }[] = [];
  const sqs = {
    send: async (command: { input: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] } }) => {
      batches.push({ queueUrl: command.input.QueueUrl, entries: command.input.Entries });
      return { Failed: batches.length === 1 ? failFirst(command.input.Entries) : [] };
    },
  } as unknown as SQSClient;
  return { sqs, batches };
}

const queueUrlFor = (platform: string) => `http://sqs/herold-${platform}`;

describe('enqueueFollowerJobs', () => {
  const facebookPages = Array.from({ length: 12 }, (_, index) =>
    channel({ id: `city-facebook-${index}`, platform: 'facebook' }),
  );
  const channels: Channel[] = [
    ...facebookPages,
    channel({ id: 'city-x', platform: 'x', state: 'frozen' }),
    channel({ id: 'city-pinterest', platform: 'pinterest', state: 'retired' }),
    channel({ id: 'city-whatsapp', platform: 'whatsapp' }),
  ];

  it('sends one job per active or frozen API channel to its platform normal queue, at most 10 per batch', async () => {
    const { sqs, batches } = recordingSqs();
    const enqueued = await enqueueFollowerJobs({ sqs, channels, date: '2024-02-02', queueUrlFor });
    expect(enqueued).toEqual({ facebook: 12, x: 1 });
    expect(batches.map((batch) => [batch.queueUrl, batch.entries.length])).toEqual([
      ['http://sqs/herold-facebook', 10],
      ['http://sqs/herold-facebook', 2],
      ['http://sqs/herold-x', 1],
    ]);
    const jobs = batches.flatMap((batch) =>
      batch.entries.map((entry) => JobSchema.parse(JSON.parse(entry.MessageBody))),
    );
    expect(jobs).toContainEqual({ type: 'collect-followers', channelId: 'city-x', date: '2024-02-02' });
    expect(jobs.map((job) => job.channelId)).not.toContain('city-pinterest');
    expect(jobs.map((job) => job.channelId)).not.toContain('city-whatsapp');
  });

  it('sends failed entries again', async () => {
    const { sqs, batches } = recordingSqs((entries) => [
      { Id: entries[1]!.Id, SenderFault: false, Code: 'InternalError', Message: 'try again' },
    ]);
    await enqueueFollowerJobs({ sqs, channels: facebookPages.slice(0, 3), date: '2024-02-02', queueUrlFor });
    expect(batches.map((batch) => batch.entries.map((entry) => JSON.parse(entry.MessageBody).channelId))).toEqual([
      ['city-facebook-0', 'city-facebook-1', 'city-facebook-2'],
      ['city-facebook-1'],
    ]);
  });

  it('still enqueues the other platforms when one queue is not configured, then fails', async () => {
    const { sqs, batches } = recordingSqs();
    const queueUrlOrFail = (platform: string) => {
      if (platform === 'x') throw new Error('no queue configured for x');
      return queueUrlFor(platform);
    };
    const sending = enqueueFollowerJobs({
      sqs,
      channels: [channels.find((entry) => entry.id === 'city-x')!, ...facebookPages.slice(0, 2)],
      date: '2024-02-02',
      queueUrlFor: queueUrlOrFail,
    });
    await expect(sending).rejects.toThrow('collect-followers jobs not enqueued: no queue configured for x');
    expect(batches.map((batch) => [batch.queueUrl, batch.entries.length])).toEqual([['http://sqs/herold-facebook', 2]]);
  });

  it('fails on a sender fault instead of retrying it', async () => {
    const { sqs } = recordingSqs((entries) => [
      { Id: entries[0]!.Id, SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad' },
    ]);
    await expect(
      enqueueFollowerJobs({ sqs, channels: facebookPages.slice(0, 1), date: '2024-02-02', queueUrlFor }),
    ).rejects.toThrow(/InvalidMessageContents/);
  });
});

describe('missingFigures', () => {
  const now = new Date('2024-02-05T05:00:00Z');
  const latest: Record<string, Record<string, unknown> | undefined> = {
    'CHANNEL#fresh': { SK: 'FOLLOWERS#2024-02-05', count: 1, source: 'api', collectedAt: '2024-02-05T04:00:00.000Z' },
    'CHANNEL#stale': { SK: 'FOLLOWERS#2024-02-02', count: 1, source: 'api', collectedAt: '2024-02-02T04:00:00.000Z' },
    'CHANNEL#imported': {
      SK: 'FOLLOWERS#2024-01-01',
      count: 1,
      source: 'import',
      collectedAt: '2024-02-05T04:30:00.000Z',
    },
  };
  const { doc } = recordingDoc((command) => {
    const key = (command.input as { ExpressionAttributeValues: Record<string, string> }).ExpressionAttributeValues[
      ':pk'
    ]!;
    return { Items: latest[key] ? [latest[key]] : [] };
  });
  const channels = ['fresh', 'stale', 'imported', 'never'].map((id) => channel({ id, platform: 'mastodon' }));

  it('returns channels unmeasured for more than 48 h or never, and emits the age of each measured one', async () => {
    const { result, records } = await captureEmf(() =>
      missingFigures({
        doc,
        table: 't',
        channels: [...channels, channel({ id: 'wa', platform: 'whatsapp' })],
        metrics: followerMetrics(),
        now,
      }),
    );
    expect(result.map((missing) => [missing.channelId, missing.ageHours])).toEqual([
      ['stale', 73],
      ['imported', 821],
      ['never', null],
    ]);
    // ages in whole minutes: the figures' own timestamps are not on the hour
    expect(records.map((record) => [record.platform, Math.round(Number(record.FollowerCollectionAge) / 60)])).toEqual([
      ['mastodon', 60],
      ['mastodon', 73 * 60],
      ['mastodon', 821 * 60],
      ['mastodon', NEVER_MEASURED_SECONDS / 60],
    ]);
    expect(records.every((record) => record.channel === undefined && record.service === 'herold')).toBe(true);
  });

  it("reads a state's channels a bounded number at a time, and every one of them", async () => {
    let inFlight = 0;
    let most = 0;
    const { doc, sent } = recordingDoc(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return { Items: [] };
    });
    const many = Array.from({ length: 500 }, (_, index) => channel({ id: `c-${index}`, platform: 'mastodon' }));
    const { result } = await captureEmf(() =>
      missingFigures({ doc, table: 't', channels: many, metrics: followerMetrics(), now }),
    );
    expect(result.map((missing) => missing.channelId)).toEqual(many.map((entry) => entry.id));
    expect(sent).toHaveLength(500);
    expect(most).toBe(FIGURE_READ_CONCURRENCY);
  });
});

describe('runDailyFollowerSchedule', () => {
  it('collects for today in Berlin, listing channels per organisation through GSI1', async () => {
    const { doc, sent } = recordingDoc((command) =>
      command.constructor.name === 'QueryCommand' && (command.input as { IndexName?: string }).IndexName === 'GSI1'
        ? { Items: [{ PK: 'CHANNEL#city-x', SK: 'CHANNEL', ...channel({ id: 'city-x', platform: 'x' }) }] }
        : { Items: [] },
    );
    const { sqs, batches } = recordingSqs();
    const { result } = await captureEmf(() =>
      runDailyFollowerSchedule({
        doc,
        sqs,
        table: 't',
        orgs: ['city', 'fire-brigade'],
        timeZone: 'Europe/Berlin',
        metrics: followerMetrics(),
        now: new Date('2024-02-01T23:30:00Z'),
        queueUrlFor,
      }),
    );
    expect(result.date).toBe('2024-02-02');
    expect(JSON.parse(batches[0]!.entries[0]!.MessageBody)).toEqual({
      type: 'collect-followers',
      channelId: 'city-x',
      date: '2024-02-02',
    });
    const orgQueries = sent
      .filter((command) => command.input.IndexName === 'GSI1')
      .map((command) => (command.input.ExpressionAttributeValues as Record<string, string>)[':pk']);
    expect(orgQueries).toEqual(['ORGCHANNELS#city', 'ORGCHANNELS#fire-brigade']);
    expect(sent.map((command) => command.name)).not.toContain('ScanCommand');
  });
});

describe('a deployment of some platforms only (herold:platforms)', () => {
  const before = process.env[ENV.queues];
  afterEach(() => {
    if (before === undefined) delete process.env[ENV.queues];
    else process.env[ENV.queues] = before;
  });

  it('measures the channels of the deployed platforms, and counts the others without alarming on them', async () => {
    // the lanes of a deployment of Facebook only
    process.env[ENV.queues] = JSON.stringify({ facebook: { normal: queueUrlFor('facebook'), urgent: 'u' } });
    const listed = [
      channel({ id: 'city-facebook', platform: 'facebook' }),
      channel({ id: 'city-mastodon', platform: 'mastodon' }),
      channel({ id: 'city-bluesky', platform: 'bluesky', state: 'frozen' }),
      channel({ id: 'city-telegram', platform: 'telegram', state: 'retired' }),
    ];
    const { doc } = recordingDoc((command) =>
      command.constructor.name === 'QueryCommand' && (command.input as { IndexName?: string }).IndexName === 'GSI1'
        ? { Items: listed.map((c) => ({ PK: `CHANNEL#${c.id}`, SK: 'CHANNEL', ...c })) }
        : { Items: [] },
    );
    const { sqs, batches } = recordingSqs();
    const { result, records } = await captureEmf(() =>
      runDailyFollowerSchedule({
        doc,
        sqs,
        table: 't',
        orgs: ['city'],
        timeZone: 'Europe/Berlin',
        metrics: followerMetrics(),
        now: new Date('2024-02-01T10:00:00Z'),
      }),
    );
    expect(result.enqueued).toEqual({ facebook: 1 });
    expect(result.undeployed).toBe(2);
    expect(batches.map((batch) => batch.queueUrl)).toEqual(['http://sqs/herold-facebook']);
    // only the measured channel's age is reported: the follower-age alarm never fires for the others
    expect(result.missing.map((missing) => missing.channelId)).toEqual(['city-facebook']);
    expect(records.map((record) => record.platform)).toEqual(['facebook']);
  });
});

describe('settings', () => {
  it('reads the time zone with its default', () => {
    expect(configuredTimeZone({})).toBe('Europe/Berlin');
    expect(() => configuredTimeZone({ HEROLD_TIME_ZONE: 'Mars/Olympus' })).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { collectFollowers } from '../../../shared/followers/collect';
import { followerMetrics } from '../../../shared/followers/metrics';
import { manualFigureResponse, recordManualFigure } from '../../../shared/followers/manual';
import { captureEmf } from './emf';
import { channel, recordingDoc } from './fixtures';

const x = channel({ id: 'city-x', platform: 'x', handle: '@dresden_de', state: 'frozen' });
const now = () => new Date('2024-02-02T04:00:07.000Z');

describe('collectFollowers', () => {
  it('writes the figure and emits FollowerCount with organisation, platform and channel', async () => {
    const { doc, sent } = recordingDoc();
    const { result, records } = await captureEmf(() =>
      collectFollowers({
        channel: x,
        date: '2024-02-02',
        readCount: async () => 12_345,
        doc,
        table: 't',
        metrics: followerMetrics(),
        now,
      }),
    );
    expect(result).toEqual({
      collected: true,
      figure: {
        channelId: 'city-x',
        date: '2024-02-02',
        count: 12_345,
        source: 'api',
        collectedAt: '2024-02-02T04:00:07.000Z',
      },
    });
    expect(sent[0]?.input.Item).toMatchObject({
      PK: 'CHANNEL#city-x',
      SK: 'FOLLOWERS#2024-02-02',
      count: 12_345,
      source: 'api',
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ organisation: 'city', platform: 'x', channel: 'city-x', FollowerCount: 12_345 });
    expect(records[0]?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'Herold',
          Dimensions: [expect.arrayContaining(['organisation', 'platform', 'channel'])],
          Metrics: [{ Name: 'FollowerCount', Unit: 'Count' }],
        },
      ],
    });
  });

  it('never reads or writes a retired channel', async () => {
    const { doc, sent } = recordingDoc();
    let read = false;
    const outcome = await collectFollowers({
      channel: { ...x, state: 'retired' },
      date: '2024-02-02',
      readCount: async () => ((read = true), 1),
      doc,
      table: 't',
      metrics: followerMetrics(),
    });
    expect(outcome).toEqual({ collected: false, reason: 'retired' });
    expect(read).toBe(false);
    expect(sent).toEqual([]);
  });

  it('lets a platform error propagate, writing nothing', async () => {
    const { doc, sent } = recordingDoc();
    await expect(
      collectFollowers({
        channel: x,
        date: '2024-02-02',
        readCount: async () => Promise.reject(new Error('429')),
        doc,
        table: 't',
        metrics: followerMetrics(),
      }),
    ).rejects.toThrow('429');
    expect(sent).toEqual([]);
  });

  it('refuses a count that is not a non-negative whole number', async () => {
    const { doc, sent } = recordingDoc();
    await expect(
      collectFollowers({
        channel: x,
        date: '2024-02-02',
        readCount: async () => Number.NaN,
        doc,
        table: 't',
        metrics: followerMetrics(),
      }),
    ).rejects.toThrow(/returned NaN/);
    expect(sent).toEqual([]);
  });
});

describe('recordManualFigure', () => {
  const whatsapp = channel({ id: 'city-whatsapp', platform: 'whatsapp', handle: 'Landeshauptstadt Dresden' });
  const at = new Date('2024-02-02T23:30:00Z'); // already 3 February in Dresden

  it('stores a hand-entered figure as manual', async () => {
    const { doc, sent } = recordingDoc();
    const result = await recordManualFigure({
      doc,
      table: 't',
      channel: whatsapp,
      by: { org: 'city', sub: 'b1', name: 'Berta Becker' },
      date: '2024-02-03',
      count: 812,
      timeZone: 'Europe/Berlin',
      now: at,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        channelId: 'city-whatsapp',
        date: '2024-02-03',
        count: 812,
        source: 'manual',
        collectedAt: at.toISOString(),
      },
    });
    // the figure and who entered it, in one transaction
    const [figure, audit] = sent[0]?.input.TransactItems as { Put: { Item: Record<string, unknown> } }[];
    expect(figure?.Put.Item).toMatchObject({ SK: 'FOLLOWERS#2024-02-03', source: 'manual' });
    expect(audit?.Put.Item).toMatchObject({
      action: 'followers.record',
      actorName: 'Berta Becker',
      target: 'channel/city-whatsapp',
      after: { date: '2024-02-03', count: 812 },
    });
  });

  it.each([
    [{ date: '2024-02-04', count: 1 }, [{ field: 'date', message: 'must not be in the future (today is 2024-02-03)' }]],
    [{ date: '2024-02-01', count: -1 }, [{ field: 'count', message: 'must not be negative' }]],
    [{ date: '2024-02-01', count: 1.5 }, [{ field: 'count', message: 'must be a whole number' }]],
    [{ date: '2024-13-01', count: 1 }, [{ field: 'date', message: 'must be a date as yyyy-mm-dd' }]],
  ])('refuses %j', async (input, errors) => {
    const { doc, sent } = recordingDoc();
    const result = await recordManualFigure({
      doc,
      table: 't',
      channel: whatsapp,
      by: { org: 'city', sub: 'b1' },
      ...input,
      timeZone: 'Europe/Berlin',
      now: at,
    });
    expect(result).toEqual({ ok: false, errors });
    expect(sent).toEqual([]);
  });
});

describe('manualFigureResponse', () => {
  const whatsapp = channel({ id: 'city-whatsapp', platform: 'whatsapp', handle: 'Landeshauptstadt Dresden' });
  const at = new Date('2024-02-03T10:00:00Z');
  const tableWith = () =>
    recordingDoc((command) =>
      command.constructor.name === 'GetCommand'
        ? { Item: { PK: 'CHANNEL#city-whatsapp', SK: 'CHANNEL', ...whatsapp } }
        : {},
    );
  const put = (
    doc: ReturnType<typeof recordingDoc>['doc'],
    overrides: Partial<Parameters<typeof manualFigureResponse>[0]>,
  ) =>
    manualFigureResponse({
      doc,
      table: 't',
      org: 'city',
      by: { org: 'city', sub: 'b1' },
      channelId: 'city-whatsapp',
      date: '2024-02-03',
      body: '{"count":812}',
      timeZone: 'Europe/Berlin',
      now: at,
      ...overrides,
    });

  it('answers 200 with the stored figure', async () => {
    const { doc, sent } = tableWith();
    const response = await put(doc, {});
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      channelId: 'city-whatsapp',
      date: '2024-02-03',
      count: 812,
      source: 'manual',
    });
    expect(sent.map((command) => command.name)).toEqual(['GetCommand', 'TransactWriteCommand']);
  });

  it('answers 404 for a channel of another organisation, as for an unknown one', async () => {
    const { doc, sent } = tableWith();
    expect((await put(doc, { org: 'fire-brigade' })).statusCode).toBe(404);
    expect((await put(recordingDoc().doc, {})).statusCode).toBe(404);
    expect((await put(doc, { channelId: '../x' })).statusCode).toBe(404);
    expect(sent.map((command) => command.name)).toEqual(['GetCommand']);
  });

  it.each([
    ['not json', [{ field: '(body)', message: 'must be JSON: { "count": <number> }' }]],
    ['{}', [{ field: 'count', message: 'is required' }]],
    ['{"count":"812"}', [{ field: 'count', message: 'must be a number' }]],
  ])('answers 400 with the field errors for the body %s', async (body, errors) => {
    const { doc, sent } = tableWith();
    const response = await put(doc, { body });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual(errors);
    expect(sent.map((command) => command.name)).toEqual(['GetCommand']);
  });
});

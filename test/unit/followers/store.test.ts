import { describe, expect, it } from 'vitest';
import { batchWriteFollowerCounts, putFollowerCount, queryFollowerSeries } from '../../../shared/followers/store';
import { CITY_CHANNELS, recordingDoc } from './fixtures';

const facebook = CITY_CHANNELS[0]!;
const write = (date: string) => ({
  channel: facebook,
  date,
  count: 1,
  source: 'api' as const,
  collectedAt: `${date}T04:00:00.000Z`,
});

describe('follower store', () => {
  it('writes one item per channel and day, keyed so a rerun overwrites', async () => {
    const { doc, sent } = recordingDoc();
    await putFollowerCount(doc, 't', {
      channel: facebook,
      date: '2024-02-02',
      count: 37177,
      source: 'api',
      collectedAt: '2024-02-02T04:00:00.000Z',
    });
    expect(sent).toEqual([
      {
        name: 'PutCommand',
        input: {
          TableName: 't',
          Item: {
            PK: 'CHANNEL#city-facebook',
            SK: 'FOLLOWERS#2024-02-02',
            count: 37177,
            collectedAt: '2024-02-02T04:00:00.000Z',
            source: 'api',
            platform: 'facebook',
            org: 'city',
          },
        },
      },
    ]);
  });

  it('refuses a negative count before writing', async () => {
    const { doc, sent } = recordingDoc();
    await expect(putFollowerCount(doc, 't', { ...write('2024-02-02'), count: -1 })).rejects.toThrow();
    expect(sent).toEqual([]);
  });

  it('queries a period with SK BETWEEN and follows pagination', async () => {
    const pages = [
      {
        Items: [{ SK: 'FOLLOWERS#2024-01-01', count: 1, source: 'api', collectedAt: '2024-01-01T04:00:00.000Z' }],
        LastEvaluatedKey: { PK: 'x', SK: 'y' },
      },
      { Items: [{ SK: 'FOLLOWERS#2024-01-02', count: 2, source: 'manual', collectedAt: '2024-01-02T04:00:00.000Z' }] },
    ];
    const { doc, sent } = recordingDoc(() => pages.shift());
    const series = await queryFollowerSeries(doc, 't', 'city-facebook', '2024-01-01', '2024-01-31');
    expect(series.map((point) => [point.date, point.count, point.source])).toEqual([
      ['2024-01-01', 1, 'api'],
      ['2024-01-02', 2, 'manual'],
    ]);
    expect(sent.map((command) => command.name)).toEqual(['QueryCommand', 'QueryCommand']);
    expect(sent[0]?.input).toMatchObject({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'CHANNEL#city-facebook',
        ':from': 'FOLLOWERS#2024-01-01',
        ':to': 'FOLLOWERS#2024-01-31',
      },
    });
    expect(sent[1]?.input.ExclusiveStartKey).toEqual({ PK: 'x', SK: 'y' });
  });

  it('refuses an item that is not a follower figure', async () => {
    const { doc } = recordingDoc(() => ({
      Items: [{ SK: 'FOLLOWERS#2024-01-01', count: '12', source: 'api', collectedAt: '2024-01-01T04:00:00.000Z' }],
    }));
    await expect(queryFollowerSeries(doc, 't', 'city-facebook', '2024-01-01', '2024-01-31')).rejects.toThrow(
      'malformed follower item CHANNEL#city-facebook / FOLLOWERS#2024-01-01',
    );
  });

  it('sends unprocessed batch items again until they are written', async () => {
    let call = 0;
    const { doc, sent } = recordingDoc((command) => {
      call++;
      const items = (command.input as { RequestItems: Record<string, unknown[]> }).RequestItems.t!;
      return call === 1 ? { UnprocessedItems: { t: items.slice(0, 2) } } : {};
    });
    const written = await batchWriteFollowerCounts(
      doc,
      't',
      [write('2024-01-01'), write('2024-01-02'), write('2024-01-03')],
      { sleep: async () => undefined },
    );
    expect(written).toBe(3);
    const batches = sent.map(
      (command) => ((command.input as { RequestItems: Record<string, unknown[]> }).RequestItems.t ?? []).length,
    );
    expect(batches).toEqual([3, 2]);
  });

  it('gives up with an error when items stay unprocessed', async () => {
    const { doc } = recordingDoc((command) => ({
      UnprocessedItems: (command.input as { RequestItems: unknown }).RequestItems,
    }));
    await expect(
      batchWriteFollowerCounts(doc, 't', [write('2024-01-01')], { sleep: async () => undefined }),
    ).rejects.toThrow(/still unprocessed after 8 attempts/);
  });
});

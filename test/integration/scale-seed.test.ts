/**
 * The scale benchmark's plain-HTTP seed writer: what it writes is what the project's own SDK
 * clients read back, in the same database of DynamoDB Local, and a refused batch is an error.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import {
  BATCH_SIZE,
  batchesOf,
  followerFigureItem,
  pastDeliveryItems,
  SeedWriter,
  writeInParallel,
} from '../../bench/scale/seed';
import { DeliverySchema, MessageSchema, type Channel } from '../../shared/model/schemas';
import { latestFollowerFigure } from '../../shared/followers/store';
import { getMessageWithDeliveries } from '../../shared/store/messages';
import { keys, openDeliveryShards } from '../../shared/store/keys';
import { isolatedTable } from '../support/local-aws';

const channel = (org: string, number: number): Channel => ({
  id: `${org}-mastodon-${number}`,
  org,
  platform: 'mastodon',
  handle: '@stadt@dresden.social',
  state: 'active',
  account: 'https://dresden.social',
  credentialsRef: `local:${org}-mastodon-${number}`,
});

describe('the scale seed writer', () => {
  it('writes past deliveries and follower figures the store reads back as written', async () => {
    const { dynamoEndpoint, tableName } = await isolatedTable('scale-seed');
    const writer = new SeedWriter(dynamoEndpoint, 4);
    const doc = localDynamoDocumentClient(dynamoEndpoint);
    try {
      const channelsByOrg = new Map([
        ['city', [channel('city', 0), channel('city', 1), channel('city', 2)]],
        ['fire', [channel('fire', 0), channel('fire', 1)]],
      ]);
      const items = [...pastDeliveryItems(channelsByOrg, 60, 'seeded')];
      const written = await writeInParallel({
        batches: batchesOf(items, BATCH_SIZE),
        write: writer.putItems(tableName),
        concurrency: 4,
      });
      expect(written).toMatchObject({ items: items.length, cut: false });

      const message = await getMessageWithDeliveries({ doc, table: tableName }, 'seeded-0');
      expect(MessageSchema.parse(message?.message)).toMatchObject({ id: 'seeded-0', org: 'city' });
      expect(message?.deliveries.map((delivery) => DeliverySchema.parse(delivery).state)).toEqual([
        'PUBLISHED',
        'PUBLISHED',
        'PUBLISHED',
      ]);
      const stored = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.delivery('seeded-1', 'fire-mastodon-1') }),
      );
      expect(stored.Item).toEqual(
        items.find((item) => item.PK === 'MSG#seeded-1' && item.SK === 'DLV#fire-mastodon-1'),
      );
      // settled deliveries are never in the reconciler's index
      for (const shard of openDeliveryShards()) {
        const open = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :open',
            ExpressionAttributeValues: { ':open': shard },
            Select: 'COUNT',
          }),
        );
        expect(open.Count).toBe(0);
      }

      const figure = followerFigureItem(tableName, {
        channel: channel('city', 0),
        date: '2026-12-02',
        count: 1234,
        source: 'api',
        collectedAt: '2026-12-02T04:00:00.000Z',
      });
      await writer.putItems(tableName)([figure]);
      expect(await latestFollowerFigure(doc, tableName, 'city-mastodon-0')).toMatchObject({
        date: '2026-12-02',
        count: 1234,
      });
    } finally {
      writer.destroy();
      doc.destroy();
    }
  });

  it('rejects a batch DynamoDB Local refuses, with its answer', async () => {
    const { dynamoEndpoint } = await isolatedTable('scale-seed');
    const writer = new SeedWriter(dynamoEndpoint, 1);
    try {
      await expect(writer.putItems('no-such-table')([{ PK: 'A', SK: 'B' }])).rejects.toThrow(
        /BatchWriteItem answered 400: .*ResourceNotFoundException/,
      );
    } finally {
      writer.destroy();
    }
  });

  it('refuses a follower figure its schema refuses', () => {
    expect(() =>
      followerFigureItem('t', {
        channel: channel('city', 0),
        date: '2.12.2026',
        count: 1,
        source: 'api',
        collectedAt: '2026-12-02T04:00:00.000Z',
      }),
    ).toThrow();
  });
});

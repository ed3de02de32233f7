import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { PLATFORM_IDS, queueNames } from '../../shared/platforms/registry';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { provisionTable } from '../../local/provision';
import { seedChannels } from '../../local/seed';
import { isolatedQueues, isolatedTable } from '../support/local-aws';

describe('provisioning the local table', () => {
  it('creates PK/SK, GSI1 with every attribute projected, the keys-only OPEN index, and TTL on expiresAt; a second run changes nothing', async () => {
    const { dynamoEndpoint, tableName } = await isolatedTable();
    await provisionTable(dynamoEndpoint, tableName);
    const client = localDynamoDocumentClient(dynamoEndpoint);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes).toEqual([
        expect.objectContaining({
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
        expect.objectContaining({
          IndexName: 'OPEN',
          KeySchema: [
            { AttributeName: 'OPENPK', KeyType: 'HASH' },
            { AttributeName: 'OPENSK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ]);
      const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    } finally {
      client.destroy();
    }
  });

  it('seeds the channels so an organisation lists its channels through GSI1', async () => {
    const { dynamoEndpoint, tableName } = await isolatedTable();
    await seedChannels(tableName, { dynamoEndpoint });
    const client = localDynamoDocumentClient(dynamoEndpoint);
    try {
      const query = (org: string) =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :org',
            ExpressionAttributeValues: { ':org': `ORGCHANNELS#${org}` },
          }),
        );
      const city = await query('city');
      expect(city.Items).toHaveLength(11);
      const fireBrigade = await query('fire-brigade');
      expect(fireBrigade.Items?.map((item) => item.GSI1SK)).toEqual([
        'facebook#fire-brigade-facebook',
        'instagram#fire-brigade-instagram',
        'threads#fire-brigade-threads',
        'x#fire-brigade-x',
      ]);
      expect(fireBrigade.Items?.find((item) => item.platform === 'x')).toMatchObject({
        PK: 'CHANNEL#fire-brigade-x',
        SK: 'CHANNEL',
        state: 'frozen',
        credentialsRef: 'local:fire-brigade-x',
      });
    } finally {
      client.destroy();
    }
  });
});

describe('provisioning the local queues', () => {
  it('creates a normal and an urgent queue per platform, each with its own DLQ after five receives', async () => {
    const { sqsEndpoint, queuePrefix, queues, deadLetterQueues } = await isolatedQueues();
    expect(Object.keys(queues).sort()).toEqual([...PLATFORM_IDS].sort());
    const sqs = localSqsClient(sqsEndpoint);
    try {
      for (const platform of PLATFORM_IDS) {
        const names = queueNames(platform, queuePrefix);
        expect(queues[platform].normal).toMatch(new RegExp(`/${names.normal}$`));
        expect(queues[platform].urgent).toMatch(new RegExp(`/${names.urgent}$`));
        expect(deadLetterQueues[platform].normal).toMatch(new RegExp(`/${names.normalDlq}$`));
        expect(deadLetterQueues[platform].urgent).toMatch(new RegExp(`/${names.urgentDlq}$`));
      }
      for (const lane of ['normal', 'urgent'] as const) {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queues.threads[lane], AttributeNames: ['All'] }),
        );
        expect(Attributes.VisibilityTimeout).toBe('30');
        const dlq = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: deadLetterQueues.threads[lane], AttributeNames: ['QueueArn'] }),
        );
        expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({
          deadLetterTargetArn: dlq.Attributes?.QueueArn,
          maxReceiveCount: 5,
        });
        expect(dlq.Attributes?.QueueArn).toMatch(/^arn:aws:sqs:eu-central-1:\d{12}:/);
      }
    } finally {
      sqs.destroy();
    }
  });
});

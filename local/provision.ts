/**
 * Creates the table and queues of design §3 and §2 on the local servers, the same shapes CDK
 * creates in AWS: one table with GSI1, the OPEN index and TTL, and per registry platform a normal and an urgent
 * queue, each with its own dead-letter queue.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueUrls } from '../shared/config';
import { platformList, queueNames, type PlatformId } from '../shared/platforms/registry';
import { CREDENTIALS_KEY } from '../shared/publishing/credentials-table';
import { OPEN_INDEX } from '../shared/store/keys';
import { localDynamoDocumentClient, localSqsClient } from './aws';

export const MAX_RECEIVE_COUNT = 5;
export const VISIBILITY_TIMEOUT_SECONDS = 30;
const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export async function provisionTable(dynamoEndpoint: string, tableName: string): Promise<void> {
  const client = localDynamoDocumentClient(dynamoEndpoint);
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
          { AttributeName: 'GSI1PK', AttributeType: 'S' },
          { AttributeName: 'GSI1SK', AttributeType: 'S' },
          { AttributeName: OPEN_INDEX.partitionKey, AttributeType: 'S' },
          { AttributeName: OPEN_INDEX.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: OPEN_INDEX.name,
            KeySchema: [
              { AttributeName: OPEN_INDEX.partitionKey, KeyType: 'HASH' },
              { AttributeName: OPEN_INDEX.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** The credentials table of `herold:secrets: "table"` (shared/publishing/credentials-table), as infra/herold-stack.ts defines it. */
export async function provisionCredentialsTable(dynamoEndpoint: string, tableName: string): Promise<void> {
  const client = localDynamoDocumentClient(dynamoEndpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: CREDENTIALS_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: CREDENTIALS_KEY, KeyType: 'HASH' }],
      }),
    );
  } finally {
    client.destroy();
  }
}

export interface ProvisionedQueues {
  /** the HEROLD_QUEUES map */
  queues: QueueUrls;
  /** the dead-letter queue behind each of those queues, same shape */
  deadLetterQueues: QueueUrls;
}

export interface QueueOptions {
  /** seconds a received job stays invisible (default 30, as in AWS); tests shorten it */
  visibilityTimeoutSeconds?: number;
}

export async function provisionQueues(
  sqsEndpoint: string,
  prefix = 'herold',
  options: QueueOptions = {},
): Promise<ProvisionedQueues> {
  const client = localSqsClient(sqsEndpoint);
  const visibility = String(options.visibilityTimeoutSeconds ?? VISIBILITY_TIMEOUT_SECONDS);
  try {
    const pairs = await Promise.all(
      platformList().map(async ({ id }) => {
        const names = queueNames(id, prefix);
        const dlqAttributes = { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) };
        const [normalDlq, urgentDlq] = await Promise.all([
          createQueue(client, names.normalDlq, dlqAttributes),
          createQueue(client, names.urgentDlq, dlqAttributes),
        ]);
        const [normal, urgent] = await Promise.all([
          createQueue(client, names.normal, {
            VisibilityTimeout: visibility,
            RedrivePolicy: await redrivePolicy(client, normalDlq),
          }),
          createQueue(client, names.urgent, {
            VisibilityTimeout: visibility,
            RedrivePolicy: await redrivePolicy(client, urgentDlq),
          }),
        ]);
        return [id, { normal, urgent }, { normal: normalDlq, urgent: urgentDlq }] as const;
      }),
    );
    return {
      queues: Object.fromEntries(pairs.map(([id, urls]) => [id, urls])) as Record<
        PlatformId,
        { normal: string; urgent: string }
      >,
      deadLetterQueues: Object.fromEntries(pairs.map(([id, , dlqs]) => [id, dlqs])) as Record<
        PlatformId,
        { normal: string; urgent: string }
      >,
    };
  } finally {
    client.destroy();
  }
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

async function redrivePolicy(client: SQSClient, dlqUrl: string): Promise<string> {
  return JSON.stringify({ deadLetterTargetArn: await queueArn(client, dlqUrl), maxReceiveCount: MAX_RECEIVE_COUNT });
}

export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}

/**
 * A Herold table in DynamoDB Local for the follower integration test and benchmark: PK/SK, GSI1 on
 * GSI1PK/GSI1SK (all attributes projected), on demand. Records the name of every command sent, so a
 * test can prove which operations a feature uses.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB Local accepts any credentials; fixed ones keep the SDK from searching for real ones. */
export const LOCAL_AWS = { region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export interface LocalTable {
  table: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** command names in the order they were sent, e.g. "QueryCommand" */
  commands: string[];
}

export async function createFollowersTable(endpoint: string): Promise<LocalTable> {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  const table = `herold-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
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
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table });
  return { table, client, doc: DynamoDBDocumentClient.from(client), commands };
}

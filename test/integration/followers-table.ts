/**
 * A Herold table in DynamoDB Local (as the local stack provisions it) for the follower integration
 * test and benchmark. Records the name of every command sent, so a
 * test can prove which operations a feature uses.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { provisionTable } from '../../local/provision';
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
  await provisionTable(endpoint, table);
  return { table, client, doc: DynamoDBDocumentClient.from(client), commands };
}

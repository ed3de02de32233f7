/**
 * The smallest function Herold's architecture can have, the cold-start benchmark's baseline: a
 * handler holding a DynamoDB document client and an SQS client, bundled as every Herold function is.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});

export const handler = async (event: { key: string; queueUrl: string }) => {
  const { Item } = await doc.send(
    new GetCommand({ TableName: process.env.HEROLD_TABLE, Key: { PK: event.key, SK: event.key } }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: JSON.stringify(Item ?? {}) }));
};

/** The cost meter against DynamoDB Local: what it counts inside an invocation, and only there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDocumentClient } from '../../local/aws';
import { invoke } from '../../local/invocations';
import { startMeter, type Meter } from '../../bench/cost/meter';
import { isolatedTable } from '../support/local-aws';

let meter: Meter;
let table: string;
let doc: ReturnType<typeof localDynamoDocumentClient>;
beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('costmeter');
  table = tableName;
  doc = localDynamoDocumentClient(dynamoEndpoint);
  meter = await startMeter({ dynamoEndpoint, tableName });
});
afterAll(() => meter?.stop());

const inFunction = <T>(run: () => Promise<T>) => invoke({ functionName: 'herold-ingest', trigger: 'api' }, run);
const units = (name: string) =>
  meter.usages.filter((usage) => usage.meter === name).reduce((sum, usage) => sum + usage.quantity, 0);

describe('the cost meter', () => {
  it('counts nothing outside an invocation', async () => {
    meter.reset();
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'outside', SK: 'x' } }));
    expect(meter.usages).toEqual([]);
  });

  it('bills a write by item size, the index entry it adds, and the invocation around it', async () => {
    meter.reset();
    await inFunction(() =>
      doc.send(
        new PutCommand({
          TableName: table,
          Item: { PK: 'MSG#1', SK: 'DLV#a', GSI1PK: 'OPEN', GSI1SK: '1', text: 'x'.repeat(1500) },
        }),
      ),
    );
    // 1.5 KB → 2 WRU in the table, 2 in GSI1
    expect(units('dynamodb.write-request-unit')).toBe(4);
    expect(units('lambda.request')).toBe(1);
    expect(units('apigateway.http-request')).toBe(1);
    expect(meter.invocations).toHaveLength(1);
    expect(meter.crossChecks[0]).toMatchObject({ operation: 'PutItem', computedWrite: 4, reportedWrite: 4 });
  });

  it('bills an update that moves the index key as two index writes, and a transaction twice', async () => {
    meter.reset();
    await inFunction(async () => {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { PK: 'MSG#1', SK: 'DLV#a' },
          UpdateExpression: 'SET GSI1SK = :next, #text = :short',
          ExpressionAttributeNames: { '#text': 'text' },
          ExpressionAttributeValues: { ':next': '2', ':short': 'short' },
        }),
      );
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: table, Item: { PK: 'MSG#2', SK: 'MSG' } } }],
        }),
      );
    });
    // update: larger of before (2 KB) and after (1 KB) = 2, index delete 2 + put 1; transaction 2 × 1
    expect(units('dynamodb.write-request-unit')).toBe(2 + 3 + 2);
  });

  it('bills a filtered query on the items it read, not the ones it returned', async () => {
    meter.reset();
    await inFunction(() =>
      doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'PK = :pk',
          FilterExpression: 'attribute_exists(nothing)',
          ExpressionAttributeValues: { ':pk': 'MSG#1' },
        }),
      ),
    );
    expect(units('dynamodb.read-request-unit')).toBe(0.5);
  });
});

/** One DynamoDB document client per process (reused across Lambda invocations). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../config';

let documentClient: DynamoDBDocumentClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export interface Store {
  doc: DynamoDBDocumentClient;
  table: string;
}

export const defaultStore = (): Store => ({ doc: dynamo(), table: tableName() });

/** Strip the key and index attributes before an item leaves the store layer. */
export function withoutKeys<T extends Record<string, unknown>>(
  item: T,
): Omit<T, 'PK' | 'SK' | 'GSI1PK' | 'GSI1SK' | 'OPENPK' | 'OPENSK'> {
  const { PK: _pk, SK: _sk, GSI1PK: _g1pk, GSI1SK: _g1sk, OPENPK: _openPk, OPENSK: _openSk, ...rest } = item;
  return rest;
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');

/** Every item a Query finds, page after page (following LastEvaluatedKey). */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Keys of one BatchGetItem call: DynamoDB's limit. */
const KEYS_PER_BATCH_GET = 100;

/**
 * Items by key, a hundred at a time, asking again (with a short backoff) for what DynamoDB left
 * unprocessed. Keys without an item are simply not in the answer.
 */
export async function batchGetItems(
  store: Store,
  itemKeys: readonly Record<string, unknown>[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < itemKeys.length; start += KEYS_PER_BATCH_GET) {
    let pending = itemKeys.slice(start, start + KEYS_PER_BATCH_GET) as Record<string, unknown>[];
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** round * 10, 500)));
      const result = await store.doc.send(
        new BatchGetCommand({
          RequestItems: { [store.table]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) } },
        }),
      );
      found.push(...(result.Responses?.[store.table] ?? []));
      pending = result.UnprocessedKeys?.[store.table]?.Keys ?? [];
    }
  }
  return found;
}

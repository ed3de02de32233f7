/** Several messages in as few round trips as DynamoDB allows (100 keys a request, unprocessed keys asked again). */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { MessageSchema, type Message } from '../model/schemas';
import { withoutKeys, type Store } from './client';
import { keys } from './keys';

const KEYS_PER_REQUEST = 100;

/** The messages found, by id; a consistent read sees a change the caller has just made. */
export async function getMessages(
  store: Store,
  ids: readonly string[],
  options: { consistent: boolean },
): Promise<Map<string, Message>> {
  const found = new Map<string, Message>();
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += KEYS_PER_REQUEST) {
    let pending: Record<string, unknown>[] = unique.slice(start, start + KEYS_PER_REQUEST).map(keys.message);
    while (pending.length > 0) {
      const result = await store.doc.send(
        new BatchGetCommand({
          RequestItems: { [store.table]: { Keys: pending, ConsistentRead: options.consistent } },
        }),
      );
      for (const item of result.Responses?.[store.table] ?? []) {
        const message = MessageSchema.parse(withoutKeys(item));
        found.set(message.id, message);
      }
      pending = result.UnprocessedKeys?.[store.table]?.Keys ?? [];
    }
  }
  return found;
}

/** Several messages in as few round trips as DynamoDB allows (100 keys a request, unprocessed keys asked again). */
import { MessageSchema, type Message } from '../model/schemas';
import { batchGetItems, withoutKeys, type Store } from './client';
import { keys } from './keys';

/** The messages found, by id; a consistent read sees a change the caller has just made. */
export async function getMessages(
  store: Store,
  ids: readonly string[],
  options: { consistent: boolean },
): Promise<Map<string, Message>> {
  const items = await batchGetItems(store, [...new Set(ids)].map(keys.message), options);
  return new Map(
    items.map((item) => {
      const message = MessageSchema.parse(withoutKeys(item));
      return [message.id, message];
    }),
  );
}

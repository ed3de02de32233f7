/**
 * An organisation's messages in one state, read through their pointer items
 * (`ORG#<org>`/`STATE#<state>#<time>#<id>`: scheduled, held, waiting for approval). A pointer can
 * outlive its state for a moment, so each listing reads the messages consistently and the caller
 * keeps only those still in the state it asked for.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '../model/schemas';
import type { Store } from './client';
import { decodeCursor, encodeCursor } from './cursor';
import { schedulingKeys } from './keys';
import { getMessages } from './message-batch';

export interface PointerPage {
  messages: Message[];
  /** the cursor of the next page */
  next?: string;
}

/** One page of pointers in time order, their messages read consistently, those `still` holds for kept. */
export async function messagesByStatePointers(
  store: Store,
  org: string,
  state: string,
  options: { limit: number; cursor?: string; still: (message: Message) => boolean },
): Promise<PointerPage> {
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': schedulingKeys.orgPartition(org),
        ':prefix': schedulingKeys.orgMessagesInStatePrefix(state),
      },
      Limit: options.limit,
      ExclusiveStartKey:
        options.cursor === undefined ? undefined : decodeCursor(options.cursor, isPointerKeyOf(org, state)),
    }),
  );
  const ids = (page.Items ?? []).map((item) => String(item.messageId));
  const found = await getMessages(store, ids, { consistent: true });
  return {
    messages: ids
      .map((id) => found.get(id))
      .filter((message): message is Message => message !== undefined && options.still(message)),
    ...(page.LastEvaluatedKey ? { next: encodeCursor(page.LastEvaluatedKey) } : {}),
  };
}

/** A cursor is only ever accepted for the organisation and state it was issued for. */
const isPointerKeyOf =
  (org: string, state: string) =>
  ({ PK, SK }: Record<string, unknown>): boolean =>
    PK === schedulingKeys.orgPartition(org) &&
    typeof SK === 'string' &&
    SK.startsWith(schedulingKeys.orgMessagesInStatePrefix(state));

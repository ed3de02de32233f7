/** POST /messages with an optional Idempotency-Key: at most one message per key and body. */
import type { CreateMessage, Principal } from '../model/schemas';
import { ProblemError, parseOrProblem } from '../api/problem';
import { getMessageWithDeliveries } from '../store/messages';
import { createMessage, type CreateMessageDeps } from './create-message';
import { deliverySummaries } from '../messages/summaries';
import {
  abandonIdempotent,
  beginIdempotent,
  completeIdempotent,
  IdempotencyKeySchema,
  requestHash,
} from '../messages/idempotency';
import { newMessageId } from '../messages/ids';

export interface StoredResponse {
  statusCode: number;
  body: string;
  /** true when this answer repeats an earlier one */
  replayed: boolean;
}

export async function createMessageOnce(
  principal: Principal,
  input: CreateMessage,
  idempotencyKey: string | undefined,
  deps: CreateMessageDeps,
): Promise<StoredResponse> {
  if (idempotencyKey === undefined) {
    return { statusCode: 202, body: JSON.stringify(await createMessage(principal, input, deps)), replayed: false };
  }
  const key = parseOrProblem(IdempotencyKeySchema, idempotencyKey, 'the Idempotency-Key header is not valid');
  const start = await beginIdempotent(
    deps.store,
    principal.org,
    key,
    requestHash(input),
    newMessageId(),
    deps.now?.().getTime(),
  );
  if (start.kind === 'replay') return { statusCode: start.statusCode, body: start.body, replayed: true };

  if (start.kind === 'resume') {
    const written = await getMessageWithDeliveries(deps.store, start.messageId);
    if (written) {
      // The earlier request wrote the message and died before answering; the reconciler queues what it left PENDING.
      const stillPending = new Set(written.deliveries.map((delivery) => delivery.channelId));
      const body = JSON.stringify({
        id: start.messageId,
        deliveries: deliverySummaries(written.deliveries, stillPending),
      });
      await completeIdempotent(deps.store, principal.org, key, { statusCode: 202, body });
      return { statusCode: 202, body, replayed: true };
    }
  }
  let body: string;
  try {
    body = JSON.stringify(await createMessage(principal, input, { ...deps, messageId: start.messageId }));
  } catch (error) {
    if (error instanceof ProblemError) await abandonIdempotent(deps.store, principal.org, key);
    throw error;
  }
  await completeIdempotent(deps.store, principal.org, key, { statusCode: 202, body });
  return { statusCode: 202, body, replayed: false };
}

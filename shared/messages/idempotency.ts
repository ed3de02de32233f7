/**
 * Idempotent message creation (`Idempotency-Key` header, or a CAP alert's identifier): the same key
 * with the same body returns the original response for 24 h; with a different body it is a 422.
 * The key is taken with one conditional write that also fixes the message id in advance, so two
 * racing requests cannot both create, and a crash after the message was written still answers
 * with that message.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ProblemError } from '../api/problem';
import { isConditionFailure, type Store } from '../store/client';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** An in-progress key older than this belongs to a request that died: the next one may finish it. */
const IN_PROGRESS_TIMEOUT_MS = 30_000;

export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'an Idempotency-Key is 1-255 visible ASCII characters');

const RecordSchema = z.object({
  requestHash: z.string(),
  messageId: z.string(),
  status: z.enum(['IN_PROGRESS', 'COMPLETED']),
  startedAt: z.number(),
  response: z.object({ statusCode: z.number(), body: z.string() }).optional(),
});

export type IdempotencyStart =
  | { kind: 'new'; messageId: string }
  /** the original request completed: answer exactly as it did */
  | { kind: 'replay'; statusCode: number; body: string }
  /** the original request died after taking the key: finish it with the same message id */
  | { kind: 'resume'; messageId: string };

export const requestHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

/** JSON with sorted keys, so the same body in another key order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const recordKey = (org: string, key: string) => ({ PK: `IDEMP#${org}#${key}`, SK: 'IDEMP' });

export async function beginIdempotent(
  store: Store,
  org: string,
  key: string,
  hash: string,
  proposedMessageId: string,
  now = Date.now(),
): Promise<IdempotencyStart> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: {
          ...recordKey(org, key),
          requestHash: hash,
          messageId: proposedMessageId,
          status: 'IN_PROGRESS',
          startedAt: now,
          expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        // An expired record may still be there until TTL deletes it: it no longer counts.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
      }),
    );
    return { kind: 'new', messageId: proposedMessageId };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: recordKey(org, key), ConsistentRead: true }),
  );
  const existing = RecordSchema.parse(Item);
  if (existing.requestHash !== hash) {
    throw new ProblemError(422, 'this Idempotency-Key was used with a different request body', {
      errors: [{ field: 'Idempotency-Key', message: 'reused with a different body' }],
    });
  }
  if (existing.status === 'COMPLETED' && existing.response) return { kind: 'replay', ...existing.response };
  if (now - existing.startedAt < IN_PROGRESS_TIMEOUT_MS) {
    throw new ProblemError(409, 'a request with this Idempotency-Key is still in progress; retry shortly');
  }
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: recordKey(org, key),
        UpdateExpression: 'SET startedAt = :now',
        ConditionExpression: 'startedAt = :seen AND #status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': now, ':seen': existing.startedAt, ':inProgress': 'IN_PROGRESS' },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new ProblemError(409, 'a request with this Idempotency-Key is still in progress; retry shortly');
    throw error;
  }
  return { kind: 'resume', messageId: existing.messageId };
}

export async function completeIdempotent(
  store: Store,
  org: string,
  key: string,
  response: { statusCode: number; body: string },
): Promise<void> {
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: recordKey(org, key),
      UpdateExpression: 'SET #status = :completed, #response = :response',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'COMPLETED', ':response': response },
    }),
  );
}

/** A request that was refused frees its key, so the caller can send a corrected body. */
export async function abandonIdempotent(store: Store, org: string, key: string): Promise<void> {
  await store.doc.send(new DeleteCommand({ TableName: store.table, Key: recordKey(org, key) }));
}

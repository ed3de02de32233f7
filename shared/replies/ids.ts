/**
 * Reply ids. A reply's key is fixed by where it is: its message, its channel and a hash of its id on
 * the platform, so the webhook and the poll that both see one reply write the same item once. The
 * API shows the key as one opaque id (base64url): neither the platform's id nor anything else a
 * client could build on.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { IdSchema } from '../model/schemas';

/** 16 hex digits (64 bits) of SHA-256 over the channel and the platform's id of the reply. */
export const remoteHash = (channelId: string, remoteId: string): string =>
  createHash('sha256').update(`${channelId}\n${remoteId}`).digest('hex').slice(0, 16);

export interface ReplyKeyParts {
  messageId: string;
  channelId: string;
  hash: string;
}

export const replyIdOf = (parts: ReplyKeyParts): string =>
  Buffer.from(`${parts.messageId}/${parts.channelId}/${parts.hash}`, 'utf8').toString('base64url');

export const ReplyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,200}$/, 'not a reply id');

/** The parts of an API id, or undefined for anything Herold did not issue. */
export function replyKeyParts(id: string): ReplyKeyParts | undefined {
  if (!ReplyIdSchema.safeParse(id).success) return undefined;
  const [messageId = '', channelId = '', hash = '', ...rest] = Buffer.from(id, 'base64url').toString('utf8').split('/');
  if (rest.length > 0 || !IdSchema.safeParse(messageId).success || !IdSchema.safeParse(channelId).success)
    return undefined;
  if (!/^[0-9a-f]{16}$/.test(hash)) return undefined;
  // base64url has more than one spelling of some byte strings: only Herold's own spelling names a reply
  return replyIdOf({ messageId, channelId, hash }) === id ? { messageId, channelId, hash } : undefined;
}

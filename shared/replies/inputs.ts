/** What the replies API takes: its query and bodies, for the handlers and the OpenAPI description. */
import * as z from 'zod';
import { IdSchema, PlatformIdSchema } from '../model/schemas';

export const ListRepliesQuerySchema = z.strictObject({
  platform: PlatformIdSchema.optional(),
  message: IdSchema.optional(),
  unanswered: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.string().max(2000).optional(),
});

export const AnswerReplySchema = z.strictObject({
  text: z
    .string()
    .max(5000)
    .refine((text) => text.trim().length > 0, 'must not be empty or whitespace only'),
});

export const HideReplySchema = z.strictObject({
  /** the id of a rule of the organisation's netiquette */
  reason: z.string().min(1).max(40),
  /** what the person adds for the record (never shown to the author) */
  note: z.string().trim().max(500).optional(),
});
export const UnhideReplySchema = z.strictObject({ note: z.string().trim().max(500).optional() });

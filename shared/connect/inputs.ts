/**
 * The bodies of `POST /channels/{id}/connect`, one per kind of platform. Kept apart from the flows
 * (pure zod, no platform calls, no SDK) so the API description can name them without carrying the
 * connection code into the ingest function.
 */
import * as z from 'zod';

/** Platforms whose sign-in gives exactly one account (Threads, YouTube, X): nothing to choose. */
export const NoInputSchema = z.strictObject({});

/** Facebook, Instagram, LinkedIn, Pinterest: one sign-in can reach several Pages, organisations or boards. */
export const TargetInputSchema = z.strictObject({
  /** the Page, organisation or board to post to (default: the channel's handle, or the only one there is) */
  target: z.string().trim().min(1).max(200).optional(),
});
export type TargetInput = z.infer<typeof TargetInputSchema>;

export const MastodonInputSchema = z.strictObject({
  /** the instance the account lives on, e.g. https://dresden.social */
  instance: z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin),
});
export type MastodonInput = z.infer<typeof MastodonInputSchema>;

export const BlueskyInputSchema = z.strictObject({
  /** the handle or e-mail (default: the channel's handle) */
  identifier: z.string().trim().min(1).max(253).optional(),
  /** an app password (Settings → Privacy and security → App passwords), never the account's own */
  appPassword: z.string().min(1).max(200),
});
export type BlueskyInput = z.infer<typeof BlueskyInputSchema>;

export const TelegramInputSchema = z.strictObject({
  botToken: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{10,}$/, 'a bot token looks like 123456789:AA…, as @BotFather gives it'),
  /** the public channel's @username (default: the channel's handle) */
  channel: z
    .string()
    .trim()
    .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, 'a channel username, e.g. @landeshauptstadt_dresden')
    .optional(),
});
export type TelegramInput = z.infer<typeof TelegramInputSchema>;

/** An invite link as WhatsApp shows it under Channel info → Share. */
export const WHATSAPP_INVITE_LINK = /^https:\/\/(?:www\.)?whatsapp\.com\/channel\/([A-Za-z0-9]+)$/;

export const WhatsappInputSchema = z.strictObject({
  inviteLink: z.string().trim().regex(WHATSAPP_INVITE_LINK, 'an invite link like https://whatsapp.com/channel/0029Va…'),
});
export type WhatsappInput = z.infer<typeof WhatsappInputSchema>;

/** For the API description: the body is the one of the channel's platform. */
export const ConnectBodyDocSchema = z.union([
  NoInputSchema,
  TargetInputSchema,
  MastodonInputSchema,
  BlueskyInputSchema,
  TelegramInputSchema,
  WhatsappInputSchema,
]);

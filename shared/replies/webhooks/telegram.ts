/**
 * Telegram's updates from a channel's discussion group, parsed with zod. Each channel post arrives
 * there as an automatic forward (`is_automatic_forward`, `forward_origin` naming the channel post);
 * a comment answers that forward (`reply_to_message`), or another comment. Messages of bots (Herold's
 * own answers are sent by the channel's bot) and of the channel itself are left out.
 */
import * as z from 'zod';
import type { PlatformReply } from '../../platforms/client';
import { isoTime } from '../../platforms/clients/graph';
import type { PushedEvent } from './events';

const Chat = z.looseObject({ id: z.number(), type: z.string().optional(), username: z.string().optional() });
const ForwardOrigin = z.looseObject({ type: z.string(), chat: Chat.optional(), message_id: z.number().optional() });
const MessageCore = z.looseObject({
  message_id: z.number(),
  date: z.number(),
  chat: Chat,
  from: z
    .looseObject({
      id: z.number(),
      is_bot: z.boolean(),
      username: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
    })
    .optional(),
  sender_chat: Chat.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  is_automatic_forward: z.boolean().optional(),
  forward_origin: ForwardOrigin.optional(),
  message_thread_id: z.number().optional(),
});
const Message = MessageCore.extend({ reply_to_message: MessageCore.optional() });
export const TelegramUpdate = z.looseObject({
  update_id: z.number(),
  message: Message.optional(),
  edited_message: Message.optional(),
});

const forwardedPost = (message: z.infer<typeof MessageCore>) =>
  message.is_automatic_forward && message.forward_origin?.type === 'channel' && message.forward_origin.message_id
    ? String(message.forward_origin.message_id)
    : undefined;

/** The events of one update to the channel `channelId`'s webhook. */
export function telegramWebhookEvents(channelId: string, body: unknown): PushedEvent[] {
  const update = TelegramUpdate.parse(body);
  const message = update.message ?? update.edited_message;
  if (!message) return [];
  const chat = String(message.chat.id);
  const post = forwardedPost(message);
  if (post)
    return [{ kind: 'telegram-message', channelId, chat, messageId: String(message.message_id), postRemoteId: post }];
  const parent = message.reply_to_message;
  if (!parent || message.from?.is_bot || message.sender_chat) return [];
  const name = [message.from?.first_name, message.from?.last_name].filter(Boolean).join(' ');
  const reply: PlatformReply = {
    remoteId: String(message.message_id),
    parentRemoteId: forwardedPost(parent) ?? String(parent.message_id),
    chat,
    text: message.text ?? message.caption ?? '',
    author: { ...(message.from?.username ? { handle: message.from.username } : {}), ...(name ? { name } : {}) },
    repliedAt: isoTime(message.date),
    hidden: false,
  };
  const direct = forwardedPost(parent);
  if (direct)
    return [
      { kind: 'telegram-message', channelId, chat, messageId: reply.remoteId, postRemoteId: direct },
      { kind: 'reply', post: { platform: 'telegram', channelId, remoteIds: [direct] }, reply },
    ];
  const answers = [
    String(parent.message_id),
    ...(message.message_thread_id ? [String(message.message_thread_id)] : []),
  ];
  return [{ kind: 'telegram-comment', channelId, chat, answers: [...new Set(answers)], reply }];
}

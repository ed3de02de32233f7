/**
 * Telegram Bot API: the bot posts into a public channel it administers.
 *   text only        → sendMessage (link_preview_options shows the message's link)
 *   one image/video  → sendPhoto / sendVideo with the text as caption (at most 1,024 characters)
 *   several media    → sendMediaGroup, the text as the first item's caption
 *   a text too long for a caption → sendMessage with the first image as its large link preview,
 *                      so the message stays one post.
 * Replies use reply_parameters.message_id. Telegram has no alt text; images carry none.
 *
 * Lookup after an ambiguous outcome: the Bot API cannot read a channel's history (there is no
 * method that lists a chat's messages, and bots get no updates about their own posts), so a lost
 * answer can never be resolved by the client. What is certain: before each send the client
 * checkpoints `sendStartedAt`; without it nothing was ever sent (e.g. the function died before
 * the call) and findPublished returns null. With it, findPublished says "unknown" with an
 * `ambiguous` error rather than null, which would claim the message certainly was not sent;
 * the delivery stays in VERIFY for a person to check the channel.
 *
 * Pinning: pinChatMessage / unpinChatMessage (the bot needs the channel's can_edit_messages right;
 * channels never notify about a pin).
 *
 * Credentials: `botToken` (from @BotFather, `<bot id>:<secret>`). It is part of every request
 * path, so it never appears in error messages (redacted by safeDetail).
 * Channel `account`: the channel's public username with `@`, e.g. `@dresden_warnungen`.
 */
import * as z from 'zod';
import { PLATFORMS } from '../registry';
import {
  NO_LOOKUP_CODE,
  PlatformError,
  type InboxAccess,
  type PlatformClient,
  type ReplyCapabilities,
  type PlatformContext,
  type PublishContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import type { Media } from '../../model/schemas';
import { classByStatus, httpRequest, parseAnswer, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { requireCredential } from './graph';

/** Results as the Bot API documents them, only the fields Herold reads. */
const MessageResult = z.looseObject({ message_id: z.number() });
/** sendMediaGroup answers with the album's messages, the first carrying the caption. */
const AlbumResult = z.tuple([MessageResult], MessageResult);
const CountResult = z.number();
const DoneResult = z.literal(true);

/** Every Bot API answer: `{ ok: true, result }` on success. */
const answerWith = <T>(result: z.ZodType<T>) => z.looseObject({ ok: z.literal(true), result });

const CAPTION_LIMIT = PLATFORMS.telegram.text.captionLimit ?? PLATFORMS.telegram.text.limit;

export function classifyTelegramError(response: HttpResponse, method: string): PlatformError {
  const body = response.body as
    { error_code?: number; description?: string; parameters?: { retry_after?: number } } | undefined;
  const status = body?.error_code ?? response.status;
  const detail = `${method}: ${status} ${safeDetail(body?.description ?? response.body)}`;
  const errorClass = classByStatus(status);
  return new PlatformError(errorClass, detail, {
    code: status,
    retryAfterSeconds:
      errorClass === 'rate-limited'
        ? (body?.parameters?.retry_after ?? retryAfterSeconds(response.headers) ?? 30)
        : undefined,
  });
}

async function botCall<S extends z.ZodType>(
  context: PlatformContext,
  method: string,
  body: Record<string, unknown>,
  result: S,
): Promise<z.output<S>> {
  const token = requireCredential(context, 'botToken');
  const response = await httpRequest({
    method: 'POST',
    url: `${context.baseUrl}/bot${token}/${method}`,
    body,
    timeoutMs: context.timeoutMs,
    fetch: context.fetch,
  });
  // An error is `{ ok: false, error_code, description }` with a 4xx/5xx status; any 2xx must be a result.
  if (response.status >= 200 && response.status < 300)
    return parseAnswer(response, answerWith(result), {
      platform: 'Telegram',
      call: method,
      secrets: context.credentials,
    }).result as z.output<S>;
  throw classifyTelegramError(response, method);
}

const isVideo = (media: Media) => media.mime.startsWith('video/');

function messageUrl(context: PlatformContext, messageId: number): string {
  return `https://t.me/${context.channel.account.replace(/^@/, '')}/${messageId}`;
}

async function send(request: PublishRequest, context: PublishContext): Promise<number> {
  const chat = {
    chat_id: context.channel.account,
    ...(request.replyTo ? { reply_parameters: { message_id: Number(request.replyTo.remoteId) } } : {}),
  };
  const media = request.media.slice(0, PLATFORMS.telegram.media.maxItems);
  const fitsCaption = request.text.length <= CAPTION_LIMIT;
  if (media.length === 0 || !fitsCaption) {
    const previewUrl = media.find((item) => !isVideo(item))?.url ?? request.link;
    const preview = previewUrl
      ? { link_preview_options: { url: previewUrl, prefer_large_media: true, show_above_text: media.length > 0 } }
      : {};
    await context.clearToPublish();
    return (await botCall(context, 'sendMessage', { ...chat, text: request.text, ...preview }, MessageResult))
      .message_id;
  }
  if (media.length === 1) {
    const [item] = media as [Media];
    const method = isVideo(item) ? 'sendVideo' : 'sendPhoto';
    await context.clearToPublish();
    return (
      await botCall(
        context,
        method,
        { ...chat, [isVideo(item) ? 'video' : 'photo']: item.url, caption: request.text },
        MessageResult,
      )
    ).message_id;
  }
  const album = media.map((item, index) => ({
    type: isVideo(item) ? 'video' : 'photo',
    media: item.url,
    ...(index === 0 ? { caption: request.text } : {}),
  }));
  await context.clearToPublish();
  const sent = await botCall(context, 'sendMediaGroup', { ...chat, media: album }, AlbumResult);
  return sent[0].message_id;
}

const ChatResult = z.looseObject({ id: z.number(), type: z.string(), linked_chat_id: z.number().optional() });
const BotResult = z.looseObject({ id: z.number(), can_read_all_group_messages: z.boolean().optional() });
const MemberResult = z.looseObject({ status: z.string() });
const WebhookInfoResult = z.looseObject({ url: z.string() });

/** The updates Herold asks its bots for: comments in the discussion group and their edits. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message'];

/**
 * Replies: a channel's comments live in its linked discussion group, and the Bot API keeps no
 * history to read later: they reach Herold only as updates, through the bot's webhook
 * (`X-Telegram-Bot-Api-Secret-Token`). The bot must be an administrator of the group, or have
 * privacy mode off, to get them. Answers are group messages with `reply_parameters`; like every
 * Bot API send, an answer whose outcome was lost cannot be looked up. Telegram has no hiding
 * (only deleting, within 48 hours, by an administrator), so Herold does not offer it.
 */
const telegramReplies: ReplyCapabilities = {
  async checkAccess(context, webhook): Promise<InboxAccess> {
    const channel = await botCall(context, 'getChat', { chat_id: context.channel.account }, ChatResult);
    if (channel.linked_chat_id === undefined)
      return {
        ok: false,
        reason: `${context.channel.account} has no linked discussion group, so it takes no comments: link one in the channel's settings (Discussion)`,
      };
    const discussionGroup = String(channel.linked_chat_id);
    const bot = await botCall(context, 'getMe', {}, BotResult);
    const member = await botCall(
      context,
      'getChatMember',
      { chat_id: channel.linked_chat_id, user_id: bot.id },
      MemberResult,
    );
    const reads = member.status === 'administrator' || member.status === 'creator' || bot.can_read_all_group_messages;
    if (!reads)
      return {
        ok: false,
        discussionGroup,
        reason:
          member.status === 'member'
            ? 'the bot is a member of the discussion group with privacy mode on, so it sees no comments: make it an administrator of the group (or turn privacy mode off in @BotFather and add it again)'
            : `the bot is "${member.status}" in the discussion group: make it an administrator of the group`,
      };
    const info = await botCall(context, 'getWebhookInfo', {}, WebhookInfoResult);
    if (!webhook) {
      return info.url.endsWith(`/webhooks/telegram/${context.channel.id}`)
        ? { ok: true, discussionGroup }
        : { ok: false, discussionGroup, reason: 'the bot sends its updates elsewhere, not to Herold' };
    }
    if (info.url !== webhook.url)
      await botCall(
        context,
        'setWebhook',
        { url: webhook.url, secret_token: webhook.secretToken, allowed_updates: TELEGRAM_ALLOWED_UPDATES },
        DoneResult,
      );
    return { ok: true, discussionGroup };
  },

  async answer(request, context): Promise<PublishResult> {
    const chat = request.answerTo.reply.chat;
    if (!chat)
      throw new PlatformError('permanent', 'the comment names no discussion group to answer in', { code: 'NO_CHAT' });
    await context.saveCheckpoint({ ...request.checkpoint, sendStartedAt: new Date().toISOString() });
    await context.clearToPublish();
    const sent = await botCall(
      context,
      'sendMessage',
      {
        chat_id: Number(chat),
        text: request.text,
        reply_parameters: { message_id: Number(request.answerTo.reply.remoteId) },
      },
      MessageResult,
    );
    return { remoteId: String(sent.message_id), threadRootId: request.answerTo.post.remoteId };
  },

  findAnswer: (request, context) => telegramClient.findPublished(request, context),
};

export const telegramClient: PlatformClient = {
  platform: 'telegram',
  replies: telegramReplies,

  async publish(request, context): Promise<PublishResult> {
    await context.saveCheckpoint({ ...request.checkpoint, sendStartedAt: new Date().toISOString() });
    const messageId = await send(request, context);
    const remoteId = String(messageId);
    return {
      remoteId,
      remoteUrl: messageUrl(context, messageId),
      threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : remoteId,
    };
  },

  async findPublished(request) {
    if (!request.checkpoint.sendStartedAt) return null;
    throw new PlatformError(
      'ambiguous',
      `the Telegram Bot API cannot list a channel's messages; check the channel for a post sent after ${request.checkpoint.sendStartedAt}`,
      {
        code: NO_LOOKUP_CODE,
      },
    );
  },

  async followerCount(context) {
    return botCall(context, 'getChatMemberCount', { chat_id: context.channel.account }, CountResult);
  },

  async pin(remoteId, context) {
    await botCall(
      context,
      'pinChatMessage',
      { chat_id: context.channel.account, message_id: Number(remoteId), disable_notification: true },
      DoneResult,
    );
  },

  async unpin(remoteId, context) {
    await botCall(
      context,
      'unpinChatMessage',
      { chat_id: context.channel.account, message_id: Number(remoteId) },
      DoneResult,
    );
  },
};

/**
 * Telegram Bot API (`/bot<token>/<method>`): sendMessage, sendPhoto, sendVideo, sendMediaGroup
 * into public channels (`@name`), getChatMemberCount, getMe, with Telegram's answer envelope
 * `{ ok, result }` / `{ ok: false, error_code, description, parameters: { retry_after } }`.
 * Message ids count up per chat, as Telegram's do; texts are measured in UTF-16 code units.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';
import { isHttpUrl } from './meta-graph';

const rules = PLATFORMS.telegram;
const CHANNEL = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;

interface SentMessage {
  chat: string;
  messageId: number;
}

const store = (state: SimState) => ({
  counters: state.scratch('telegram', 'counters', () => new Map<string, number>()),
  messages: state.scratch('telegram', 'messages', () => new Map<string, SentMessage>()),
});

const fail = (status: number, description: string, retryAfter?: number): SimResponse => ({
  status,
  body: {
    ok: false,
    error_code: status,
    description,
    ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
  },
});

const ok = (result: unknown): SimResponse => ({ status: 200, body: { ok: true, result } });

/** Bot API parameters arrive as query, form or JSON; structured ones as JSON strings in forms. */
function params(request: SimRequest): Record<string, unknown> {
  const merged: Record<string, unknown> = Object.fromEntries(request.query);
  if (request.body && typeof request.body === 'object') Object.assign(merged, request.body);
  for (const name of ['reply_parameters', 'link_preview_options', 'media']) {
    const value = merged[name];
    if (typeof value === 'string') {
      try {
        merged[name] = JSON.parse(value);
      } catch {
        merged[name] = undefined;
      }
    }
  }
  return merged;
}

function chatEntity(chat: string) {
  return {
    id: -1_001_000_000_000 - chat.length * 7919,
    title: `Simulated ${chat.slice(1)}`,
    username: chat.slice(1),
    type: 'channel',
  };
}

interface Outgoing {
  chat: string;
  text: string;
  kind: 'text' | 'photo' | 'video';
  media: { url: string }[];
  replyTo?: number;
  link?: string;
}

/** Validate the common parts; an error answer, or the message as sent. */
function send(outgoing: Outgoing, p: Record<string, unknown>, state: SimState): SimResponse {
  const { counters, messages } = store(state);
  const replyParameters = p.reply_parameters as
    { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
  if (
    replyParameters?.message_id !== undefined &&
    !messages.has(`${outgoing.chat}:${replyParameters.message_id}`) &&
    !replyParameters.allow_sending_without_reply
  ) {
    return fail(400, 'Bad Request: message to be replied not found');
  }
  if (!state.takeQuota('telegram', outgoing.chat)) return fail(429, 'Too Many Requests: retry after 30', 30);
  const messageId = (counters.get(outgoing.chat) ?? 0) + 1;
  counters.set(outgoing.chat, messageId);
  messages.set(`${outgoing.chat}:${messageId}`, { chat: outgoing.chat, messageId });
  const replyTo = replyParameters?.message_id;
  state.record({
    platform: 'telegram',
    id: String(messageId),
    account: outgoing.chat,
    text: outgoing.text,
    link: outgoing.link ?? /https?:\/\/\S+/.exec(outgoing.text)?.[0],
    media: outgoing.media,
    replyTo: replyTo === undefined ? undefined : String(replyTo),
  });
  return ok(messageEntity(outgoing, messageId));
}

function messageEntity(outgoing: Outgoing, messageId: number) {
  const base = {
    message_id: messageId,
    sender_chat: chatEntity(outgoing.chat),
    chat: chatEntity(outgoing.chat),
    date: Math.floor(Date.now() / 1000),
  };
  const reply =
    outgoing.replyTo === undefined
      ? {}
      : { reply_to_message: { message_id: outgoing.replyTo, chat: chatEntity(outgoing.chat), date: base.date } };
  if (outgoing.kind === 'text') return { ...base, ...reply, text: outgoing.text };
  const file = { file_id: `sim-file-${messageId}`, file_unique_id: `u${messageId}`, file_size: 1024 };
  const media =
    outgoing.kind === 'photo'
      ? { photo: [{ ...file, width: 1280, height: 720 }] }
      : { video: { ...file, width: 1280, height: 720, duration: 30 } };
  return { ...base, ...reply, ...media, ...(outgoing.text ? { caption: outgoing.text } : {}) };
}

function checkChat(p: Record<string, unknown>): string | SimResponse {
  const chat = String(p.chat_id ?? '');
  if (!chat) return fail(400, 'Bad Request: chat_id is empty');
  if (!CHANNEL.test(chat)) return fail(400, 'Bad Request: chat not found');
  return chat;
}

function sendMessage(p: Record<string, unknown>, state: SimState): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  const text = String(p.text ?? '');
  if (!text.trim()) return fail(400, 'Bad Request: message text is empty');
  if (text.length > rules.text.limit) return fail(400, 'Bad Request: message is too long');
  const preview = p.link_preview_options as { url?: string; is_disabled?: boolean } | undefined;
  const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
  return send(
    { chat, text, kind: 'text', media: [], replyTo, link: preview?.is_disabled ? undefined : preview?.url },
    p,
    state,
  );
}

function sendMedia(kind: 'photo' | 'video', p: Record<string, unknown>, state: SimState): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  const url = p[kind];
  if (typeof url !== 'string' || !isHttpUrl(url))
    return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  const caption = String(p.caption ?? '');
  if (caption.length > (rules.text.captionLimit ?? rules.text.limit))
    return fail(400, 'Bad Request: message caption is too long');
  const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
  return send({ chat, text: caption, kind, media: [{ url }], replyTo }, p, state);
}

function sendMediaGroup(p: Record<string, unknown>, state: SimState): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  const media = p.media as { type?: string; media?: string; caption?: string }[] | undefined;
  if (!Array.isArray(media) || media.length < 2 || media.length > rules.media.maxItems)
    return fail(400, 'Bad Request: wrong number of media in the album');
  if (media.some((item) => !['photo', 'video'].includes(item.type ?? '') || !isHttpUrl(item.media)))
    return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  const caption = media[0]?.caption ?? '';
  if (caption.length > (rules.text.captionLimit ?? rules.text.limit))
    return fail(400, 'Bad Request: message caption is too long');
  // An album is one post to the reader; the simulator records it once, under its first message id.
  const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
  const sent = send(
    {
      chat,
      text: caption,
      kind: media[0]!.type as 'photo' | 'video',
      media: media.map((item) => ({ url: item.media! })),
      replyTo,
    },
    p,
    state,
  );
  if (sent.status !== 200) return sent;
  const first = (sent.body as { result: { message_id: number } }).result;
  const { counters, messages } = store(state);
  const rest = media.slice(1).map((item) => {
    const messageId = (counters.get(chat) ?? 0) + 1;
    counters.set(chat, messageId);
    messages.set(`${chat}:${messageId}`, { chat, messageId });
    return messageEntity({ chat, text: '', kind: item.type as 'photo' | 'video', media: [] }, messageId);
  });
  return ok([first, ...rest]);
}

/** pinChatMessage / unpinChatMessage: the message must exist in that chat. */
function setPinned(p: Record<string, unknown>, state: SimState, pinned: boolean): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  const messageId = String(p.message_id ?? '');
  const post = state.posts('telegram').find((candidate) => candidate.account === chat && candidate.id === messageId);
  if (!post) return fail(400, 'Bad Request: message to pin not found');
  post.pinned = pinned;
  return ok(true);
}

/** A second bot of the simulated world: a plain member of every channel, never allowed to post. */
export const SIM_TELEGRAM_MEMBER_BOT = '987654321:sim-telegram-member-bot';
/** The channel in which the simulator's bot is an administrator without the right to post. */
export const SIM_TELEGRAM_NO_POSTING_CHANNEL = '@herold_ohne_rechte';
/** The one channel username that does not exist. */
export const SIM_TELEGRAM_MISSING_CHANNEL = '@gibt_es_nicht';

const botIdOf = (token: string) => Number(token.split(':')[0]);

/** getChat: every public channel exists in the simulated world, except the missing one. */
function getChat(p: Record<string, unknown>): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  if (chat.toLowerCase() === SIM_TELEGRAM_MISSING_CHANNEL) return fail(400, 'Bad Request: chat not found');
  const username = chat.replace(/^@/, '');
  return ok({ id: -1_001_000_000_000 - (username.length % 97), type: 'channel', title: `Kanal ${username}`, username });
}

/** getChatMember of a bot: the simulator's bot administers every channel (posting everywhere but one), the other is a member. */
function getChatMember(p: Record<string, unknown>, token: string): SimResponse {
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  if (chat.toLowerCase() === SIM_TELEGRAM_MISSING_CHANNEL) return fail(400, 'Bad Request: chat not found');
  const user = { id: Number(p.user_id), is_bot: true, first_name: 'Herold' };
  if (Number(p.user_id) !== botIdOf(token)) return fail(400, 'Bad Request: user not found');
  if (token === SIM_TELEGRAM_MEMBER_BOT) return ok({ status: 'member', user });
  return ok({
    status: 'administrator',
    user,
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_post_messages: chat.toLowerCase() !== SIM_TELEGRAM_NO_POSTING_CHANNEL,
    can_edit_messages: true,
    can_delete_messages: false,
  });
}

export const telegramSim: SimPlatform = {
  id: 'telegram',
  errorResponse: (status, message, retryAfter) =>
    status === 429
      ? fail(429, `Too Many Requests: retry after ${retryAfter ?? 30}`, retryAfter ?? 30)
      : fail(status, status === 404 ? 'Not Found' : status === 401 ? 'Unauthorized' : message),
  handle(request, state) {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.path);
    if (!match) return undefined;
    const token = match[1] ?? '';
    const method = match[2]!.toLowerCase();
    const reads = ['getme', 'getchat', 'getchatmember'];
    if (!state.acceptsToken('telegram', token) && !(token === SIM_TELEGRAM_MEMBER_BOT && reads.includes(method)))
      return fail(401, 'Unauthorized');
    const p = params(request);
    switch (method) {
      case 'getme':
        return ok({
          id: botIdOf(token),
          is_bot: true,
          first_name: 'Herold',
          username: token === SIM_TELEGRAM_MEMBER_BOT ? 'herold_member_bot' : 'herold_sim_bot',
          can_join_groups: false,
        });
      case 'getchat':
        return getChat(p);
      case 'getchatmember':
        return getChatMember(p, token);
      case 'sendmessage':
        return sendMessage(p, state);
      case 'sendphoto':
        return sendMedia('photo', p, state);
      case 'sendvideo':
        return sendMedia('video', p, state);
      case 'sendmediagroup':
        return sendMediaGroup(p, state);
      case 'pinchatmessage':
        return setPinned(p, state, true);
      case 'unpinchatmessage':
        return setPinned(p, state, false);
      case 'getchatmembercount': {
        const chat = checkChat(p);
        return typeof chat === 'string' ? ok(state.followers('telegram', chat)) : chat;
      }
      default:
        return fail(404, 'Not Found');
    }
  },
};

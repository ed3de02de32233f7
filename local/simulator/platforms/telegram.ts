/**
 * Telegram Bot API (`/bot<token>/<method>`): sendMessage, sendPhoto, sendVideo, sendMediaGroup
 * into public channels (`@name`), getChatMemberCount, getMe, with Telegram's answer envelope
 * `{ ok, result }` / `{ ok: false, error_code, description, parameters: { retry_after } }`.
 * Message ids count up per chat, as Telegram's do; texts are measured in UTF-16 code units.
 *
 * Replies: every channel but one has a linked discussion group (getChat's `linked_chat_id`), in
 * which the simulator's bot is an administrator. Each channel post is forwarded into it
 * automatically (`is_automatic_forward`, `forward_origin`), a moment after it was sent; citizens'
 * comments (POST /_sim/replies) are group messages answering the forward (`reply_to_message`, and
 * `message_thread_id` the forward's id) or another comment. The bot hears of both only through
 * its webhook (setWebhook's `url`, with its `secret_token` in `X-Telegram-Bot-Api-Secret-Token`):
 * there is no history to read, no hiding, and no update when a comment is deleted. Answers are
 * sendMessage into the group with `reply_parameters`. The simulator takes the local stack's plain
 * http:// webhook address, which Telegram would not (it wants HTTPS).
 */
import { createHash } from 'node:crypto';
import { PLATFORMS } from '../../../shared/platforms/registry';
import { push } from '../replies';
import type { SimPlatform, SimReplies, SimRequest, SimResponse, SimState, SimWebhook } from '../types';
import { isHttpUrl } from './meta-graph';

const rules = PLATFORMS.telegram;
const CHANNEL = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;

interface SentMessage {
  chat: string;
  messageId: number;
}

/** A message in a channel's discussion group. */
interface GroupMessage {
  messageId: number;
  date: number;
  text: string;
  /** a person, or the bot for its answers */
  from?: { id: number; is_bot: boolean; first_name: string; last_name?: string; username?: string };
  /** the automatic forward of this channel post */
  forwardOf?: { channel: string; messageId: number };
  replyTo?: number;
  threadId?: number;
}

interface DiscussionGroup {
  id: number;
  channel: string;
  counter: number;
  messages: Map<number, GroupMessage>;
  /** the bot that administers the channel and the group, whose webhook hears of the group */
  bot?: string;
}

interface Webhook {
  url: string;
  secretToken?: string;
  allowedUpdates?: string[];
}

const store = (state: SimState) => ({
  counters: state.scratch('telegram', 'counters', () => new Map<string, number>()),
  messages: state.scratch('telegram', 'messages', () => new Map<string, SentMessage>()),
  groups: state.scratch('telegram', 'groups', () => new Map<number, DiscussionGroup>()),
  /** each bot's webhook (setWebhook), by bot token */
  webhooks: state.scratch('telegram', 'webhooks', () => new Map<string, Webhook>()),
  updateIds: state.scratch('telegram', 'update-ids', () => new Map<string, number>()),
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
  for (const name of ['reply_parameters', 'link_preview_options', 'media', 'allowed_updates']) {
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

/** getChat: every public channel exists in the simulated world, except the missing one; all but one have a discussion group. */
function getChat(p: Record<string, unknown>, state: SimState): SimResponse {
  const known = groupOf(p.chat_id, state);
  if (known)
    return ok({
      id: known.id,
      type: 'supergroup',
      title: groupChat(known).title,
      linked_chat_id: chatEntity(known.channel).id,
    });
  const chat = checkChat(p);
  if (typeof chat !== 'string') return chat;
  if (chat.toLowerCase() === SIM_TELEGRAM_MISSING_CHANNEL) return fail(400, 'Bad Request: chat not found');
  const username = chat.replace(/^@/, '');
  const group = discussionGroup(chat, state);
  return ok({
    id: -1_001_000_000_000 - (username.length % 97),
    type: 'channel',
    title: `Kanal ${username}`,
    username,
    ...(group ? { linked_chat_id: group.id } : {}),
  });
}

/** getChatMember of a bot: the simulator's bot administers every channel (posting everywhere but one) and discussion group, the other is a member. */
function getChatMember(p: Record<string, unknown>, token: string, state: SimState): SimResponse {
  const group = groupOf(p.chat_id, state);
  if (group) {
    const user = { id: Number(p.user_id), is_bot: true, first_name: 'Herold' };
    if (Number(p.user_id) !== botIdOf(token)) return fail(400, 'Bad Request: user not found');
    if (token === SIM_TELEGRAM_MEMBER_BOT) return ok({ status: 'member', user });
    return ok({
      status: 'administrator',
      user,
      can_be_edited: false,
      can_manage_chat: true,
      can_delete_messages: true,
    });
  }
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

/** The one channel without a linked discussion group: it takes no comments. */
export const SIM_TELEGRAM_NO_DISCUSSION_CHANNEL = '@herold_ohne_diskussion';
/** How long after a channel post Telegram's automatic forward reaches the group's bots. */
const FORWARD_DELAY_MS = 1000;
/** Automatic forwards come from Telegram's service account, on behalf of the channel. */
const TELEGRAM_SERVICE_USER = { id: 777_000, is_bot: false, first_name: 'Telegram' };

const numberOf = (text: string) => Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16);

/** The channel's discussion group (created on first use), or undefined for the channel without one. */
function discussionGroup(channel: string, state: SimState): DiscussionGroup | undefined {
  const name = channel.toLowerCase();
  if (name === SIM_TELEGRAM_NO_DISCUSSION_CHANNEL || name === SIM_TELEGRAM_MISSING_CHANNEL) return undefined;
  const id = -1_002_000_000_000 - (numberOf(name) % 1_000_000_000);
  const { groups } = store(state);
  if (!groups.has(id)) groups.set(id, { id, channel, counter: 0, messages: new Map() });
  return groups.get(id);
}

/** A discussion group named by its numeric chat id. */
function groupOf(chatId: unknown, state: SimState): DiscussionGroup | undefined {
  return /^-\d+$/.test(String(chatId ?? '')) ? store(state).groups.get(Number(chatId)) : undefined;
}

const groupChat = (group: DiscussionGroup) => ({
  id: group.id,
  title: `Diskussion ${group.channel.slice(1)}`,
  type: 'supergroup',
});

const botUser = (token: string) => ({
  id: botIdOf(token),
  is_bot: true,
  first_name: 'Herold',
  username: token === SIM_TELEGRAM_MEMBER_BOT ? 'herold_member_bot' : 'herold_sim_bot',
});

/** A group message as the Bot API shows it; a reply's `reply_to_message` holds no further reply. */
function groupMessageEntity(group: DiscussionGroup, message: GroupMessage, withReply = true): Record<string, unknown> {
  const parent = withReply && message.replyTo !== undefined ? group.messages.get(message.replyTo) : undefined;
  return {
    message_id: message.messageId,
    from: message.from ?? TELEGRAM_SERVICE_USER,
    ...(message.forwardOf ? { sender_chat: chatEntity(message.forwardOf.channel) } : {}),
    chat: groupChat(group),
    date: message.date,
    ...(message.threadId !== undefined ? { message_thread_id: message.threadId } : {}),
    ...(message.forwardOf
      ? {
          is_automatic_forward: true,
          forward_origin: {
            type: 'channel',
            chat: chatEntity(message.forwardOf.channel),
            message_id: message.forwardOf.messageId,
            date: message.date,
          },
        }
      : {}),
    ...(parent ? { reply_to_message: groupMessageEntity(group, parent, false) } : {}),
    text: message.text,
  };
}

function addGroupMessage(group: DiscussionGroup, message: Omit<GroupMessage, 'messageId' | 'date'>): GroupMessage {
  group.counter += 1;
  const stored: GroupMessage = { ...message, messageId: group.counter, date: Math.floor(Date.now() / 1000) };
  group.messages.set(stored.messageId, stored);
  return stored;
}

/** The update the group's bot gets for a new message, through its webhook; none without one (or when it asked for other updates). */
function updateFor(group: DiscussionGroup, message: GroupMessage, state: SimState): SimWebhook | undefined {
  const hook = group.bot ? store(state).webhooks.get(group.bot) : undefined;
  if (!group.bot || !hook || (hook.allowedUpdates?.length && !hook.allowedUpdates.includes('message')))
    return undefined;
  const { updateIds } = store(state);
  const updateId = (updateIds.get(group.bot) ?? 500_000_000) + 1;
  updateIds.set(group.bot, updateId);
  return {
    url: hook.url,
    body: { update_id: updateId, message: groupMessageEntity(group, message) },
    headers: hook.secretToken ? { 'x-telegram-bot-api-secret-token': hook.secretToken } : {},
  };
}

/** After a channel post: its automatic forward into the discussion group, pushed to the bot a moment later. */
function forwardToDiscussion(answer: SimResponse, token: string, state: SimState): SimResponse {
  if (answer.status !== 200) return answer;
  const result = (answer.body as { result: unknown }).result;
  for (const sent of Array.isArray(result) ? result : [result]) {
    const message = sent as { message_id: number; chat: { username: string }; text?: string; caption?: string };
    const channel = `@${message.chat.username}`;
    const group = discussionGroup(channel, state);
    if (!group) continue;
    group.bot = token;
    const forward = addGroupMessage(group, {
      text: message.text ?? message.caption ?? '',
      forwardOf: { channel, messageId: message.message_id },
    });
    const update = updateFor(group, forward, state);
    if (update) setTimeout(() => void push(update.url!, update).catch(() => undefined), FORWARD_DELAY_MS).unref();
  }
  return answer;
}

/** sendMessage into a discussion group: the bot's answer to a comment (reply_parameters, or the older reply_to_message_id). */
function sendToGroup(group: DiscussionGroup, p: Record<string, unknown>, token: string, state: SimState): SimResponse {
  const text = String(p.text ?? '');
  if (!text.trim()) return fail(400, 'Bad Request: message text is empty');
  if (text.length > rules.text.limit) return fail(400, 'Bad Request: message is too long');
  const parameters = p.reply_parameters as { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
  const replyTo =
    parameters?.message_id ?? (p.reply_to_message_id === undefined ? undefined : Number(p.reply_to_message_id));
  const parent = replyTo === undefined ? undefined : group.messages.get(Number(replyTo));
  if (replyTo !== undefined && !parent && !parameters?.allow_sending_without_reply)
    return fail(400, 'Bad Request: message to be replied not found');
  if (!state.takeQuota('telegram', String(group.id))) return fail(429, 'Too Many Requests: retry after 30', 30);
  const sent = addGroupMessage(group, {
    text,
    from: botUser(token),
    ...(parent
      ? { replyTo: parent.messageId, threadId: parent.threadId ?? (parent.forwardOf ? parent.messageId : undefined) }
      : {}),
  });
  state.record({
    platform: 'telegram',
    id: String(sent.messageId),
    account: String(group.id),
    text,
    media: [],
    ...(parent ? { replyTo: String(parent.messageId) } : {}),
  });
  // bots hear nothing of their own messages: no update
  return ok(groupMessageEntity(group, sent));
}

/** setWebhook: where the bot's updates go, with the secret token Telegram sends along; an empty url removes it. */
function setWebhook(p: Record<string, unknown>, token: string, state: SimState): SimResponse {
  const url = String(p.url ?? '');
  const { webhooks } = store(state);
  if (!url) {
    webhooks.delete(token);
    return { status: 200, body: { ok: true, result: true, description: 'Webhook was deleted' } };
  }
  if (!isHttpUrl(url)) return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
  const secretToken = p.secret_token === undefined ? undefined : String(p.secret_token);
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
    return fail(400, 'Bad Request: secret token contains unallowed characters');
  const allowed = p.allowed_updates;
  webhooks.set(token, {
    url,
    ...(secretToken ? { secretToken } : {}),
    ...(Array.isArray(allowed) ? { allowedUpdates: allowed.map(String) } : {}),
  });
  return { status: 200, body: { ok: true, result: true, description: 'Webhook was set' } };
}

function webhookInfo(token: string, state: SimState): SimResponse {
  const hook = store(state).webhooks.get(token);
  return ok({
    url: hook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: 0,
    ...(hook?.allowedUpdates ? { allowed_updates: hook.allowedUpdates } : {}),
  });
}

/** The group holding the automatic forward of channel post `postId` (`<id>` or `@channel/<id>`), the newest if several channels have one. */
function forwardOf(postId: string, state: SimState): { group: DiscussionGroup; forward: GroupMessage } | undefined {
  const [, channel, id] = /^(?:(@\w+)\/)?(\d+)$/.exec(postId) ?? [];
  let found: { group: DiscussionGroup; forward: GroupMessage } | undefined;
  for (const group of store(state).groups.values()) {
    if (channel && group.channel.toLowerCase() !== channel.toLowerCase()) continue;
    for (const message of group.messages.values())
      if (message.forwardOf?.messageId === Number(id) && (!found || message.date >= found.forward.date))
        found = { group, forward: message };
  }
  return found;
}

/** A citizen's comment in the discussion group: under the post's forward, or under another comment of its thread. */
const telegramReplies: SimReplies = {
  add(input, state) {
    const found = forwardOf(input.postId, state);
    if (!found) return undefined;
    const { group, forward } = found;
    const parent = input.parentId === undefined ? forward : group.messages.get(Number(input.parentId));
    if (!parent || (parent.threadId ?? parent.messageId) !== forward.messageId) return undefined;
    const username = input.handle ?? `buerger_${group.counter + 1}`;
    const [firstName = username, ...lastName] = (input.name ?? username).split(' ');
    const comment = addGroupMessage(group, {
      text: input.text,
      from: {
        id: numberOf(username),
        is_bot: false,
        first_name: firstName,
        ...(lastName.length > 0 ? { last_name: lastName.join(' ') } : {}),
        username,
      },
      replyTo: parent.messageId,
      threadId: forward.messageId,
    });
    const webhook = updateFor(group, comment, state);
    return { id: String(comment.messageId), ...(webhook ? { webhook } : {}) };
  },
  // its author deletes it; Telegram tells no bot
  remove(id, state) {
    for (const group of store(state).groups.values()) {
      const message = group.messages.get(Number(id));
      if (message?.from && !message.from.is_bot) return group.messages.delete(message.messageId);
    }
    return false;
  },
};

export const telegramSim: SimPlatform = {
  id: 'telegram',
  replies: telegramReplies,
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
          // privacy mode on, as by default: in groups it reads only what it administers
          can_read_all_group_messages: false,
        });
      case 'getchat':
        return getChat(p, state);
      case 'getchatmember':
        return getChatMember(p, token, state);
      case 'sendmessage': {
        const group = groupOf(p.chat_id, state);
        return group ? sendToGroup(group, p, token, state) : forwardToDiscussion(sendMessage(p, state), token, state);
      }
      case 'sendphoto':
        return forwardToDiscussion(sendMedia('photo', p, state), token, state);
      case 'sendvideo':
        return forwardToDiscussion(sendMedia('video', p, state), token, state);
      case 'sendmediagroup':
        return forwardToDiscussion(sendMediaGroup(p, state), token, state);
      case 'setwebhook':
        return setWebhook(p, token, state);
      case 'deletewebhook':
        return setWebhook({}, token, state);
      case 'getwebhookinfo':
        return webhookInfo(token, state);
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

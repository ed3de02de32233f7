/**
 * The platforms whose account is connected by handing over what the platform itself issues,
 * checked at once:
 *
 * Bluesky: handle (or e-mail) and an app password. POST /xrpc/com.atproto.server.createSession
 * proves them; the session's access JWT says which kind of password it was: `scope`
 * `com.atproto.appPass` (or `…appPassPrivileged`) for an app password, `com.atproto.access` for
 * the account's main password, which is refused (it could change the account's e-mail, password
 * and app passwords). The check's session is closed again (deleteSession with the refresh JWT).
 * App passwords are revoked by the account holder only: retirement deletes the stored one.
 *
 * Telegram: bot token and the channel's @username. getMe names the bot, getChat finds the channel,
 * getChatMember(bot) must say `administrator` with `can_post_messages`. Bot tokens are revoked in
 * @BotFather only.
 *
 * WhatsApp Channels: no posting API; the channel's name and invite link, nothing to check at the
 * platform and no credentials to keep.
 */
import * as z from 'zod';
import { connectCall, ConnectError, connectRequest, parseAnswer } from '../answers';
import {
  BlueskyInputSchema,
  TelegramInputSchema,
  WHATSAPP_INVITE_LINK,
  WhatsappInputSchema,
  type BlueskyInput,
  type TelegramInput,
  type WhatsappInput,
} from '../inputs';
import type { ConnectedAccount, DirectFlow } from '../flow';

const SessionSchema = z.object({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  handle: z.string().min(1),
  did: z.string().startsWith('did:'),
});
const AccessClaimsSchema = z.object({ scope: z.string(), sub: z.string().optional() });

/** The claims of a JWT, unverified: enough to read which kind of password made a session. */
function jwtClaims(jwt: string): unknown {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const APP_PASSWORD_SCOPES = ['com.atproto.appPass', 'com.atproto.appPassPrivileged'];
const MAIN_PASSWORD_SCOPE = 'com.atproto.access';

export const blueskyConnect: DirectFlow<BlueskyInput> = {
  kind: 'direct',
  input: BlueskyInputSchema,
  noRevocation: 'app passwords are revoked by the account holder under Settings → Privacy and security → App passwords',
  async connect(input, context): Promise<ConnectedAccount> {
    const identifier = (input.identifier ?? context.channel.handle).replace(/^@/, '');
    const request = { platform: 'bluesky' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const session = await connectCall(
      {
        ...request,
        call: 'sign-in (createSession)',
        method: 'POST',
        url: `${context.apiUrl}/xrpc/com.atproto.server.createSession`,
        body: { identifier, password: input.appPassword },
      },
      SessionSchema,
    );
    const closeSession = () =>
      connectRequest({
        ...request,
        call: 'sign-out (deleteSession)',
        method: 'POST',
        url: `${context.apiUrl}/xrpc/com.atproto.server.deleteSession`,
        headers: { authorization: `Bearer ${session.refreshJwt}` },
      }).catch(() => undefined);
    const claims = parseAnswer('bluesky', 'sign-in (createSession)', AccessClaimsSchema, jwtClaims(session.accessJwt));
    await closeSession();
    if (claims.scope === MAIN_PASSWORD_SCOPE)
      throw new ConnectError(
        'bluesky',
        'sign-in (createSession)',
        'this is the account’s main password, which could change the account itself: create an app password (Settings → Privacy and security → App passwords) and use that',
      );
    if (!APP_PASSWORD_SCOPES.includes(claims.scope))
      throw new ConnectError(
        'bluesky',
        'sign-in (createSession)',
        `the session has the scope "${claims.scope}", not an app password’s`,
      );
    return {
      credentials: { identifier: session.handle, appPassword: input.appPassword },
      account: session.did,
      accountName: `@${session.handle}`,
      handle: session.handle,
      profileUrl: `https://bsky.app/profile/${session.handle}`,
    };
  },
};

const BotSchema = z.object({ id: z.number(), is_bot: z.literal(true), username: z.string().optional() });
const ChatSchema = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string().optional(),
  username: z.string().optional(),
});
const MemberSchema = z.object({ status: z.string(), can_post_messages: z.boolean().optional() });

export const telegramConnect: DirectFlow<TelegramInput> = {
  kind: 'direct',
  input: TelegramInputSchema,
  noRevocation: 'bot tokens are revoked in @BotFather (/revoke)',
  async connect(input, context): Promise<ConnectedAccount> {
    const username = `@${(input.channel ?? context.channel.handle).replace(/^@/, '')}`;
    // Telegram refuses with an HTTP error and { ok: false, description }: connectCall turns that into the reason
    const bot = async <T extends z.ZodType>(method: string, params: Record<string, string>, schema: T, call: string) =>
      (
        (await connectCall(
          {
            platform: 'telegram',
            call,
            method: 'GET',
            url: `${context.apiUrl}/bot${input.botToken}/${method}?${new URLSearchParams(params)}`,
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          },
          z.object({ ok: z.literal(true), result: schema }),
        )) as { result: z.output<T> }
      ).result;
    const me = await bot('getMe', {}, BotSchema, 'bot check (getMe)');
    const chat = await bot('getChat', { chat_id: username }, ChatSchema, 'channel lookup (getChat)');
    if (chat.type !== 'channel')
      throw new ConnectError('telegram', 'channel lookup (getChat)', `${username} is a ${chat.type}, not a channel`);
    const member = await bot(
      'getChatMember',
      { chat_id: username, user_id: String(me.id) },
      MemberSchema,
      'bot rights (getChatMember)',
    );
    if (member.status !== 'administrator' || member.can_post_messages !== true)
      throw new ConnectError(
        'telegram',
        'bot rights (getChatMember)',
        member.status === 'administrator'
          ? `the bot is an administrator of ${username} but may not post messages: allow "Post messages" in its rights`
          : `the bot is "${member.status}" in ${username}: make it an administrator allowed to post messages`,
      );
    const channelName = chat.username ?? username.slice(1);
    return {
      credentials: { botToken: input.botToken },
      account: `@${channelName}`,
      accountName: chat.title ?? `@${channelName}`,
      handle: `@${channelName}`,
      profileUrl: `https://t.me/${channelName}`,
    };
  },
};

export const whatsappConnect: DirectFlow<WhatsappInput> = {
  kind: 'direct',
  input: WhatsappInputSchema,
  async connect(input, context): Promise<ConnectedAccount> {
    const code = WHATSAPP_INVITE_LINK.exec(input.inviteLink)?.[1] ?? '';
    return {
      credentials: {},
      account: code,
      accountName: context.channel.displayName ?? context.channel.handle,
      profileUrl: `https://whatsapp.com/channel/${code}`,
    };
  },
};

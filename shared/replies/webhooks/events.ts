/**
 * What a platform's webhook tells, in Herold's terms: a reply (new or edited), one deleted, one
 * hidden or shown in the platform's app, or (Telegram) one of Herold's posts arriving in the
 * channel's discussion group. Parsers leave out what the channel's own account wrote.
 */
import type { PlatformReply } from '../../platforms/client';
import type { PlatformId } from '../../platforms/registry';

/** The post (by its platform id) an event belongs to; a reply to one of Herold's own replies names that post too. */
export interface PostPointer {
  platform: PlatformId;
  /** the channel, where the webhook's address names it (Telegram) */
  channelId?: string;
  /** candidates, nearest first: the reply's parent when it may be one of Herold's posts, then the thread's root */
  remoteIds: string[];
}

export type PushedEvent =
  | { kind: 'reply'; post: PostPointer; reply: PlatformReply }
  | { kind: 'removed'; post: PostPointer; remoteId: string }
  | { kind: 'hidden'; post: PostPointer; remoteId: string; hidden: boolean }
  /** Telegram: a message of the discussion group and the post it belongs to (an automatic forward, or a comment) */
  | { kind: 'telegram-message'; channelId: string; chat: string; messageId: string; postRemoteId: string }
  /** Telegram: a comment whose post is only known through the message it answers */
  | { kind: 'telegram-comment'; channelId: string; chat: string; answers: string[]; reply: PlatformReply };

/**
 * Storing what a webhook pushed: each event is matched to one of Herold's posts through its
 * reference item, and the reply goes through the same storeReply as a poll's, under the same key:
 * a reply both see is stored once. Events for posts Herold did not publish, or on a channel that is
 * not active, are acknowledged and dropped.
 */
import type { PlatformReply } from '../platforms/client';
import { getChannel } from '../store/channels';
import type { Store } from '../store/client';
import { storedReply, storeReply, type ReplyOrigin } from './collect';
import { remoteHash, replyIdOf } from './ids';
import { readReplySettings } from './settings';
import {
  deleteReply,
  expiresAtFor,
  getPostRef,
  getReply,
  getTelegramMessage,
  putTelegramMessage,
  setPlatformHidden,
  type PostRef,
} from './store';
import type { PostPointer, PushedEvent } from './webhooks/events';

export interface PushOutcome {
  stored: number;
  updated: number;
  deleted: number;
  ignored: number;
}

const originOf = (ref: PostRef): ReplyOrigin => ({
  org: ref.org,
  messageId: ref.messageId,
  channelId: ref.channelId,
  platform: ref.platform,
  postRemoteId: ref.remoteId,
  ...(ref.threadRootId ? { postThreadRootId: ref.threadRootId } : {}),
  publishedAt: ref.publishedAt,
  emergency: ref.emergency,
});

/** The first of the pointer's candidates that is one of Herold's posts on an active channel. */
async function findPost(store: Store, pointer: PostPointer): Promise<PostRef | undefined> {
  for (const remoteId of pointer.remoteIds) {
    const ref = await getPostRef(store, pointer.platform, pointer.channelId ?? '', remoteId);
    if (!ref || (pointer.channelId && ref.channelId !== pointer.channelId)) continue;
    const channel = await getChannel(store, ref.channelId);
    return channel?.state === 'active' ? ref : undefined;
  }
  return undefined;
}

const idIn = (ref: PostRef, remoteId: string) =>
  replyIdOf({ messageId: ref.messageId, channelId: ref.channelId, hash: remoteHash(ref.channelId, remoteId) });

export async function applyPushedEvents(store: Store, events: PushedEvent[], now: Date): Promise<PushOutcome> {
  const outcome: PushOutcome = { stored: 0, updated: 0, deleted: 0, ignored: 0 };
  const keep = async (ref: PostRef, reply: PlatformReply) => {
    const settings = await readReplySettings(store, ref.org);
    if (expiresAtFor(ref.publishedAt, settings.retentionDays) * 1000 <= now.getTime()) return void outcome.ignored++;
    const next = storedReply(reply, originOf(ref), { retentionDays: settings.retentionDays, via: 'push', now });
    const result = await storeReply(store, next, await getReply(store, next.id, now.getTime()));
    if (result === 'created') outcome.stored += 1;
    else if (result === 'updated') outcome.updated += 1;
  };
  for (const event of events) {
    switch (event.kind) {
      case 'reply': {
        const ref = await findPost(store, event.post);
        if (ref) await keep(ref, event.reply);
        else outcome.ignored += 1;
        break;
      }
      case 'removed': {
        const ref = await findPost(store, event.post);
        if (ref) {
          await deleteReply(store, idIn(ref, event.remoteId));
          outcome.deleted += 1;
        } else outcome.ignored += 1;
        break;
      }
      case 'hidden': {
        const ref = await findPost(store, event.post);
        if (ref) {
          await setPlatformHidden(store, idIn(ref, event.remoteId), event.hidden);
          outcome.updated += 1;
        } else outcome.ignored += 1;
        break;
      }
      case 'telegram-message': {
        const ref = await findPost(store, {
          platform: 'telegram',
          channelId: event.channelId,
          remoteIds: [event.postRemoteId],
        });
        if (ref)
          await putTelegramMessage(store, event.chat, event.messageId, {
            channelId: ref.channelId,
            postRemoteId: ref.remoteId,
            expiresAt: ref.expiresAt,
          });
        else outcome.ignored += 1;
        break;
      }
      case 'telegram-comment': {
        let ref: PostRef | undefined;
        for (const answered of event.answers) {
          const known = await getTelegramMessage(store, event.chat, answered);
          if (known && known.channelId === event.channelId) {
            ref = await findPost(store, {
              platform: 'telegram',
              channelId: event.channelId,
              remoteIds: [known.postRemoteId],
            });
            if (ref) break;
          }
        }
        if (!ref) {
          outcome.ignored += 1;
          break;
        }
        await putTelegramMessage(store, event.chat, event.reply.remoteId, {
          channelId: ref.channelId,
          postRemoteId: ref.remoteId,
          expiresAt: ref.expiresAt,
        });
        await keep(ref, event.reply);
        break;
      }
    }
  }
  return outcome;
}

/**
 * Where replies meet the publisher (shared/publishing/publish.ts):
 * - every published post on a platform with an inbox gets its reference item (watched for replies,
 *   found by webhooks), written before the delivery is recorded PUBLISHED, so no published post
 *   goes unwatched;
 * - an answer (a message of kind `answer`) is published through the client's replies.answer, aimed
 *   at the reply it answers, and counted against the platform's reply limit where it has one
 *   (Threads), else against the channel's publishing budget, always as a routine post: answers never
 *   take the emergency reserve, which stays for alerts.
 */
import type { Channel, Delivery, Message } from '../model/schemas';
import { PlatformError, type AnswerRequest, type PublishRequest, type PublishResult } from '../platforms/client';
import { PLATFORMS, type QuotaRule } from '../platforms/registry';
import type { Store } from '../store/client';
import { getReply, putPostRef } from './store';

export async function watchPublishedPost(
  store: Store,
  message: Message,
  delivery: Delivery,
  result: PublishResult,
  publishedAt: string,
): Promise<void> {
  if (message.kind === 'answer' || message.dryRun || PLATFORMS[delivery.platform].inbox.collect === 'none') return;
  await putPostRef(store, {
    org: delivery.org,
    messageId: delivery.messageId,
    channelId: delivery.channelId,
    platform: delivery.platform,
    remoteId: result.remoteId,
    ...(result.threadRootId ? { threadRootId: result.threadRootId } : {}),
    emergency: message.priority === 'emergency',
    publishedAt,
  });
}

/** The answer's request: the reply it answers, from the reply's item. */
export async function answerRequest(store: Store, message: Message, base: PublishRequest): Promise<AnswerRequest> {
  const reply = message.answerTo ? await getReply(store, message.answerTo.replyId) : undefined;
  if (!reply)
    throw new PlatformError('permanent', 'the reply this answers is gone (deleted on the platform, or expired)', {
      code: 'REPLY_GONE',
    });
  return {
    ...base,
    media: [],
    link: undefined,
    answerTo: {
      reply: {
        remoteId: reply.remoteId,
        ...(reply.threadRemoteId ? { threadRemoteId: reply.threadRemoteId } : {}),
        ...(reply.chat ? { chat: reply.chat } : {}),
      },
      post: {
        remoteId: reply.postRemoteId,
        ...(reply.postThreadRootId ? { threadRootId: reply.postThreadRootId } : {}),
      },
    },
  };
}

/** The budget an answer takes: its rule, and the channel key it is counted under. */
export function answerBudget(channel: Channel): { rule: QuotaRule | null; key: string } {
  const own = PLATFORMS[channel.platform].inbox.answerQuota;
  // a limit of answers of its own is counted apart from the channel's posts
  if (own) return { rule: own, key: `${channel.id}#answers` };
  return { rule: channel.quota ?? PLATFORMS[channel.platform].quota, key: channel.id };
}

export const isAnswer = (message: Pick<Message, 'kind'>): boolean => message.kind === 'answer';

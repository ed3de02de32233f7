/** Reading messages: always within the caller's organisation. */
import * as z from 'zod';
import type { Delivery, DeliveryCard, DeliveryState, Message, Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, listMessages } from '../store/messages';
import { correctionTemplate } from '../alerts/correct';
import { getCapReference } from '../alerts/references';
import { referenceKey } from '../cap/to-message';

/** Every filter of `GET /messages?state=`: the waiting message states and the delivery states a person resolves. */
export const MESSAGE_LIST_FILTERS = ['SCHEDULED', 'HELD', 'AWAITING_APPROVAL', 'FAILED', 'HANDOFF'] as const;

export const ListMessagesQuerySchema = z.object({
  /** SCHEDULED or HELD: waiting messages; AWAITING_APPROVAL, FAILED or HANDOFF: messages with such a delivery */
  state: z.enum(MESSAGE_LIST_FILTERS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

/** The message's state as a whole, derived from its deliveries on every read (never stored, never stale). */
export type MessageStatus =
  'awaiting-approval' | 'in-progress' | 'needs-attention' | 'complete' | 'cancelled' | 'rejected';

const SETTLED: readonly DeliveryState[] = ['PUBLISHED', 'SKIPPED', 'CANCELLED', 'REJECTED'];

export function messageStatus(deliveries: readonly Delivery[]): MessageStatus {
  if (deliveries.length > 0 && deliveries.every((delivery) => delivery.state === 'CANCELLED')) return 'cancelled';
  if (deliveries.some((delivery) => delivery.state === 'REJECTED')) return 'rejected';
  if (deliveries.some((delivery) => delivery.state === 'AWAITING_APPROVAL')) return 'awaiting-approval';
  if (deliveries.some((delivery) => delivery.state === 'FAILED' || delivery.state === 'HANDOFF')) {
    return deliveries.some(
      (delivery) => !SETTLED.includes(delivery.state) && delivery.state !== 'FAILED' && delivery.state !== 'HANDOFF',
    )
      ? 'in-progress'
      : 'needs-attention';
  }
  return deliveries.every((delivery) => SETTLED.includes(delivery.state)) ? 'complete' : 'in-progress';
}

/** Why a delivery is not PUBLISHED (yet): what a live board shows when a channel is late. */
export type WaitReason =
  | 'approval'
  | 'rejected'
  | 'queued'
  | 'card'
  | 'publishing'
  | 'quota'
  | 'rate-limit'
  | 'platform-error'
  | 'token'
  | 'verifying'
  | 'handoff'
  | 'skipped'
  | 'scheduled'
  | 'held'
  | 'cancelled';

export function notPublishedBecause(delivery: Delivery): { code: WaitReason; detail: string } | undefined {
  const detail = delivery.lastError?.detail ?? delivery.reason;
  const because = (code: WaitReason, text: string | undefined) => ({ code, detail: text ?? code });
  switch (delivery.state) {
    case 'PUBLISHED':
      return undefined;
    case 'AWAITING_APPROVAL':
      return because('approval', delivery.reason);
    case 'REJECTED':
      return because('rejected', delivery.reason);
    case 'PENDING':
    case 'QUEUED':
      return delivery.card?.state === 'pending'
        ? because('card', 'the alert card is being rendered')
        : because('queued', 'waiting for its publisher');
    case 'PUBLISHING':
      return because('publishing', 'the publisher is posting it now');
    case 'RETRYING':
      if (delivery.waitingFor === 'quota') return because('quota', detail);
      if (delivery.waitingFor === 'rate-limit') return because('rate-limit', detail);
      return because(delivery.lastError?.class === 'auth' ? 'token' : 'platform-error', detail);
    case 'FAILED':
      if (delivery.card?.state === 'failed') return because('card', delivery.card.reason ?? detail);
      return because(delivery.lastError?.class === 'auth' ? 'token' : 'platform-error', detail);
    case 'VERIFY':
      return because('verifying', detail ?? 'looking the post up before publishing again');
    case 'HANDOFF':
      return because('handoff', delivery.reason);
    case 'SKIPPED':
      return because('skipped', delivery.reason);
    case 'SCHEDULED':
      return because('scheduled', delivery.reason);
    case 'HELD':
      return because('held', delivery.reason);
    case 'CANCELLED':
      return because('cancelled', delivery.reason);
  }
}

/** `repliesTo`: the post this delivery answers on its channel (the thread link of an update or all-clear). */
export function deliveryView(delivery: Delivery, message: Message, repliesTo?: Delivery) {
  const publishedAfterMs = delivery.publishedAt
    ? Date.parse(delivery.publishedAt) - Date.parse(message.createdAt)
    : undefined;
  return {
    channelId: delivery.channelId,
    platform: delivery.platform,
    state: delivery.state,
    renderedText: delivery.renderedText,
    attempts: delivery.attempts,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    ...(delivery.waitingFor && delivery.state === 'RETRYING' ? { waitingFor: delivery.waitingFor } : {}),
    // when a waiting delivery may be tried (or looked up) next: what a person watching it wants to know
    ...((delivery.state === 'RETRYING' || delivery.state === 'VERIFY') && delivery.notBefore !== undefined
      ? { nextAttemptAt: new Date(delivery.notBefore).toISOString() }
      : {}),
    ...(delivery.state === 'FAILED' && delivery.retriesExhausted ? { retriesExhausted: true } : {}),
    ...(delivery.lastError ? { lastError: delivery.lastError } : {}),
    ...(delivery.remoteId ? { remoteId: delivery.remoteId } : {}),
    ...(delivery.remoteUrl ? { remoteUrl: delivery.remoteUrl } : {}),
    ...(delivery.publishedAt ? { publishedAt: delivery.publishedAt, publishedAfterMs } : {}),
    ...(delivery.pinned !== undefined ? { pinned: delivery.pinned } : {}),
    ...(delivery.card ? { card: cardView(delivery.card) } : {}),
    ...(delivery.state !== 'PUBLISHED' ? { notPublishedBecause: notPublishedBecause(delivery) } : {}),
    ...(repliesTo?.remoteId
      ? {
          repliesTo: {
            remoteId: repliesTo.remoteId,
            ...(repliesTo.remoteUrl ? { remoteUrl: repliesTo.remoteUrl } : {}),
          },
        }
      : {}),
    updatedAt: delivery.updatedAt,
  };
}

/** The card as the API shows it: where it is, its format, its alt text, or why it failed. */
const cardView = (card: DeliveryCard) => {
  const { key: _key, ...shown } = card;
  return shown;
};

/**
 * The message's result in numbers and names, so no reader shows one green tick over a failure:
 * which channels published, failed, wait for a person (hand-off) or are still under way.
 */
export function messageOutcome(deliveries: readonly Pick<Delivery, 'channelId' | 'state'>[]) {
  const named = (...states: DeliveryState[]) =>
    deliveries.filter((delivery) => states.includes(delivery.state)).map((delivery) => delivery.channelId);
  return {
    published: named('PUBLISHED'),
    failed: named('FAILED'),
    handoff: named('HANDOFF'),
    skipped: named('SKIPPED'),
    underWay: named('PENDING', 'QUEUED', 'PUBLISHING', 'RETRYING', 'VERIFY'),
    waiting: named('SCHEDULED', 'HELD', 'AWAITING_APPROVAL'),
  };
}

/** A listed message with its derived status, its outcome and each delivery's state in brief. */
export async function withDeliveryStates(store: Store, messages: readonly Message[]) {
  return Promise.all(
    messages.map(async (message) => {
      const deliveries = (await getMessageWithDeliveries(store, message.id))?.deliveries ?? [];
      return {
        ...message,
        status: messageStatus(deliveries),
        outcome: messageOutcome(deliveries),
        deliveries: deliveries.map(({ channelId, platform, state }) => ({ channelId, platform, state })),
      };
    }),
  );
}

export async function getMessageForPrincipal(store: Store, principal: Principal, messageId: string) {
  const found = await getMessageWithDeliveries(store, messageId);
  // Another organisation's message answers exactly like a missing one.
  if (!found || found.message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  const { message, deliveries } = found;
  const [answered, alert] = await Promise.all([
    message.replyTo ? getMessageWithDeliveries(store, message.replyTo) : undefined,
    message.cap
      ? getCapReference(store, message.org, referenceKey(message.cap.sender, message.cap.identifier, message.cap.sent))
      : undefined,
  ]);
  const answeredOn = new Map((answered?.deliveries ?? []).map((delivery) => [delivery.channelId, delivery]));
  return {
    ...message,
    /** the server's clock when this was read: a board counts the time since createdAt from it */
    asOf: new Date().toISOString(),
    ...(message.kind === 'alert' ? { correctionTemplate: correctionTemplate(message) } : {}),
    /** every message the alert became, by language (German and English ones are watched together) */
    ...(alert ? { alertMessages: alert.messages } : {}),
    status: messageStatus(deliveries),
    outcome: messageOutcome(deliveries),
    /** deliveries still waiting for the system or for a person (FAILED is settled: it needs a decision, not time) */
    open: deliveries
      .filter((delivery) => !SETTLED.includes(delivery.state) && delivery.state !== 'FAILED')
      .map((delivery) => delivery.channelId),
    deliveries: deliveries.map((delivery) => deliveryView(delivery, message, answeredOn.get(delivery.channelId))),
  };
}

export async function listMessagesForPrincipal(
  store: Store,
  principal: Principal,
  options: { limit: number; cursor?: string },
) {
  const page = await listMessages(store, principal.org, options);
  return { items: await withDeliveryStates(store, page.messages), ...(page.next ? { next: page.next } : {}) };
}

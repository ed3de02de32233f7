/**
 * One render-card job, start to end: render the alert card of one delivery, keep it where the
 * platform can fetch it, record it on the delivery (in the message's partition: the card stays
 * with the message), and queue the delivery's publish job. Text channels never wait for this:
 * they were queued when the message was written.
 *
 * A card that cannot be made (CardError: a glyph no font has, a headline that does not fit, a
 * missing font) fails this one delivery with the reason, conditional on it still waiting for its
 * card; anything else (the store or the table not answering) throws, and SQS offers the job again.
 * A job that comes twice finds the card ready and only queues the publish job again, which the
 * publisher's claim makes harmless.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, Message, RenderCardJob } from '../model/schemas';
import { PLATFORMS, type CardSpec } from '../platforms/registry';
import { deliveryJob, sendJobs } from '../queue/jobs';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';
import { getDelivery, getMessage } from '../store/messages';
import { orgSender } from '../alerts/policy';
import { organisationAlertPolicy } from '../organisations/organisations';
import { CardError, renderCard, type CardInput, type RenderedCard } from './render';
import { cardAltText, cardContent } from './rule';
import { cardKey, type CardStore } from './store';

export interface CardJobDeps {
  store: Store;
  cards: CardStore;
  render?: (input: CardInput) => Promise<RenderedCard>;
  send?: typeof sendJobs;
  now?: () => Date;
}

export type CardJobOutcome =
  | { kind: 'rendered'; delivery: Delivery; renderMs: number; url: string; queued: boolean }
  | { kind: 'failed'; reason: string }
  | { kind: 'ignored'; reason: string };

/** Deliveries that still go out once the card is there (a dry run's card is only kept, never posted). */
const GOES_OUT: readonly Delivery['state'][] = ['PENDING', 'QUEUED'];

export async function processCardJob(job: RenderCardJob, deps: CardJobDeps): Promise<CardJobOutcome> {
  const [message, delivery] = await Promise.all([
    getMessage(deps.store, job.messageId),
    getDelivery(deps.store, job.messageId, job.channelId, job.deliveryPartitions),
  ]);
  if (!message || !delivery?.card) return { kind: 'ignored', reason: 'no delivery that waits for a card' };
  if (delivery.card.state === 'ready') {
    // A repeated job: the card is there; make sure the publish job is too.
    return { kind: 'ignored', reason: `card ready${(await queuePublish(delivery, deps)) ? ', publish job sent' : ''}` };
  }
  if (delivery.card.state === 'failed') {
    // It failed while the alert waited for its second person; now that the delivery goes out, it fails with that reason.
    if (GOES_OUT.includes(delivery.state))
      return fail(deps, delivery, delivery.card.reason ?? 'the card failed before');
    return { kind: 'ignored', reason: 'the card failed before' };
  }

  const spec = PLATFORMS[delivery.platform].card;
  if (!spec) return fail(deps, delivery, `${PLATFORMS[delivery.platform].displayName} has no alert card`);
  const { senderName } = orgSender(message.org, await organisationAlertPolicy(deps.store, message.org));
  let rendered: RenderedCard;
  try {
    rendered = await (deps.render ?? renderCard)(cardInput(message, spec, senderName));
  } catch (error) {
    if (error instanceof CardError) return fail(deps, delivery, error.message);
    throw error;
  }
  const key = cardKey(message.id, delivery.channelId, rendered.mime);
  const url = await deps.cards.put(key, rendered.bytes, rendered.mime);
  const now = (deps.now ?? (() => new Date()))();
  const ready = {
    ...delivery.card,
    // from the message as it is now: a scheduled message's text may have changed since it was planned
    altText: cardAltText(cardInput(message, spec, senderName).content, PLATFORMS[delivery.platform]),
    state: 'ready' as const,
    url,
    key,
    bytes: rendered.bytes.length,
    renderMs: Math.round(rendered.renderMs),
    renderedAt: now.toISOString(),
  };
  try {
    await deps.store.doc.send(
      new UpdateCommand({
        TableName: deps.store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: 'SET card = :card, updatedAt = :now',
        ConditionExpression: 'card.#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':card': ready, ':now': now.toISOString(), ':pending': 'pending' },
      }),
    );
  } catch (error) {
    // Another job recorded its card first: that one is the card of the delivery. That job may have
    // been the one rendered while the alert waited for approval, which queues no publish; the
    // delivery is read again and, now that it goes out, its publish job sent.
    if (isConditionFailure(error)) {
      const current = await getDelivery(
        deps.store,
        delivery.messageId,
        delivery.channelId,
        delivery.deliveryPartitions,
      );
      const queued = current?.card?.state === 'ready' && (await queuePublish(current, deps));
      return {
        kind: 'ignored',
        reason: `another attempt recorded the card first${queued ? ', publish job sent' : ''}`,
      };
    }
    throw error;
  }
  const withCard = { ...delivery, card: ready };
  const queued = await queuePublish(withCard, deps);
  return { kind: 'rendered', delivery: withCard, renderMs: rendered.renderMs, url, queued };
}

/** What the card shows: the message's headline, instruction, kind, organisation and time. */
export function cardInput(message: Message, spec: CardSpec, senderName: string): CardInput {
  const sent = message.cap?.sent ? new Date(message.cap.sent) : new Date(message.createdAt);
  return {
    content: cardContent(message),
    organisation: senderName,
    issuedAt: Number.isNaN(sent.getTime()) ? new Date(message.createdAt) : sent,
    ...(message.link ? { link: message.link } : {}),
    spec,
  };
}

/** The publish job of a delivery whose card is ready, when the delivery still goes out. Throws when it cannot be sent. */
async function queuePublish(delivery: Delivery, deps: CardJobDeps): Promise<boolean> {
  if (!GOES_OUT.includes(delivery.state)) return false;
  const unsent = await (deps.send ?? sendJobs)([deliveryJob(delivery)]);
  if (unsent.length) throw new Error('the publish job could not be sent; the card job is offered again');
  return true;
}

/** The card cannot be made: this delivery fails with the reason (a dry run's card is only marked). */
async function fail(deps: CardJobDeps, delivery: Delivery, reason: string): Promise<CardJobOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const goesOut = GOES_OUT.includes(delivery.state);
  try {
    await deps.store.doc.send(
      new UpdateCommand({
        TableName: deps.store.table,
        Key: keys.delivery(delivery.messageId, delivery.channelId, delivery.deliveryPartitions),
        UpdateExpression: goesOut
          ? 'SET card.#state = :failed, card.reason = :reason, #state = :failedDelivery, lastError = :error, updatedAt = :now REMOVE OPENPK, OPENSK'
          : 'SET card.#state = :failed, card.reason = :reason, updatedAt = :now',
        ConditionExpression: goesOut
          ? 'card.#state IN (:pending, :failed) AND #state IN (:pendingDelivery, :queuedDelivery)'
          : 'card.#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':pending': 'pending',
          ':reason': reason,
          ':now': now,
          ...(goesOut
            ? {
                ':failedDelivery': 'FAILED',
                ':pendingDelivery': 'PENDING',
                ':queuedDelivery': 'QUEUED',
                ':error': { class: 'permanent', code: 'CARD', detail: `the alert card could not be made: ${reason}` },
              }
            : {}),
        },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return { kind: 'ignored', reason: 'the delivery moved on meanwhile' };
    throw error;
  }
  return { kind: 'failed', reason };
}

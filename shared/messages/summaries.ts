/** How a created, dispatched or changed message answers: each delivery's state in brief. */
import type { Delivery, MessageState } from '../model/schemas';

export interface DeliverySummary {
  channelId: string;
  platform: string;
  state: Delivery['state'];
  reason?: string;
  renderedText?: string;
}

export interface CreatedMessage {
  id: string;
  /** set when the message waits: SCHEDULED for its time, HELD for a person */
  state?: MessageState;
  stateReason?: string;
  scheduledAt?: string;
  scheduledAtLocal?: string;
  deliveries: DeliverySummary[];
}

/** The deliveries as a create or dispatch response shows them. */
export function deliverySummaries(
  deliveries: readonly Delivery[],
  unsent: ReadonlySet<string> = new Set(),
): DeliverySummary[] {
  return deliveries.map((delivery) => ({
    channelId: delivery.channelId,
    platform: delivery.platform,
    state: unsent.has(delivery.channelId) ? 'PENDING' : delivery.state === 'PENDING' ? 'QUEUED' : delivery.state,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    ...(delivery.state === 'HANDOFF' ? { renderedText: delivery.renderedText } : {}),
  }));
}

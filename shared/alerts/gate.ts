/**
 * What may leave Herold at once. Pure: the planned deliveries in, the same deliveries with the
 * safety rules applied out.
 *  - a dry run (CAP status Exercise/Test/System/Draft …) is rendered and recorded, every delivery
 *    SKIPPED with the reason: nothing is queued and nothing is handed to a person to post;
 *  - a live emergency message that needs a second person waits in AWAITING_APPROVAL (outside the
 *    reconciler's open index, so nothing sends it) until `POST /messages/{id}/approve`.
 */
import type { Delivery, Message } from '../model/schemas';
import { PLATFORMS } from '../platforms/registry';
import type { Severity } from './policy';

export interface Gate {
  /** why the message is never published (a dry run), or undefined for a live message */
  dryRunReason?: string;
  needsApproval: boolean;
}

const WAITING: readonly Delivery['state'][] = ['PENDING', 'HANDOFF'];

export function gateDeliveries<D extends Pick<Delivery, 'state' | 'reason'>>(deliveries: D[], gate: Gate): D[] {
  if (gate.dryRunReason) {
    const reason = gate.dryRunReason;
    return deliveries.map((delivery) =>
      WAITING.includes(delivery.state) ? { ...delivery, state: 'SKIPPED', reason } : delivery,
    );
  }
  if (!gate.needsApproval) return deliveries;
  return deliveries.map((delivery) => {
    if (!WAITING.includes(delivery.state)) return delivery;
    const { reason: _handoffReason, ...rest } = delivery;
    return {
      ...rest,
      state: 'AWAITING_APPROVAL',
      reason: 'live emergency message: waits for a second person with the "emergency" role to approve it',
    } as D;
  });
}

/**
 * The state an approved delivery takes: the same as it would have had without the rule. A message
 * approved before its scheduled time waits for it like its other deliveries.
 */
export function stateAfterApproval(
  platform: Delivery['platform'],
  messageState?: Message['state'],
): { state: 'PENDING' | 'HANDOFF' | 'SCHEDULED'; reason?: string } {
  if (messageState === 'SCHEDULED') return { state: 'SCHEDULED' };
  const spec = PLATFORMS[platform];
  return spec.publishing === 'handoff'
    ? {
        state: 'HANDOFF',
        reason: `${spec.displayName} has no publishing API: post the rendered text by hand, then confirm it`,
      }
    : { state: 'PENDING' };
}

/** What an alert (or a correction) tells createMessage beyond the message itself. */
export interface AlertOrigin {
  /** CAP severity, or the `severity` of an API emergency message; decides the two-person rule */
  severity: Severity;
  /** set: record and render, never publish */
  dryRunReason?: string;
  language?: string;
  cap?: NonNullable<Message['cap']>;
}

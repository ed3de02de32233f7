/**
 * A message's state as a whole, in one honest sentence: never one green tick over a failure. A
 * message that reached some channels and failed on others is "partly published" and names them.
 */
import type { DeliveryState, MessageState } from '@shared/model/schemas';

export interface MessageOutcome {
  published: string[];
  failed: string[];
  handoff: string[];
  skipped: string[];
  underWay: string[];
  waiting: string[];
}

export interface SummarisedMessage {
  state?: MessageState;
  status: 'awaiting-approval' | 'in-progress' | 'needs-attention' | 'complete' | 'cancelled' | 'rejected';
  outcome: MessageOutcome;
}

export type Overall =
  | {
      key: 'scheduled' | 'held' | 'cancelled' | 'rejected' | 'awaitingApproval' | 'inProgress' | 'skipped';
      channels: string[];
    }
  | { key: 'failed' | 'partlyPublished' | 'handoff'; channels: string[] }
  | { key: 'published'; channels: string[]; skipped: number };

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

export function overallState(message: SummarisedMessage): Overall {
  const { outcome } = message;
  if (message.state === 'SCHEDULED') return { key: 'scheduled', channels: outcome.waiting };
  if (message.status === 'cancelled' || message.state === 'CANCELLED') return { key: 'cancelled', channels: [] };
  if (message.status === 'rejected' || message.state === 'REJECTED') return { key: 'rejected', channels: [] };
  if (message.status === 'awaiting-approval') return { key: 'awaitingApproval', channels: outcome.waiting };
  if (message.state === 'HELD' && outcome.failed.length === 0) return { key: 'held', channels: outcome.waiting };
  if (outcome.failed.length > 0)
    return { key: outcome.published.length > 0 ? 'partlyPublished' : 'failed', channels: outcome.failed };
  if (outcome.underWay.length > 0) return { key: 'inProgress', channels: outcome.underWay };
  if (outcome.handoff.length > 0) return { key: 'handoff', channels: outcome.handoff };
  if (outcome.published.length === 0) return { key: 'skipped', channels: outcome.skipped };
  return { key: 'published', channels: outcome.published, skipped: outcome.skipped.length };
}

export const TONES: Record<Overall['key'], Tone> = {
  scheduled: 'info',
  held: 'warn',
  cancelled: 'neutral',
  rejected: 'neutral',
  awaitingApproval: 'warn',
  inProgress: 'info',
  skipped: 'neutral',
  failed: 'bad',
  partlyPublished: 'bad',
  handoff: 'warn',
  published: 'ok',
};

const DELIVERY_TONES: Record<DeliveryState, Tone> = {
  PENDING: 'info',
  QUEUED: 'info',
  PUBLISHING: 'info',
  PUBLISHED: 'ok',
  RETRYING: 'warn',
  VERIFY: 'warn',
  FAILED: 'bad',
  SKIPPED: 'neutral',
  HANDOFF: 'warn',
  SCHEDULED: 'info',
  HELD: 'warn',
  AWAITING_APPROVAL: 'warn',
  REJECTED: 'neutral',
  CANCELLED: 'neutral',
};

/** A delivery state's colour; the words and the badge's shape carry the meaning. */
export const deliveryTone = (state: DeliveryState): Tone => DELIVERY_TONES[state];

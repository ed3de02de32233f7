import type { DeliveryState } from '@shared/model/schemas';
import type { Tone } from '@/lib/message-status';

const TONES: Record<DeliveryState, Tone> = {
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
export const stateTone = (state: DeliveryState): Tone => TONES[state];

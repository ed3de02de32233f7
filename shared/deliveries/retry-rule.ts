/**
 * Whether one delivery may be tried again from scratch. Pure, so the API and the workspace (which
 * greys out the retry button with the same words) decide it with the same code.
 */
import type { Channel, Delivery } from '../model/schemas';

export type RetryRefusal =
  /** only FAILED is certain not to be on the platform: VERIFY and HANDOFF may exist there */
  | { code: 'not-failed'; state: Delivery['state'] }
  | { code: 'channel-inactive'; state: 'frozen' | 'retired' }
  | { code: 'channel-missing' }
  | { code: 'needs-reauth' };

export function retryRefusal(
  delivery: Pick<Delivery, 'state'>,
  channel: Pick<Channel, 'state' | 'needsReauth'> | undefined,
): RetryRefusal | undefined {
  if (delivery.state !== 'FAILED') return { code: 'not-failed', state: delivery.state };
  if (!channel) return { code: 'channel-missing' };
  if (channel.state !== 'active') return { code: 'channel-inactive', state: channel.state };
  if (channel.needsReauth) return { code: 'needs-reauth' };
  return undefined;
}

/** The refusal in the API's words (the workspace translates the code). */
export function describeRetryRefusal(refusal: RetryRefusal): string {
  switch (refusal.code) {
    case 'not-failed':
      return refusal.state === 'VERIFY' || refusal.state === 'HANDOFF'
        ? `the delivery is ${refusal.state}: the post may already exist on the platform, so it is not sent again`
        : `the delivery is ${refusal.state}; only a FAILED delivery can be retried`;
    case 'channel-inactive':
      return `the channel is ${refusal.state}: nothing is posted to it`;
    case 'channel-missing':
      return 'the channel no longer exists';
    case 'needs-reauth':
      return 'the channel needs to be connected again: the platform refused its credentials';
  }
}

/** Why a channel has not published yet, in the duty officer's words; a platform's own message is kept as it came. */
import type { TFunction } from 'i18next';
import type { DeliveryView } from '@/lib/message-view';
import { explainSkip } from './previews';

export function waitText(
  t: TFunction,
  delivery: Pick<DeliveryView, 'notPublishedBecause' | 'card'>,
): { text: string; detail?: string } | undefined {
  const because = delivery.notPublishedBecause;
  if (!because) return undefined;
  switch (because.code) {
    case 'platform-error':
    case 'token':
    case 'quota':
    case 'rate-limit':
      return { text: t(`console.wait.${because.code}`), detail: because.detail };
    case 'card':
      return delivery.card?.state === 'failed'
        ? { text: t('console.wait.cardFailed'), detail: because.detail }
        : { text: t('console.wait.card') };
    case 'skipped': {
      const skip = explainSkip(t, because.detail);
      return skip.english ? { text: t('console.wait.skipped'), detail: skip.text } : { text: skip.text };
    }
    default:
      return { text: t(`console.wait.${because.code}`) };
  }
}

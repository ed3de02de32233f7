/**
 * What goes out, per language and channel, as the API renders it (`POST /alerts?dryRun=true` before
 * sending; the stored deliveries once it is written): the text, its count by the platform's rule,
 * the alert card an image-only platform gets (its image once it is rendered, else its size and alt
 * text), and why a channel is skipped. An exercise says ÜBUNG on every card.
 */
import type { TFunction } from 'i18next';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { PLATFORMS, type PlatformId } from '@shared/platforms/registry';
import { StatusBadge } from '@/components/ui/status-badge';
import { useFormat } from '@/lib/format';
import type { Mode } from '../draft';
import { ExerciseStamp } from './mode';

export interface ShownDelivery {
  channelId: string;
  platform: PlatformId;
  handle?: string;
  /** QUEUED, HANDOFF, SKIPPED; AWAITING_APPROVAL for a stored one */
  state: string;
  text: string;
  length?: number;
  limit?: number;
  reason?: string;
  card?: { width?: number; height?: number; mime?: string; altText?: string; url?: string; state?: string };
}

/** Herold's own reasons in German where they are known; a platform's or an unknown one as it came. */
export function explainSkip(t: TFunction, reason: string): { text: string; english: boolean } {
  const known: [RegExp, (match: RegExpExecArray) => string][] = [
    [/publishes videos only/, () => t('preview.skip.media.needsVideo')],
    [/needs an image or a video/, () => t('preview.skip.media.needsMedia')],
    [
      /^channel (?:is|became) (frozen|retired)(?::\s*(.*))?/,
      (match) =>
        t('preview.skip.channel', {
          state: t(`channelStates.${match[1] as 'frozen' | 'retired'}`),
          reason: match[2] ? `: ${match[2]}` : '',
        }),
    ],
    [/^CAP status (Exercise|Test)/, (match) => t(`console.preview.dryRun.${match[1] as 'Exercise' | 'Test'}`)],
  ];
  for (const [pattern, say] of known) {
    const match = pattern.exec(reason);
    if (match) return { text: say(match), english: false };
  }
  return { text: reason, english: true };
}

export function DeliveryPreview({ delivery, mode }: { delivery: ShownDelivery; mode: Mode | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const spec = PLATFORMS[delivery.platform];
  const skipped = delivery.state === 'SKIPPED';
  const dryRun = mode !== undefined && mode !== 'Actual';
  const reason = delivery.reason && skipped ? explainSkip(t, delivery.reason) : undefined;
  return (
    <article
      className={`preview-card alert-preview preview-${delivery.state.toLowerCase()}${dryRun ? ' preview-exercise' : ''}`}
      aria-labelledby={id}
      data-channel={delivery.channelId}
    >
      <ExerciseStamp mode={mode} />
      <header>
        <h4 id={id}>
          {spec.displayName} {delivery.handle ? <span className="channel-handle">{delivery.handle}</span> : null}
        </h4>
        {dryRun ? (
          <StatusBadge tone="warn">{t('console.preview.notPublished')}</StatusBadge>
        ) : skipped ? (
          <StatusBadge tone="neutral">{t('preview.skipped')}</StatusBadge>
        ) : delivery.state === 'HANDOFF' ? (
          <StatusBadge tone="warn">{t('preview.handoff')}</StatusBadge>
        ) : (
          <StatusBadge tone="ok">{t('console.preview.goesOut')}</StatusBadge>
        )}
      </header>
      {delivery.text ? <p className="preview-text">{delivery.text}</p> : null}
      {delivery.length !== undefined && delivery.limit !== undefined ? (
        <p className="preview-count">
          {t(`preview.count.${spec.text.counting}`, {
            length: format.number(delivery.length),
            limit: format.number(delivery.limit),
          })}
        </p>
      ) : null}
      {delivery.card ? <CardPreview card={delivery.card} /> : null}
      {reason && !dryRun ? (
        <p className="preview-skip" lang={reason.english ? 'en' : undefined}>
          {reason.text}
        </p>
      ) : null}
    </article>
  );
}

function CardPreview({ card }: { card: NonNullable<ShownDelivery['card']> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const size =
    card.width && card.height
      ? t('console.card.size', {
          width: format.number(card.width),
          height: format.number(card.height),
          format: (card.mime ?? '').replace('image/', '').toUpperCase(),
        })
      : '';
  return (
    <div className="card-preview">
      {card.url && card.state === 'ready' ? (
        <img src={card.url} alt={card.altText ?? ''} width={card.width} height={card.height} />
      ) : null}
      <p>
        <strong>{t('console.card.title')}</strong> {size}
        {card.state === 'pending' ? ` ${t('console.card.pending')}` : ''}
        {card.state === 'failed' ? ` ${t('console.card.failed')}` : ''}
      </p>
      {card.altText ? (
        <p className="card-alt">
          {t('console.card.altText')} <q>{card.altText}</q>
        </p>
      ) : null}
    </div>
  );
}

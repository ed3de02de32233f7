/** One channel's post as the platform will show it, counted the platform's way; why it would be skipped, in words. */
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { PLATFORMS } from '@shared/platforms/registry';
import { StatusBadge } from '@/components/ui/status-badge';
import { useFormat } from '@/lib/format';
import type { ChannelPreview, SkipCause } from '../previews';

export interface ServerCheck {
  /** the API rendered the same text and length */
  agrees: boolean;
  text?: string;
  length?: number;
}

export function PreviewCard({ preview, check }: { preview: ChannelPreview; check?: ServerCheck }) {
  const { t } = useTranslation();
  const format = useFormat();
  const spec = PLATFORMS[preview.platform];
  const over = preview.length > preview.limit;
  return (
    <article
      className={`preview-card preview-${preview.state.toLowerCase()}`}
      aria-labelledby={`preview-${preview.channelId}`}
    >
      <header>
        <h3 id={`preview-${preview.channelId}`}>
          {spec.displayName} <span className="channel-handle">{preview.handle}</span>
        </h3>
        {preview.state === 'SKIPPED' ? (
          <StatusBadge tone="neutral">{t('preview.skipped')}</StatusBadge>
        ) : preview.state === 'HANDOFF' ? (
          <StatusBadge tone="warn">{t('preview.handoff')}</StatusBadge>
        ) : (
          <StatusBadge tone="ok">{t('preview.goesOut')}</StatusBadge>
        )}
      </header>
      {preview.text ? <p className="preview-text">{preview.text}</p> : null}
      <p className={`preview-count${over ? ' preview-over' : ''}`} data-testid={`count-${preview.channelId}`}>
        {t(`preview.count.${preview.counting}`, {
          length: format.number(preview.length),
          limit: format.number(preview.limit),
        })}
        {preview.captionLimit ? ` ${t('preview.captionLimit')}` : ''}
        {preview.bytes !== undefined ? ` · ${t('preview.bytes', { bytes: format.number(preview.bytes) })}` : ''}
      </p>
      <ul className="preview-notes">
        {preview.usesOverride ? <li>{t('preview.override')}</li> : null}
        {preview.shortened ? <li>{t('preview.shortened')}</li> : null}
        {preview.linkAppended && preview.state !== 'SKIPPED' ? <li>{t('preview.linkAppended')}</li> : null}
        {preview.state === 'HANDOFF' ? <li>{t('preview.handoffHelp')}</li> : null}
        {preview.skip ? <li className="preview-skip">{skipText(t, preview.skip, format.number)}</li> : null}
        {preview.card ? (
          <li>
            {t('preview.card', {
              width: format.number(preview.card.width),
              height: format.number(preview.card.height),
              format: preview.card.mime.replace('image/', '').toUpperCase(),
            })}{' '}
            {t('preview.cardAlt', { alt: preview.card.altText })}
          </li>
        ) : null}
      </ul>
      {check ? (
        <p className={check.agrees ? 'server-agrees' : 'server-differs'} role={check.agrees ? undefined : 'alert'}>
          {check.agrees ? t('preview.serverAgrees') : t('preview.serverDiffers', { length: check.length ?? 0 })}
        </p>
      ) : null}
    </article>
  );
}

export function skipText(t: TFunction, skip: SkipCause, number: (value: number) => string): string {
  switch (skip.code) {
    case 'channel':
      return t('preview.skip.channel', {
        state: t(`channelStates.${skip.state}`),
        reason: skip.reason ? `: ${skip.reason}` : '',
      });
    case 'override-too-long':
      return t('preview.skip.overrideTooLong', { over: number(skip.length - skip.limit), limit: number(skip.limit) });
    case 'link-too-long':
      return t('preview.skip.linkTooLong', { length: number(skip.length), limit: number(skip.limit) });
    case 'no-room':
      return t('preview.skip.noRoom', { limit: number(skip.limit) });
    case 'media': {
      const problem = skip.problem;
      switch (problem.code) {
        case 'mime':
          return t('preview.skip.media.mime', { mime: problem.mime });
        case 'too-many':
          return t('preview.skip.media.tooMany', { max: problem.max });
        case 'too-large':
          return t('preview.skip.media.tooLarge', { max: number(Math.round(problem.max / 1048576)) });
        case 'alt-too-long':
          return t('preview.skip.media.altTooLong', { max: number(problem.max) });
        default:
          return t(`preview.skip.media.${problem.code === 'needs-video' ? 'needsVideo' : 'needsMedia'}`);
      }
    }
  }
}

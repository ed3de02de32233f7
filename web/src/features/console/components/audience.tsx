/**
 * Who a live alert reaches, said before it goes: every channel it will be posted on with its
 * latest follower figure, "an 37.177 + 7.113 + 2.514 Follower", in the person's number format.
 * The sender confirms it before sending, the second person before approving.
 */
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { useFormat } from '@/lib/format';
import { useChannels, type ListedChannel } from '@/lib/session';

type ChannelWithFollowers = ListedChannel & { followers?: { count: number; date: string } };

export interface Audience {
  channels: ChannelWithFollowers[];
  /** the channels' follower figures, those without one left out */
  counts: number[];
  total: number;
  unknown: number;
}

export function useAudience(channelIds: readonly string[]): Audience {
  const channels = (useChannels().data ?? []) as ChannelWithFollowers[];
  const chosen = channels.filter((channel) => channelIds.includes(channel.id));
  const counts = chosen.flatMap((channel) => (channel.followers ? [channel.followers.count] : []));
  return {
    channels: chosen,
    counts,
    total: counts.reduce((sum, count) => sum + count, 0),
    unknown: chosen.length - counts.length,
  };
}

export function AudienceList({ audience }: { audience: Audience }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <>
      <p className="audience-sum" data-testid="audience-sum">
        {t('console.audience.sum', {
          counts: audience.counts.map(format.number).join(' + ') || '0',
          total: format.number(audience.total),
        })}
        {audience.unknown > 0 ? ` ${t('console.audience.unknown', { count: audience.unknown })}` : ''}
      </p>
      <ul className="audience-list">
        {audience.channels.map((channel) => (
          <li key={channel.id}>
            <strong>{PLATFORMS[channel.platform].displayName}</strong> {channel.handle}:{' '}
            {channel.followers
              ? t('console.audience.followers', {
                  count: channel.followers.count,
                  number: format.number(channel.followers.count),
                  date: new Intl.DateTimeFormat(format.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
                    new Date(`${channel.followers.date}T00:00:00Z`),
                  ),
                })
              : t('console.audience.noFigure')}
          </li>
        ))}
      </ul>
    </>
  );
}

/** A question that names the audience; the confirming button says what happens and to how many. */
export function AudienceDialog({
  isOpen,
  onClose,
  onConfirm,
  title,
  intro,
  note,
  confirmLabel,
  audience,
  busy,
}: {
  isOpen: boolean;
  onClose(): void;
  onConfirm(): void;
  title: string;
  intro: string;
  note: string;
  confirmLabel: string;
  audience: Audience;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <ModalOverlay className="modal-overlay" isOpen={isOpen} onOpenChange={(open) => (open ? undefined : onClose())}>
      <Modal className="modal modal-wide">
        <Dialog className="dialog audience-dialog" role="alertdialog">
          <Heading slot="title">{title}</Heading>
          <div className="dialog-body">
            <p>{intro}</p>
            <AudienceList audience={audience} />
            <p className="audience-note">{note}</p>
          </div>
          <div className="dialog-actions">
            <Button variant="quiet" onPress={onClose} autoFocus>
              {t('console.audience.back')}
            </Button>
            <Button variant="danger" className="button-danger-solid" onPress={onConfirm} isDisabled={busy}>
              {confirmLabel}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** A delivery a person posts by hand: the reason, the text with a copy button, the channel's link, and the confirmation. */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/text-field';
import { PLATFORMS } from '@shared/platforms/registry';
import type { ListedChannel } from '@/lib/session';
import { ApiProblem } from '@/lib/problem';
import type { DeliveryView } from '@/lib/message-view';
import { useConfirmHandoff } from '../api/message';

export function HandoffPanel({
  messageId,
  delivery,
  channel,
}: {
  messageId: string;
  delivery: DeliveryView;
  channel?: ListedChannel;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const [remoteUrl, setRemoteUrl] = useState('');
  const confirm = useConfirmHandoff(messageId);
  const platform = PLATFORMS[delivery.platform].displayName;
  const urlValid = remoteUrl === '' || /^https:\/\/\S+$/.test(remoteUrl);
  return (
    <div className="handoff">
      <p>{t('board.handoffSteps', { platform })}</p>
      <label htmlFor={`${id}-text`}>{t('board.handoffText')}</label>
      <textarea
        id={`${id}-text`}
        readOnly
        value={delivery.renderedText}
        rows={Math.min(8, delivery.renderedText.split('\n').length + 2)}
      />
      <div className="handoff-actions">
        <Button
          onPress={() =>
            void navigator.clipboard.writeText(delivery.renderedText).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 4000);
            })
          }
        >
          {t('board.copy')}
        </Button>
        <span role="status" className="copy-status">
          {copied ? t('board.copied') : ''}
        </span>
        {channel?.profileUrl ? (
          <a href={channel.profileUrl} target="_blank" rel="noreferrer noopener">
            {t('board.openChannel', { platform })}
          </a>
        ) : null}
      </div>
      <TextField
        label={t('board.postUrl')}
        description={t('board.postUrlHelp')}
        type="url"
        value={remoteUrl}
        onChange={setRemoteUrl}
        errors={urlValid ? [] : [t('errors.httpsUrl')]}
      />
      <ConfirmDialog
        trigger={
          <Button variant="primary" isDisabled={!urlValid || confirm.isPending}>
            {t('board.iPostedIt')}
          </Button>
        }
        title={t('board.confirmTitle', { platform })}
        confirmLabel={t('board.confirmYes')}
        cancelLabel={t('common.cancel')}
        onConfirm={() =>
          confirm.mutateAsync({ channelId: delivery.channelId, ...(remoteUrl ? { remoteUrl } : {}) }).then(
            () => undefined,
            () => undefined,
          )
        }
      >
        <p>{t('board.confirmText', { platform })}</p>
      </ConfirmDialog>
      {confirm.error ? (
        <p className="field-errors" role="alert">
          {confirm.error instanceof ApiProblem ? confirm.error.message : t('errors.connection')}
        </p>
      ) : null}
    </div>
  );
}

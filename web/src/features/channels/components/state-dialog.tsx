/**
 * Freezing, unfreezing or retiring a channel, after a confirmation that names what follows: a frozen
 * channel gets no posts until it is unfrozen; retiring is final, deletes the stored secret and revokes
 * the token where the platform offers that. Each change is recorded in the audit trail.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelState } from '@shared/model/schemas';
import { PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { ApiProblem } from '@/lib/problem';
import { useChangeState, type ChannelView, type Retirement } from '../api/channels';
import { FormDialog } from './form-dialog';

export type StateAction = 'freeze' | 'unfreeze' | 'retire';

const TARGET: Record<StateAction, ChannelState> = { freeze: 'frozen', unfreeze: 'active', retire: 'retired' };

export function StateDialog({
  channel,
  action,
  onDone,
}: {
  channel: ChannelView;
  action: StateAction;
  onDone(channel: ChannelView, retirement?: Retirement): void;
}) {
  const { t } = useTranslation();
  const change = useChangeState();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const name = channel.displayName ?? channel.handle;
  const platform = PLATFORMS[channel.platform].displayName;
  const submit = async () => {
    setProblem(undefined);
    try {
      const { credentials, ...after } = await change.mutateAsync({
        id: channel.id,
        state: TARGET[action],
        reason: reason.trim() || undefined,
      });
      onDone(after, credentials);
      return true;
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error.message : t('errors.connection'));
      return false;
    }
  };
  return (
    <FormDialog
      trigger={
        <Button variant={action === 'retire' ? 'danger' : 'secondary'}>
          {t(`channels.state.${action}.open`)}
          <span className="visually-hidden">: {t('channels.channelLabel', { name, platform })}</span>
        </Button>
      }
      title={t(`channels.state.${action}.title`, { name, platform })}
      submitLabel={t(`channels.state.${action}.confirm`)}
      onSubmit={submit}
      problem={problem}
      onOpenChange={(open) => {
        if (open) {
          setReason('');
          setProblem(undefined);
        }
      }}
    >
      <ul className="consequences">
        {(t(`channels.state.${action}.consequences`, { returnObjects: true, platform }) as string[]).map((line) => (
          <li key={line}>{line}</li>
        ))}
        <li>{t('channels.state.audited')}</li>
      </ul>
      {action === 'unfreeze' ? null : (
        <TextField label={t('channels.state.reason')} value={reason} onChange={setReason} />
      )}
    </FormDialog>
  );
}

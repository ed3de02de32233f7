/** Change a scheduled message's time or text; the API re-checks the time and renders the new text again. */
import { useState } from 'react';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { formatInZone } from '@shared/scheduling/time';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { useReschedule, type ListedMessage } from '../api/messages';

export function RescheduleDialog({ message }: { message: ListedMessage }) {
  const { t } = useTranslation();
  const me = useMe();
  const zone = message.timeZone ?? me.data?.organisation.timeZone ?? 'Europe/Berlin';
  const initial = message.scheduledAt ? formatInZone(new Date(message.scheduledAt), zone).slice(0, 16) : '';
  const [at, setAt] = useState(initial);
  const [text, setText] = useState(message.text);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const reschedule = useReschedule();
  return (
    <DialogTrigger>
      <Button>{t('messages.change')}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog className="dialog">
            {({ close }) => (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  reschedule.mutate(
                    {
                      id: message.id,
                      ...(at !== initial ? { scheduledAt: `${at}:00`, timeZone: zone } : {}),
                      ...(text !== message.text ? { text } : {}),
                    },
                    {
                      onSuccess: close,
                      onError: (error) => {
                        if (!(error instanceof ApiProblem)) return setErrors({ scheduledAt: [t('errors.connection')] });
                        const byField: Record<string, string[]> = {};
                        for (const problem of error.errors) (byField[problem.field] ??= []).push(problem.message);
                        setErrors(Object.keys(byField).length ? byField : { text: [error.message] });
                      },
                    },
                  );
                }}
              >
                <Heading slot="title">{t('messages.changeTitle')}</Heading>
                <TextField
                  label={t('compose.schedule.at')}
                  description={t('compose.schedule.zone', { zone })}
                  type="datetime-local"
                  value={at}
                  onChange={setAt}
                  errors={errors.scheduledAt ?? errors.timeZone ?? []}
                />
                <TextField
                  label={t('compose.text')}
                  multiline
                  rows={5}
                  value={text}
                  onChange={setText}
                  errors={errors.text ?? []}
                />
                <div className="dialog-actions">
                  <Button variant="quiet" onPress={close}>
                    {t('common.cancel')}
                  </Button>
                  <Button type="submit" variant="primary" isDisabled={reschedule.isPending}>
                    {t('messages.save')}
                  </Button>
                </div>
              </form>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

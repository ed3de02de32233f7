/** A modal form: a title, its fields, a submitting and a cancelling button; focus trapped and returned (react-aria). */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Button } from '@/components/ui/button';

interface Props {
  trigger: ReactNode;
  title: string;
  submitLabel: string;
  /** resolves true when the dialog may close */
  onSubmit(): Promise<boolean>;
  children: ReactNode;
  /** a problem that belongs to no single field */
  problem?: string;
  onOpenChange?(open: boolean): void;
}

export function FormDialog({ trigger, title, submitLabel, onSubmit, children, problem, onOpenChange }: Props) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  return (
    <DialogTrigger onOpenChange={onOpenChange}>
      {trigger}
      <ModalOverlay className="modal-overlay" isDismissable={!busy}>
        <Modal className="modal">
          <Dialog className="dialog">
            {({ close }) => (
              <form
                noValidate
                onSubmit={(event: FormEvent) => {
                  event.preventDefault();
                  setBusy(true);
                  void onSubmit()
                    .then((done) => {
                      if (done) close();
                    })
                    .finally(() => setBusy(false));
                }}
              >
                <Heading slot="title">{title}</Heading>
                <div className="dialog-body">{children}</div>
                {problem ? (
                  <p className="form-problem" role="alert">
                    {problem}
                  </p>
                ) : null}
                <div className="dialog-actions">
                  <Button variant="quiet" onPress={close} isDisabled={busy}>
                    {t('common.cancel')}
                  </Button>
                  <Button variant="primary" type="submit" isDisabled={busy}>
                    {submitLabel}
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

/**
 * The second person's screen: exactly what goes out on each channel of each language (the stored
 * text, the alert card once it is rendered), who sent it and how long it has waited; approve after
 * a confirmation that names the audience, or reject with a reason. The sender may withdraw their
 * own alert but not approve it, and the screen says why.
 */
import { useState } from 'react';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useElapsed, useNow } from '@/lib/clock';
import { headlineOf } from '@/lib/emergency-watch';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useChannels, useMe } from '@/lib/session';
import { useAlertMessage, useApprove, useReject, useSiblings } from '../api/messages';
import { useTemplates } from '../api/templates';
import { inLanguageOrder, languageName } from './alert-fields';
import { modeOf } from './alert-board';
import { AudienceDialog, useAudience } from './audience';
import { ModeBand, useScreenMode } from './mode';
import { DeliveryPreview } from './previews';

export function ApprovalView({ messageId }: { messageId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const elapsed = useElapsed();
  const [, navigate] = useLocation();
  const query = useAlertMessage(messageId);
  const message = query.data?.message;
  const siblings = useSiblings(message);
  const me = useMe();
  const channels = useChannels();
  const approve = useApprove();
  const [confirming, setConfirming] = useState(false);
  const waiting = message?.status === 'awaiting-approval';
  const now = useNow(waiting ? 1000 : null) + (query.data?.offsetMs ?? 0);
  useScreenMode(message ? modeOf(message) : undefined);

  const languages = useTemplates().data?.languages ?? [];
  const messages = message
    ? inLanguageOrder(
        [message, ...siblings.flatMap((sibling) => (sibling.data ? [sibling.data.message] : []))],
        languages,
      )
    : [];
  const awaitingIds = messages.filter((shown) => shown.status === 'awaiting-approval').map((shown) => shown.id);
  const audience = useAudience([
    ...new Set(
      messages.flatMap((shown) =>
        shown.deliveries
          .filter((delivery) => delivery.state === 'AWAITING_APPROVAL')
          .map((delivery) => delivery.channelId),
      ),
    ),
  ]);

  if (query.error instanceof ApiProblem && query.error.status === 404)
    return (
      <>
        <h1>{t('board.notFound')}</h1>
        <Link href="/console">{t('console.back')}</Link>
      </>
    );
  if (!message) return <p role="status">{t('common.loading')}</p>;

  const own = message.createdBy === me.data?.sub;
  const mayDecide = me.data?.roles.includes('emergency') ?? false;
  const headline = headlineOf(message);
  return (
    <div className="approval-view">
      <p className="breadcrumb">
        <Link href="/console">{t('console.back')}</Link>
      </p>
      <ModeBand mode={modeOf(message)} />
      <h1>{t('console.approval.title', { headline })}</h1>
      <p className="meta">
        {t('console.approval.sentBy', { by: message.createdBy, time: format.dateTime(message.createdAt) })}
        {message.severity ? ` · ${t('console.fields.severity')}: ${t(`console.severity.${message.severity}`)}` : ''}
      </p>
      {waiting ? (
        <p className="approval-line approval-waiting">
          <strong>{t('console.approval.waited', { time: elapsed(now - Date.parse(message.createdAt)) })}</strong>
        </p>
      ) : (
        <p className="approval-line" role="status">
          {message.approval?.approvedBy
            ? t('console.board.approved', {
                by: message.approval.approvedBy,
                time: format.dateTime(message.approval.approvedAt!),
              })
            : message.approval?.rejectedBy
              ? t('console.board.rejected', {
                  by: message.approval.rejectedBy,
                  reason: message.approval.rejectionReason ?? '',
                })
              : t('console.approval.notWaiting')}{' '}
          <Link href={`/console/alerts/${message.id}`}>{t('console.approval.toBoard')}</Link>
        </p>
      )}
      {waiting && mayDecide ? (
        <div className="decision">
          <div className="decision-buttons">
            <Button
              variant="danger"
              className="button-danger-solid"
              isDisabled={own || approve.isPending}
              aria-describedby={own ? 'own-alert' : undefined}
              onPress={() => setConfirming(true)}
            >
              {t('console.approval.approve')}
            </Button>
            <RejectDialog ids={awaitingIds} own={own} />
          </div>
          {own ? (
            <p id="own-alert" className="own-alert">
              {t('console.approval.own')}
            </p>
          ) : null}
          {approve.error ? (
            <p className="field-errors" role="alert">
              {approve.error instanceof ApiProblem
                ? t('console.approval.refused', { detail: approve.error.message })
                : t('errors.connection')}
            </p>
          ) : null}
        </div>
      ) : null}
      {messages.map((shown) => (
        <section key={shown.id} className="approval-language" aria-labelledby={`approval-${shown.id}`}>
          <h2 id={`approval-${shown.id}`}>
            {shown.language ? languageName(shown.language, i18n.language) : t('console.board.message')}
          </h2>
          <div className="preview-list preview-grid">
            {shown.deliveries.map((delivery) => (
              <DeliveryPreview
                key={delivery.channelId}
                mode={modeOf(shown)}
                delivery={{
                  ...delivery,
                  text: delivery.renderedText,
                  handle: channels.data?.find((channel) => channel.id === delivery.channelId)?.handle,
                }}
              />
            ))}
          </div>
        </section>
      ))}
      <AudienceDialog
        isOpen={confirming}
        onClose={() => setConfirming(false)}
        busy={approve.isPending}
        onConfirm={() =>
          approve.mutate(awaitingIds, {
            onSuccess: () => navigate(`/console/alerts/${message.id}`),
            onSettled: () => setConfirming(false),
          })
        }
        title={t('console.approval.confirmTitle')}
        intro={t('console.approval.confirmIntro', { headline })}
        note={t('console.approval.confirmNote')}
        confirmLabel={t('console.approval.confirmYes', { total: format.number(audience.total) })}
        audience={audience}
      />
    </div>
  );
}

function RejectDialog({ ids, own }: { ids: string[]; own: boolean }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const reject = useReject();
  return (
    <DialogTrigger>
      <Button variant="danger">{own ? t('console.approval.withdraw') : t('console.approval.reject')}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog className="dialog">
            {({ close }) => (
              <form
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  if (!reason.trim()) return setMissing(true);
                  reject.mutate({ ids, reason: reason.trim() }, { onSuccess: close });
                }}
              >
                <Heading slot="title">
                  {own ? t('console.approval.withdrawTitle') : t('console.approval.rejectTitle')}
                </Heading>
                <p>{t('console.approval.rejectIntro')}</p>
                <TextField
                  label={t('console.approval.reason')}
                  description={t('console.approval.reasonHelp')}
                  multiline
                  rows={3}
                  value={reason}
                  onChange={(value) => {
                    setReason(value);
                    setMissing(false);
                  }}
                  required
                  errors={missing ? [t('console.approval.reasonMissing')] : []}
                />
                {reject.error ? (
                  <p className="field-errors" role="alert">
                    {reject.error instanceof ApiProblem ? reject.error.message : t('errors.connection')}
                  </p>
                ) : null}
                <div className="dialog-actions">
                  <Button variant="quiet" onPress={close}>
                    {t('common.cancel')}
                  </Button>
                  <Button type="submit" variant="danger" isDisabled={reject.isPending}>
                    {own ? t('console.approval.withdrawYes') : t('console.approval.rejectYes')}
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

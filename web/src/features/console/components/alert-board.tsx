/**
 * The live board of a running alert: every channel of every language message with its state and a
 * clock from the alert's creation (the server's clock), the time each took to publish, and, for a
 * channel not published within 60 seconds, a red row that says why (approval, quota, token, the
 * platform's error …). From here the update and the all-clear are written (prefilled, threaded
 * under the alert) and the correction is sent with its text ready.
 */
import { useState } from 'react';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import type { DeliveryState } from '@shared/model/schemas';
import { PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/ui/status-badge';
import { useElapsed, useNow } from '@/lib/clock';
import { headlineOf } from '@/lib/emergency-watch';
import { deliveryTone } from '@/lib/message-status';
import type { DeliveryView, MessageView } from '@/lib/message-view';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useChannels, useMe } from '@/lib/session';
import { useAlertMessage, useCorrect, useSiblings } from '../api/messages';
import type { Mode } from '../draft';
import { useTemplates } from '../api/templates';
import { inLanguageOrder, languageName } from './alert-fields';
import { ModeBand, useScreenMode } from './mode';
import { waitText } from './wait-reasons';

/** A channel that has not published this long after the alert was created is shown as late. */
export const LATE_AFTER_MS = 60_000;
/** States that are final or deliberate: never "late". */
const NEVER_LATE: DeliveryState[] = ['PUBLISHED', 'SKIPPED', 'CANCELLED', 'REJECTED'];

export const modeOf = (message: Pick<MessageView, 'cap' | 'dryRun'>): Mode =>
  message.cap?.status === 'Exercise' || message.cap?.status === 'Test'
    ? message.cap.status
    : message.dryRun
      ? 'Exercise'
      : 'Actual';

export function AlertBoard({ messageId }: { messageId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const elapsed = useElapsed();
  const query = useAlertMessage(messageId);
  const message = query.data?.message;
  const siblings = useSiblings(message);
  const me = useMe();
  const languages = useTemplates().data?.languages ?? [];
  const mode = message ? modeOf(message) : undefined;
  useScreenMode(mode);
  const running = message?.deliveries.some((delivery) => !NEVER_LATE.includes(delivery.state)) ?? false;
  const now = useNow(running ? 1000 : null) + (query.data?.offsetMs ?? 0);
  if (query.error instanceof ApiProblem && query.error.status === 404)
    return (
      <>
        <h1>{t('board.notFound')}</h1>
        <Link href="/console">{t('console.back')}</Link>
      </>
    );
  if (!message) return <p role="status">{t('common.loading')}</p>;

  const messages = inLanguageOrder(
    [message, ...siblings.flatMap((sibling) => (sibling.data ? [sibling.data.message] : []))],
    languages,
  );
  const sinceCreated = now - Date.parse(message.createdAt);
  const emergencyRole = me.data?.roles.includes('emergency') ?? false;
  const answerable = message.cap !== undefined && message.status !== 'rejected' && emergencyRole;
  return (
    <div className="alert-board">
      <p className="breadcrumb">
        <Link href="/console">{t('console.back')}</Link>
      </p>
      <ModeBand mode={mode} />
      <h1>
        {t(`console.kind.${message.kind}`)}: {headlineOf(message)}
      </h1>
      <p className="meta">
        {t('console.board.sent', { time: format.dateTime(message.createdAt), by: message.createdBy })} ·{' '}
        <span className="board-clock" data-testid="board-clock">
          {running
            ? t('console.board.running', { time: elapsed(sinceCreated) })
            : t('console.board.settled', { time: elapsed(sinceCreated) })}
        </span>
      </p>
      <ApprovalLine message={message} now={now} />
      {answerable ? (
        <div className="board-actions">
          <Link className="button" href={`/console/new?from=${message.id}&kind=update`}>
            {t('console.board.writeUpdate')}
          </Link>
          <Link className="button" href={`/console/new?from=${message.id}&kind=all-clear`}>
            {t('console.board.writeAllClear')}
          </Link>
          {message.correctionTemplate ? <CorrectionDialog message={message} /> : null}
        </div>
      ) : null}
      {messages.map((shown) => (
        <section key={shown.id} className="board-language" aria-labelledby={`board-${shown.id}`}>
          <h2 id={`board-${shown.id}`}>
            {shown.language ? languageName(shown.language, i18n.language) : t('console.board.message')}
          </h2>
          <BoardTable message={shown} now={now} mode={mode ?? 'Actual'} />
        </section>
      ))}
    </div>
  );
}

function ApprovalLine({ message, now }: { message: MessageView; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const elapsed = useElapsed();
  const me = useMe();
  const approval = message.approval;
  if (!approval?.required) return null;
  if (approval.rejectedBy)
    return (
      <p className="approval-line approval-rejected" role="status">
        {t('console.board.rejected', { by: approval.rejectedBy, reason: approval.rejectionReason ?? '' })}
      </p>
    );
  if (approval.approvedBy)
    return (
      <p className="approval-line">
        {t('console.board.approved', { by: approval.approvedBy, time: format.dateTime(approval.approvedAt!) })}
      </p>
    );
  if (message.status !== 'awaiting-approval') return null;
  return (
    <p className="approval-line approval-waiting" role="status">
      {t('console.board.awaiting', { time: elapsed(now - Date.parse(message.createdAt)) })}{' '}
      <Link href={`/console/approvals/${message.id}`}>
        {message.createdBy === me.data?.sub ? t('console.board.approvalPage') : t('watch.review')}
      </Link>
    </p>
  );
}

function BoardTable({ message, now, mode }: { message: MessageView; now: number; mode: Mode }) {
  const { t } = useTranslation();
  return (
    <table className="deliveries live-board">
      <caption className="visually-hidden">{t('board.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('board.channel')}</th>
          <th scope="col">{t('board.state')}</th>
          <th scope="col">{t('console.board.time')}</th>
          <th scope="col">{t('board.details')}</th>
        </tr>
      </thead>
      <tbody>
        {message.deliveries.map((delivery) => (
          <BoardRow key={delivery.channelId} message={message} delivery={delivery} now={now} mode={mode} />
        ))}
      </tbody>
    </table>
  );
}

function BoardRow({
  message,
  delivery,
  now,
  mode,
}: {
  message: MessageView;
  delivery: DeliveryView;
  now: number;
  mode: Mode;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const elapsed = useElapsed();
  const channels = useChannels();
  const channel = channels.data?.find((candidate) => candidate.id === delivery.channelId);
  const platform = PLATFORMS[delivery.platform].displayName;
  const since = now - Date.parse(message.createdAt);
  const late = mode === 'Actual' && !NEVER_LATE.includes(delivery.state) && since > LATE_AFTER_MS;
  const wait = delivery.state === 'PUBLISHED' ? undefined : waitText(t, delivery);
  return (
    <tr
      data-channel={delivery.channelId}
      data-state={delivery.state}
      data-late={late || undefined}
      className={late ? 'late' : undefined}
    >
      <th scope="row">
        <span className="channel-name">{platform}</span>
        <span className="channel-handle">{channel?.handle}</span>
      </th>
      <td>
        <StatusBadge tone={late ? 'bad' : deliveryTone(delivery.state)}>{t(`states.${delivery.state}`)}</StatusBadge>
      </td>
      <td className="board-time">
        {delivery.publishedAfterMs !== undefined
          ? t('console.board.after', { seconds: format.number(Math.round(delivery.publishedAfterMs / 100) / 10) })
          : NEVER_LATE.includes(delivery.state)
            ? '–'
            : elapsed(since)}
      </td>
      <td className="details">
        {late ? <p className="late-note">{t('console.board.late', { seconds: LATE_AFTER_MS / 1000 })}</p> : null}
        {wait ? (
          <p>
            {wait.text}
            {wait.detail ? (
              <>
                {' '}
                <q lang="en">{wait.detail}</q>
              </>
            ) : null}
          </p>
        ) : null}
        {delivery.remoteUrl ? (
          <a href={delivery.remoteUrl} target="_blank" rel="noreferrer noopener">
            {t('board.viewPost', { platform })}
          </a>
        ) : null}
        {delivery.repliesTo ? <p className="threaded">{t('console.board.threaded')}</p> : null}
        {delivery.card?.state === 'ready' && delivery.card.url ? (
          <img
            className="board-card"
            src={delivery.card.url}
            alt={delivery.card.altText ?? ''}
            width={delivery.card.width}
            height={delivery.card.height}
          />
        ) : null}
      </td>
    </tr>
  );
}

function CorrectionDialog({ message }: { message: MessageView }) {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  const [text, setText] = useState(message.correctionTemplate ?? '');
  const correct = useCorrect();
  return (
    <DialogTrigger>
      <Button variant="danger">{t('console.board.correct')}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal modal-wide">
          <Dialog className="dialog">
            {({ close }) => (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  correct.mutate(
                    { id: message.id, text },
                    {
                      onSuccess: (created) => {
                        close();
                        navigate(`/console/alerts/${created.id}`);
                      },
                    },
                  );
                }}
              >
                <Heading slot="title">{t('console.correction.title')}</Heading>
                <p>{t('console.correction.intro')}</p>
                <label htmlFor="correction-text">{t('console.correction.text')}</label>
                <textarea
                  id="correction-text"
                  rows={6}
                  value={text}
                  onChange={(event) => setText(event.target.value)}
                  required
                />
                {correct.error ? (
                  <p className="field-errors" role="alert">
                    {correct.error instanceof ApiProblem ? correct.error.message : t('errors.connection')}
                  </p>
                ) : null}
                <div className="dialog-actions">
                  <Button variant="quiet" onPress={close}>
                    {t('common.cancel')}
                  </Button>
                  <Button
                    type="submit"
                    variant="danger"
                    className="button-danger-solid"
                    isDisabled={correct.isPending || !text.trim()}
                  >
                    {t('console.correction.send')}
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

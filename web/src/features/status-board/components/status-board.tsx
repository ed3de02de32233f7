/**
 * One message's deliveries, one row per channel, every state in plain words, updating on its own:
 * the link to each live post, a waiting delivery's reason and next attempt, a failure's platform
 * message with a retry of that one delivery, and hand-offs to post by hand and confirm.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { PLATFORMS } from '@shared/platforms/registry';
import { retryRefusal } from '@shared/deliveries/retry-rule';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/ui/status-badge';
import { useFormat } from '@/lib/format';
import { deliveryTone, overallState, TONES } from '@/lib/message-status';
import { ApiProblem } from '@/lib/problem';
import { useChannels, useMe, type ListedChannel } from '@/lib/session';
import type { DeliveryView, MessageView } from '@/lib/message-view';
import { useMessage, useRetry } from '../api/message';
import { explainReason } from '../reasons';
import { HandoffPanel } from './handoff-panel';

export function StatusBoard({ messageId }: { messageId: string }) {
  const { t } = useTranslation();
  const message = useMessage(messageId);
  const channels = useChannels();
  const format = useFormat();
  if (message.error instanceof ApiProblem && message.error.status === 404)
    return (
      <>
        <h1>{t('board.notFound')}</h1>
        <Link href="/messages">{t('notFound.back')}</Link>
      </>
    );
  if (!message.data) return <p role="status">{t('common.loading')}</p>;
  const data = message.data;
  const byId = new Map((channels.data ?? []).map((channel) => [channel.id, channel]));
  const name = (channelId: string) => {
    const channel = byId.get(channelId);
    return channel ? PLATFORMS[channel.platform].displayName : channelId;
  };
  const overall = overallState(data);
  return (
    <div className="board">
      <p className="breadcrumb">
        <Link href="/messages">{t('board.allMessages')}</Link>
      </p>
      <h1>{t('board.title')}</h1>
      <blockquote className="message-text">{data.text}</blockquote>
      <p className="meta">
        {t('board.created', { time: format.dateTime(data.createdAt), by: data.createdBy })}
        {data.scheduledAt ? ` · ${t('board.scheduledFor', { time: format.dateTime(data.scheduledAt) })}` : ''}
      </p>
      <div className="overall" role="status" aria-live="polite">
        <StatusBadge tone={TONES[overall.key]}>
          {t(`overall.${overall.key}`, {
            channels: format.list(overall.channels.map(name)),
            count: overall.channels.length,
            skipped: 'skipped' in overall ? overall.skipped : 0,
          })}
        </StatusBadge>
        {data.state === 'HELD' && data.stateReason ? (
          <span className="reason"> {explainReason(t, data.stateReason).text}</span>
        ) : null}
      </div>
      <table className="deliveries">
        <caption className="visually-hidden">{t('board.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('board.channel')}</th>
            <th scope="col">{t('board.state')}</th>
            <th scope="col">{t('board.details')}</th>
          </tr>
        </thead>
        <tbody>
          {data.deliveries.map((delivery) => (
            <DeliveryRow
              key={delivery.channelId}
              message={data}
              delivery={delivery}
              channel={byId.get(delivery.channelId)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeliveryRow({
  message,
  delivery,
  channel,
}: {
  message: MessageView;
  delivery: DeliveryView;
  channel?: ListedChannel;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const retry = useRetry(message.id);
  const me = useMe();
  const platform = PLATFORMS[delivery.platform].displayName;
  const reason = delivery.reason ? explainReason(t, delivery.reason) : undefined;
  const refusal = retryRefusal(delivery, channel);
  const mayRetry =
    (me.data?.roles.includes('editor') ?? false) &&
    (message.priority !== 'emergency' || (me.data?.roles.includes('emergency') ?? false));
  return (
    <tr data-channel={delivery.channelId} data-state={delivery.state}>
      <th scope="row">
        <span className="channel-name">{platform}</span>
        <span className="channel-handle">{channel?.handle}</span>
      </th>
      <td>
        <StatusBadge tone={deliveryTone(delivery.state)}>{t(`states.${delivery.state}`)}</StatusBadge>
      </td>
      <td className="details">
        {delivery.state === 'PUBLISHED' ? (
          <>
            {delivery.remoteUrl ? (
              <a href={delivery.remoteUrl} target="_blank" rel="noreferrer noopener">
                {t('board.viewPost', { platform })}
              </a>
            ) : (
              t('board.noLink')
            )}
            {delivery.publishedAt ? <span className="when"> · {format.dateTime(delivery.publishedAt)}</span> : null}
          </>
        ) : null}
        {delivery.state === 'RETRYING' ? (
          <p>
            {t(`board.waiting.${delivery.waitingFor ?? 'retry'}`)}
            {delivery.nextAttemptAt ? ` ${t('board.nextAttempt', { time: format.time(delivery.nextAttemptAt) })}` : ''}
          </p>
        ) : null}
        {delivery.state === 'VERIFY' ? (
          <p>
            {t('board.verify')}
            {delivery.nextAttemptAt ? ` ${t('board.nextAttempt', { time: format.time(delivery.nextAttemptAt) })}` : ''}
          </p>
        ) : null}
        {[
          'PENDING',
          'QUEUED',
          'PUBLISHING',
          'SCHEDULED',
          'HELD',
          'AWAITING_APPROVAL',
          'CANCELLED',
          'REJECTED',
        ].includes(delivery.state) ? (
          <p>{t(`board.explain.${delivery.state as 'PENDING'}`)}</p>
        ) : null}
        {reason && delivery.state !== 'HELD' && delivery.state !== 'AWAITING_APPROVAL' ? (
          <p lang={reason.translated ? undefined : 'en'}>{reason.text}</p>
        ) : null}
        {delivery.lastError &&
        (delivery.state === 'FAILED' || delivery.state === 'RETRYING' || delivery.state === 'VERIFY') ? (
          <p>
            {t('board.platformSaid')} <q lang="en">{delivery.lastError.detail}</q>
          </p>
        ) : null}
        {delivery.state === 'FAILED' && mayRetry ? (
          <div className="retry">
            <Button
              isDisabled={refusal !== undefined || retry.isPending}
              onPress={() => retry.mutate(delivery.channelId)}
            >
              {t('board.retry', { platform })}
            </Button>
            {refusal ? <p className="field-description">{t(`board.retryRefused.${refusal.code}`)}</p> : null}
            {retry.error ? (
              <p className="field-errors" role="alert">
                {retry.error instanceof ApiProblem ? retry.error.message : t('errors.connection')}
              </p>
            ) : null}
          </div>
        ) : null}
        {delivery.state === 'HANDOFF' && (me.data?.roles.includes('editor') ?? false) ? (
          <HandoffPanel messageId={message.id} delivery={delivery} channel={channel} />
        ) : null}
      </td>
    </tr>
  );
}

/**
 * The organisation's messages, newest first, filtered by what they wait for; each opens its status
 * board. A scheduled message can be changed or cancelled, a held one released or cancelled.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'wouter';
import { PLATFORMS, isPlatformId } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { StatusBadge } from '@/components/ui/status-badge';
import { useFormat } from '@/lib/format';
import { overallState, TONES } from '@/lib/message-status';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { FILTERS, useCancel, useMessages, useRelease, type Filter, type ListedMessage } from '../api/messages';
import { RescheduleDialog } from './reschedule-dialog';

export function MessagesList() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = (FILTERS as readonly string[]).includes(params.get('filter') ?? '')
    ? (params.get('filter') as Filter)
    : 'all';
  const messages = useMessages(filter);
  const items = messages.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="messages">
      <h1>{t('messages.title')}</h1>
      <div className="filters">
        <label htmlFor="filter">{t('messages.filter')}</label>
        <select
          id="filter"
          value={filter}
          onChange={(event) => setParams(event.target.value === 'all' ? {} : { filter: event.target.value })}
        >
          {FILTERS.map((value) => (
            <option key={value} value={value}>
              {t(`messages.filters.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {messages.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {messages.data && items.length === 0 ? <p>{t('messages.empty')}</p> : null}
      {items.length > 0 ? (
        <table className="message-table">
          <caption className="visually-hidden">{t(`messages.filters.${filter}`)}</caption>
          <thead>
            <tr>
              <th scope="col">{t('messages.when')}</th>
              <th scope="col">{t('messages.message')}</th>
              <th scope="col">{t('messages.state')}</th>
              <th scope="col">{t('messages.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((message) => (
              <MessageRow key={message.id} message={message} />
            ))}
          </tbody>
        </table>
      ) : null}
      {messages.hasNextPage ? (
        <Button onPress={() => void messages.fetchNextPage()} isDisabled={messages.isFetchingNextPage}>
          {t('messages.more')}
        </Button>
      ) : null}
    </div>
  );
}

function MessageRow({ message }: { message: ListedMessage }) {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const cancel = useCancel();
  const release = useRelease();
  const [problem, setProblem] = useState<string>();
  const overall = overallState(message);
  const platformName = (channelId: string) => {
    const platform = message.deliveries.find((delivery) => delivery.channelId === channelId)?.platform ?? '';
    return isPlatformId(platform) ? PLATFORMS[platform].displayName : channelId;
  };
  const editor =
    me.data?.roles.includes('editor') && (message.priority !== 'emergency' || me.data.roles.includes('emergency'));
  const excerpt = message.text.length > 120 ? `${message.text.slice(0, 119)}…` : message.text;
  const onError = (error: unknown) => setProblem(error instanceof ApiProblem ? error.message : t('errors.connection'));
  return (
    <tr data-message={message.id}>
      <td>{format.dateTime(message.scheduledAt ?? message.createdAt)}</td>
      <td>
        <Link href={`/messages/${message.id}`}>{excerpt}</Link>
      </td>
      <td>
        <StatusBadge tone={TONES[overall.key]}>
          {t(`overall.${overall.key}`, {
            channels: format.list(overall.channels.map(platformName)),
            count: overall.channels.length,
            skipped: 'skipped' in overall ? overall.skipped : 0,
          })}
        </StatusBadge>
      </td>
      <td className="actions">
        {editor && message.state === 'SCHEDULED' ? <RescheduleDialog message={message} /> : null}
        {editor && message.state === 'HELD' ? (
          <Button onPress={() => release.mutate(message.id, { onError })}>{t('messages.release')}</Button>
        ) : null}
        {editor && (message.state === 'SCHEDULED' || message.state === 'HELD') ? (
          <ConfirmDialog
            trigger={<Button variant="danger">{t('messages.cancel')}</Button>}
            title={t('messages.cancelTitle')}
            confirmLabel={t('messages.cancelYes')}
            cancelLabel={t('messages.cancelNo')}
            variant="danger"
            onConfirm={() => cancel.mutateAsync(message.id).then(() => undefined, onError)}
          >
            <p>{t('messages.cancelText', { text: excerpt })}</p>
          </ConfirmDialog>
        ) : null}
        {problem ? (
          <p className="field-errors" role="alert">
            {problem}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

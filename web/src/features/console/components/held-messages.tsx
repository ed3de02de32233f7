/**
 * What the crisis hold keeps back: every held routine message, released one by one or all at once
 * (one request, each release audited), after a question that says how many go out.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useHeldMessages, useMeWatched } from '@/lib/emergency-watch';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useReleaseAll, useReleaseOne } from '../api/messages';

export function HeldMessages() {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useMeWatched();
  const held = useHeldMessages(true);
  const releaseOne = useReleaseOne();
  const releaseAll = useReleaseAll();
  const editor = me.data?.roles.includes('editor') ?? false;
  const items = held.data ?? [];
  const problem = releaseOne.error ?? releaseAll.error;
  return (
    <div className="held-messages">
      <p className="breadcrumb">
        <Link href="/console">{t('console.back')}</Link>
      </p>
      <h1>{t('console.held.title')}</h1>
      <p>{me.data?.organisation.hold.active ? t('console.held.active') : t('console.held.inactive')}</p>
      {held.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {held.data && items.length === 0 ? <p>{t('console.held.none')}</p> : null}
      {items.length > 0 && editor ? (
        <ConfirmDialog
          trigger={<Button variant="primary">{t('console.held.releaseAll', { count: items.length })}</Button>}
          title={t('console.held.releaseAllTitle', { count: items.length })}
          confirmLabel={t('console.held.releaseAllYes', { count: items.length })}
          cancelLabel={t('common.cancel')}
          onConfirm={() =>
            releaseAll.mutateAsync(me.data!.org).then(
              () => undefined,
              () => undefined,
            )
          }
        >
          <p>{t('console.held.releaseAllText')}</p>
        </ConfirmDialog>
      ) : null}
      <p role="status" className="send-status">
        {releaseAll.data
          ? t('console.held.released', {
              count: releaseAll.data.released.length,
              skipped: releaseAll.data.skipped.length,
            })
          : null}
      </p>
      {problem ? (
        <p className="field-errors" role="alert">
          {problem instanceof ApiProblem ? problem.message : t('errors.connection')}
        </p>
      ) : null}
      {items.length > 0 ? (
        <table className="message-table">
          <caption className="visually-hidden">{t('console.held.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('messages.when')}</th>
              <th scope="col">{t('messages.message')}</th>
              <th scope="col">{t('messages.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((message) => (
              <tr key={message.id} data-message={message.id}>
                <td>{format.dateTime(message.createdAt)}</td>
                <td>
                  <Link href={`/messages/${message.id}`}>
                    {message.text.length > 140 ? `${message.text.slice(0, 139)}…` : message.text}
                  </Link>
                </td>
                <td className="actions">
                  {editor ? (
                    <Button onPress={() => releaseOne.mutate(message.id)} isDisabled={releaseOne.isPending}>
                      {t('messages.release')}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

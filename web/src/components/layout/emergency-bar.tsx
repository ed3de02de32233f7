/**
 * Under the header of every page: the crisis hold, alerts waiting for a second person (with how
 * long each has waited) and NINA warnings that vanished without an all-clear, each with the one
 * link that deals with it. Polled here so the second person sees a waiting alert within 5 seconds
 * on whatever page they are; the console itself comes only when a link is followed.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useElapsed, useNow } from '@/lib/clock';
import {
  groupByAlert,
  headlineOf,
  useApprovalQueue,
  useHeldMessages,
  useMeWatched,
  useVanishedWarnings,
} from '@/lib/emergency-watch';
import { useFormat } from '@/lib/format';

const SHOWN = 3;

export function EmergencyBar() {
  const { t } = useTranslation();
  const format = useFormat();
  const elapsed = useElapsed();
  const me = useMeWatched();
  const roles = me.data?.roles ?? [];
  const emergency = roles.includes('emergency');
  const held = me.data?.organisation.hold.active ?? false;
  const approvals = useApprovalQueue(emergency);
  const vanished = useVanishedWarnings(emergency);
  const heldMessages = useHeldMessages(held && roles.includes('editor'));
  const waiting = groupByAlert(approvals.data?.items ?? []);
  const open = (vanished.data ?? []).filter((warning) => warning.open);
  const now = useNow(waiting.length > 0 ? 1000 : null) + (approvals.data?.offsetMs ?? 0);
  if (!held && waiting.length === 0 && open.length === 0) return null;
  return (
    <div className="emergency-bar">
      {waiting.length > 0 ? (
        <section className="watch watch-approval" aria-labelledby="watch-approval-title">
          <h2 id="watch-approval-title">{t('watch.approvalTitle', { count: waiting.length })}</h2>
          <ul>
            {waiting.slice(0, SHOWN).map(({ key, first, messages }) => (
              <li key={key} data-waiting={first.id}>
                <span className="watch-headline">{headlineOf(first)}</span>{' '}
                <span className="watch-meta">
                  {first.createdBy === me.data?.sub
                    ? t('watch.yours')
                    : t('watch.from', { sender: first.createdBy, count: messages.length })}{' '}
                  <span className="watch-waited" aria-live="off">
                    {t('watch.waited', { time: elapsed(now - Date.parse(first.createdAt)) })}
                  </span>
                </span>{' '}
                <Link href={`/console/approvals/${first.id}`} className="button button-primary">
                  {first.createdBy === me.data?.sub ? t('watch.view') : t('watch.review')}
                </Link>
              </li>
            ))}
          </ul>
          {waiting.length > SHOWN ? (
            <Link href="/console">{t('watch.more', { count: waiting.length - SHOWN })}</Link>
          ) : null}
        </section>
      ) : null}
      {open.length > 0 ? (
        <section className="watch watch-vanished" aria-labelledby="watch-vanished-title">
          <h2 id="watch-vanished-title">{t('watch.vanishedTitle', { count: open.length })}</h2>
          <ul>
            {open.slice(0, SHOWN).map((warning) => (
              <li key={warning.warningId}>
                {t('watch.vanished', { headline: warning.headline, time: format.dateTime(warning.vanishedAt) })}{' '}
                <Link href={`/console/new?from=${warning.messageId}&kind=all-clear`} className="button">
                  {t('watch.prepareAllClear')}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {held ? (
        <div className="hold-banner" role="status">
          <strong>{t('layout.holdTitle')}</strong> {t('layout.holdText')}{' '}
          {heldMessages.data?.length ? (
            <Link href="/console/held">{t('watch.heldLink', { count: heldMessages.data.length })}</Link>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

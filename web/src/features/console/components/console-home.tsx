/**
 * The console's first page: a new alert from a template, what waits for a second person, NINA
 * warnings that vanished without an all-clear, the crisis hold, and the latest alerts.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { StatusBadge } from '@/components/ui/status-badge';
import { useElapsed, useNow } from '@/lib/clock';
import { groupByAlert, headlineOf, useApprovalQueue, useMeWatched, useVanishedWarnings } from '@/lib/emergency-watch';
import { useFormat } from '@/lib/format';
import { useRecentAlerts } from '../api/messages';
import { useTemplates } from '../api/templates';
import { languageName } from './alert-fields';

export function ConsoleHome() {
  const { t } = useTranslation();
  const me = useMeWatched();
  const roles = me.data?.roles ?? [];
  const emergency = roles.includes('emergency');
  return (
    <div className="console-home">
      <h1>{t('console.title')}</h1>
      {!emergency && me.data ? <p>{t('console.noRole')}</p> : null}
      {emergency ? <NewAlert admin={roles.includes('admin')} /> : null}
      {emergency ? <Approvals /> : null}
      {emergency ? <Vanished /> : null}
      {me.data?.organisation.hold.active ? (
        <section className="console-section" aria-labelledby="hold-title">
          <h2 id="hold-title">{t('layout.holdTitle')}</h2>
          <p>
            {t('layout.holdText')} <Link href="/console/held">{t('console.held.link')}</Link>
          </p>
        </section>
      ) : null}
      <Recent />
    </div>
  );
}

function NewAlert({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const templates = useTemplates();
  return (
    <section className="console-section" aria-labelledby="new-alert-title">
      <h2 id="new-alert-title">{t('console.home.newAlert')}</h2>
      <p className="field-description">{t('console.home.newAlertHelp')}</p>
      <ul className="template-list">
        {(templates.data?.items ?? []).map((template) => (
          <li key={template.id}>
            <Link href={`/console/new?template=${encodeURIComponent(template.id)}`} className="template-link">
              <span className="template-name">{template.name}</span>
              {template.severity ? (
                <span className="template-meta">
                  {t('console.fields.severity')}: {t(`console.severity.${template.severity}`)}
                </span>
              ) : null}
              {template.missing.length ? (
                <span className="template-meta template-incomplete">{t('console.templates.incomplete')}</span>
              ) : null}
            </Link>
          </li>
        ))}
        <li>
          <Link href="/console/new" className="template-link">
            <span className="template-name">{t('console.home.blank')}</span>
            <span className="template-meta">{t('console.home.blankHelp')}</span>
          </Link>
        </li>
      </ul>
      {templates.isPending ? <p role="status">{t('common.loading')}</p> : null}
      <p>
        <Link href="/console/templates">
          {admin ? t('console.home.editTemplates') : t('console.home.viewTemplates')}
        </Link>
      </p>
    </section>
  );
}

function Approvals() {
  const { t } = useTranslation();
  const me = useMeWatched();
  const elapsed = useElapsed();
  const queue = useApprovalQueue(true);
  const waiting = groupByAlert(queue.data?.items ?? []);
  const now = useNow(waiting.length ? 1000 : null) + (queue.data?.offsetMs ?? 0);
  return (
    <section className="console-section" aria-labelledby="approvals-title">
      <h2 id="approvals-title">{t('console.home.approvals')}</h2>
      {queue.data && waiting.length === 0 ? <p>{t('console.home.noApprovals')}</p> : null}
      {waiting.length ? (
        <ul className="approval-queue">
          {waiting.map(({ key, first, messages }) => (
            <li key={key}>
              <Link href={`/console/approvals/${first.id}`}>{headlineOf(first)}</Link>{' '}
              <span className="watch-meta">
                {first.createdBy === me.data?.sub
                  ? t('watch.yours')
                  : t('watch.from', { sender: first.createdBy, count: messages.length })}{' '}
                {t('watch.waited', { time: elapsed(now - Date.parse(first.createdAt)) })}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Vanished() {
  const { t } = useTranslation();
  const format = useFormat();
  const vanished = useVanishedWarnings(true);
  const items = vanished.data ?? [];
  return (
    <section className="console-section" aria-labelledby="vanished-title">
      <h2 id="vanished-title">{t('console.home.vanished')}</h2>
      <p className="field-description">{t('console.home.vanishedHelp')}</p>
      {vanished.data && items.length === 0 ? <p>{t('console.home.noVanished')}</p> : null}
      {items.length ? (
        <ul className="vanished-list">
          {items.map((warning) => (
            <li key={warning.warningId} data-warning={warning.warningId}>
              <strong>{warning.headline}</strong>{' '}
              <span className="watch-meta">
                {t('console.home.vanishedAt', { time: format.dateTime(warning.vanishedAt) })}
              </span>{' '}
              {warning.open ? (
                <Link href={`/console/new?from=${warning.messageId}&kind=all-clear`} className="button">
                  {t('watch.prepareAllClear')}
                </Link>
              ) : (
                <span>
                  {t('console.home.allClearSent', { time: format.dateTime(warning.allClear!.at) })}{' '}
                  <Link href={`/console/alerts/${warning.allClear!.messageId}`}>{t('console.home.toBoard')}</Link>
                </span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Recent() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const recent = useRecentAlerts();
  const items = recent.data ?? [];
  return (
    <section className="console-section" aria-labelledby="recent-title">
      <h2 id="recent-title">{t('console.home.recent')}</h2>
      {recent.data && items.length === 0 ? <p>{t('console.home.noRecent')}</p> : null}
      {items.length ? (
        <table className="message-table">
          <caption className="visually-hidden">{t('console.home.recent')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('messages.when')}</th>
              <th scope="col">{t('messages.message')}</th>
              <th scope="col">{t('messages.state')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((message) => (
              <tr key={message.id}>
                <td>{format.dateTime(message.createdAt)}</td>
                <td>
                  <Link href={`/console/alerts/${message.id}`}>
                    {t(`console.kind.${message.kind}`)}: {headlineOf(message)}
                  </Link>
                  {message.language ? (
                    <span className="watch-meta"> ({languageName(message.language, i18n.language)})</span>
                  ) : null}
                </td>
                <td>
                  {message.dryRun ? (
                    <StatusBadge tone="warn">{t('console.home.exercise')}</StatusBadge>
                  ) : (
                    <StatusBadge
                      tone={
                        message.status === 'complete' ? 'ok' : message.status === 'needs-attention' ? 'bad' : 'info'
                      }
                    >
                      {t(`console.status.${message.status}`)}
                    </StatusBadge>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

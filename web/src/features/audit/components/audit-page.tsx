/**
 * The audit trail (administrators): who created, approved, confirmed, changed, released, connected or
 * froze what, and when — by the person's name or e-mail, each action in words, filtered by date range
 * and person.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import type { AuditEntry } from '@shared/audit/audit';
import { isPlatformId, PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { useAudit, type AuditFilter } from '../api/audit';

const DAY_MS = 86_400_000;
const today = (timeZone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone }).format(new Date());
const daysBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

export function AuditPage() {
  const { t } = useTranslation();
  const me = useMe();
  const admin = me.data?.roles.includes('admin') ?? false;
  const timeZone = me.data?.organisation.timeZone ?? 'Europe/Berlin';
  const [draft, setDraft] = useState<AuditFilter>(() => ({
    from: daysBefore(today(timeZone), 6),
    to: today(timeZone),
    person: '',
  }));
  const [filter, setFilter] = useState(draft);
  const audit = useAudit(filter, admin);
  const orderProblem = draft.from && draft.to && draft.from > draft.to ? [t('audit.order')] : [];
  const serverErrors = (field: string) =>
    audit.error instanceof ApiProblem ? audit.error.forField(field).map((error) => error.message) : [];

  if (me.data && !admin)
    return (
      <div className="audit">
        <h1>{t('audit.title')}</h1>
        <p className="note">{t('audit.adminOnly')}</p>
      </div>
    );
  const items = audit.data ?? [];
  return (
    <div className="audit">
      <h1>{t('audit.title')}</h1>
      <form
        className="range"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (orderProblem.length === 0 && draft.from && draft.to) setFilter(draft);
        }}
      >
        <TextField
          type="date"
          label={t('audit.from')}
          value={draft.from}
          onChange={(from) => setDraft((current) => ({ ...current, from }))}
          errors={[...(draft.from ? [] : [t('errors.required')]), ...orderProblem, ...serverErrors('from')]}
        />
        <TextField
          type="date"
          label={t('audit.to')}
          value={draft.to}
          onChange={(to) => setDraft((current) => ({ ...current, to }))}
          errors={[...(draft.to ? [] : [t('errors.required')]), ...serverErrors('to')]}
        />
        <TextField
          label={t('audit.person')}
          description={t('audit.personHint')}
          value={draft.person}
          onChange={(person) => setDraft((current) => ({ ...current, person }))}
          errors={serverErrors('person')}
        />
        <Button type="submit" variant="primary">
          {t('audit.show')}
        </Button>
      </form>
      {audit.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {audit.error && !(audit.error instanceof ApiProblem && audit.error.errors.length > 0) ? (
        <p role="alert">{audit.error instanceof ApiProblem ? audit.error.message : t('errors.connection')}</p>
      ) : null}
      <p role="status" className="note">
        {audit.data ? t('audit.count', { count: items.length }) : ''}
      </p>
      {items.length > 0 ? (
        <table className="audit-table">
          <caption className="visually-hidden">{t('audit.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.columns.when')}</th>
              <th scope="col">{t('audit.columns.who')}</th>
              <th scope="col">{t('audit.columns.what')}</th>
              <th scope="col">{t('audit.columns.target')}</th>
              <th scope="col">{t('audit.columns.details')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <AuditRow key={entry.id} entry={entry} />
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

const field = (value: unknown, name: string): string | undefined => {
  const found = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof found === 'string' ? found : undefined;
};

function AuditRow({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [kind, id = ''] = entry.target.split('/', 2) as [string, string?];
  const target =
    kind === 'message' ? (
      <Link href={`/messages/${id}`}>{t('audit.targets.message', { id })}</Link>
    ) : kind === 'channel' ? (
      t('audit.targets.channel', { id })
    ) : kind === 'organisation' ? (
      t('audit.targets.organisation', { id })
    ) : (
      entry.target
    );
  return (
    <tr data-action={entry.action}>
      <td>{format.dateTime(entry.at)}</td>
      <td>
        {entry.actorName ?? entry.actor}
        {entry.actorName ? null : <span className="channel-detail">{t('audit.noName')}</span>}
      </td>
      <td>{t(`audit.actions.${entry.action}`)}</td>
      <td>{target}</td>
      <td>{details(entry, t as unknown as Translate)}</td>
    </tr>
  );
}

/** The few facts that say what changed, in words; the full before/after stays in the API's answer. */
/** `t` with plain string keys: the catalog's key union is too deep for TypeScript to check these calls (the audit page's browser test shows their texts). */
type Translate = (key: string, options?: Record<string, unknown>) => string;

function details(entry: AuditEntry, t: Translate): string {
  const before = field(entry.before, 'state');
  const after = field(entry.after, 'state');
  const reason = field(entry.after, 'reason') ?? field(entry.after, 'stateReason');
  if (entry.action === 'channel.connect') {
    return field(entry.after, 'outcome') === 'failed'
      ? t('audit.details.connectFailed', { reason: reason ?? '' })
      : t('audit.details.connected', {
          account: field(entry.after, 'accountName') ?? field(entry.after, 'handle') ?? '',
        });
  }
  // a new channel's stateReason is the server's English note that it waits for its connection
  if (entry.action === 'channel.create') {
    const platform = field(entry.after, 'platform');
    return t('audit.details.created', {
      platform: platform && isPlatformId(platform) ? PLATFORMS[platform].displayName : (platform ?? ''),
      handle: field(entry.after, 'handle') ?? '',
    });
  }
  if (entry.action === 'channel.update' && before && after)
    return [
      t('audit.details.stateChange', {
        before: t(`channelStates.${before as 'active'}`, { defaultValue: before }),
        after: t(`channelStates.${after as 'active'}`, { defaultValue: after }),
      }),
      reason ? t('audit.details.reason', { reason }) : '',
    ]
      .filter(Boolean)
      .join(' ');
  if (entry.action === 'organisation.settings') {
    const name = field(entry.after, 'displayName');
    return name ? t('audit.details.displayName', { name }) : '';
  }
  return reason ? t('audit.details.reason', { reason }) : '';
}

/**
 * The follower report as a page: the table the press release printed (the accessible source of every
 * figure), the chart over the chosen range (the API's own SVG chart, drawn from the same report), the
 * CSV and Markdown downloads, and the form to enter a figure by hand for platforms without a follower
 * API (WhatsApp).
 */
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reportToSvg } from '@shared/followers/formats/svg';
import type { FollowerReport } from '@shared/followers/report';
import { PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { FieldErrors } from '@/components/ui/field-error';
import { TextField } from '@/components/ui/text-field';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useChannels, useMe } from '@/lib/session';
import { downloadReport, useFollowerReport, useRecordFigure, type Range } from '../api/followers';
import { parseCount } from '../numbers';

const DAY_MS = 86_400_000;
/** today in the organisation's time zone, as yyyy-mm-dd */
const today = (timeZone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone }).format(new Date());
const daysBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

export function FollowersPage() {
  const { t } = useTranslation();
  const me = useMe();
  const timeZone = me.data?.organisation.timeZone ?? 'Europe/Berlin';
  const end = today(timeZone);
  const [draft, setDraft] = useState<Range>({ from: daysBefore(end, 30), to: end });
  const [range, setRange] = useState<Range>(draft);
  const rangeProblem =
    !draft.from || !draft.to ? t('errors.required') : draft.from > draft.to ? t('followers.range.order') : undefined;
  const report = useFollowerReport(range, Boolean(me.data));
  const [download, setDownload] = useState<string>();
  const admin = me.data?.roles.includes('admin') ?? false;

  const save = (format: 'csv' | 'md') => {
    setDownload(undefined);
    downloadReport(range, format).then(
      () => setDownload(t('followers.download.done', { format: format === 'csv' ? 'CSV' : 'Markdown' })),
      () => setDownload(t('errors.connection')),
    );
  };

  return (
    <div className="followers">
      <h1>{t('followers.title')}</h1>
      <form
        className="range"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!rangeProblem) setRange(draft);
        }}
      >
        <TextField
          type="date"
          label={t('followers.range.from')}
          value={draft.from}
          onChange={(from) => setDraft((current) => ({ ...current, from }))}
          errors={rangeProblem && draft.from > draft.to ? [rangeProblem] : !draft.from ? [t('errors.required')] : []}
        />
        <TextField
          type="date"
          label={t('followers.range.to')}
          value={draft.to}
          onChange={(to) => setDraft((current) => ({ ...current, to }))}
          errors={!draft.to ? [t('errors.required')] : []}
        />
        <Button type="submit" variant="primary" isDisabled={Boolean(rangeProblem)}>
          {t('followers.range.show')}
        </Button>
      </form>
      {report.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {report.error ? (
        <p role="alert">{report.error instanceof ApiProblem ? report.error.message : t('errors.connection')}</p>
      ) : null}
      {report.data ? (
        <>
          <FollowerTable report={report.data} />
          <div className="handoff-actions downloads">
            <Button onPress={() => save('csv')}>{t('followers.download.csv')}</Button>
            <Button onPress={() => save('md')}>{t('followers.download.md')}</Button>
            <span role="status" className="copy-status">
              {download ?? ''}
            </span>
          </div>
          <FollowerChart report={report.data} />
        </>
      ) : null}
      {admin ? <ManualFigureForm timeZone={timeZone} /> : null}
    </div>
  );
}

function FollowerTable({ report }: { report: FollowerReport }) {
  const { t } = useTranslation();
  const format = useFormat();
  const figure = (value: { date: string; count: number } | null, day: string, manual: boolean) =>
    value === null
      ? '–'
      : `${format.number(value.count)}${manual ? ' *' : ''}${value.date === day ? '' : ` (${format.date(value.date)})`}`;
  const anyManual = report.channels.some(
    (channel) =>
      (channel.start && channel.manualDates.includes(channel.start.date)) ||
      (channel.end && channel.manualDates.includes(channel.end.date)),
  );
  return (
    <>
      <table className="follower-table">
        <caption>{t('followers.caption', { from: format.date(report.from), to: format.date(report.to) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('followers.columns.platform')}</th>
            <th scope="col">{t('followers.columns.channel')}</th>
            <th scope="col" className="number">
              {t('followers.columns.at', { date: format.date(report.from) })}
            </th>
            <th scope="col" className="number">
              {t('followers.columns.at', { date: format.date(report.to) })}
            </th>
            <th scope="col" className="number">
              {t('followers.columns.change')}
            </th>
            <th scope="col" className="number">
              {t('followers.columns.percent')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.channels.map((channel) => (
            <tr key={channel.channelId} data-channel={channel.channelId}>
              <td>{channel.platformName}</td>
              <th scope="row">
                {channel.profileUrl ? <a href={channel.profileUrl}>{channel.handle}</a> : channel.handle}
              </th>
              <td className="number">
                {figure(
                  channel.start,
                  report.from,
                  Boolean(channel.start && channel.manualDates.includes(channel.start.date)),
                )}
              </td>
              <td className="number">
                {figure(channel.end, report.to, Boolean(channel.end && channel.manualDates.includes(channel.end.date)))}
              </td>
              <td className="number">
                {channel.change === null ? '–' : `${channel.change > 0 ? '+' : ''}${format.number(channel.change)}`}
              </td>
              <td className="number">
                {channel.changePercent === null
                  ? '–'
                  : `${channel.changePercent > 0 ? '+' : ''}${format.number(channel.changePercent)} %`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">
        {anyManual ? `${t('followers.manualNote')} ` : ''}
        {t('followers.otherDayNote')}
      </p>
    </>
  );
}

/** The API's chart, rendered from the same report; the table above carries every figure for assistive technology. */
function FollowerChart({ report }: { report: FollowerReport }) {
  const { t } = useTranslation();
  const source = useMemo(() => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(reportToSvg(report))}`, [report]);
  return (
    <figure className="follower-chart">
      <img src={source} width={800} height={400} alt={t('followers.chartAlt')} />
      <figcaption>{t('followers.chartCaption')}</figcaption>
    </figure>
  );
}

function ManualFigureForm({ timeZone }: { timeZone: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const channels = useChannels();
  const record = useRecordFigure();
  const manual = (channels.data ?? []).filter(
    (channel) => PLATFORMS[channel.platform].followers === 'manual' && channel.state !== 'retired',
  );
  const [channelId, setChannelId] = useState('');
  const [date, setDate] = useState(() => today(timeZone));
  const [count, setCount] = useState('');
  const [touched, setTouched] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | string>();
  const [done, setDone] = useState<string>();
  const selectId = useId();
  const chosen = channelId || manual[0]?.id || '';
  const parsed = parseCount(count, i18n.language);
  const countErrors = [
    ...(touched && !parsed.ok ? [t(`followers.manual.count.${parsed.problem}`)] : []),
    ...(problem instanceof ApiProblem ? problem.forField('count').map((error) => error.message) : []),
  ];
  const dateErrors = [
    ...(touched && !date ? [t('errors.required')] : []),
    ...(touched && date > today(timeZone) ? [t('followers.manual.future')] : []),
    ...(problem instanceof ApiProblem ? problem.forField('date').map((error) => error.message) : []),
  ];
  if (manual.length === 0) return null;
  const submit = async () => {
    setTouched(true);
    setProblem(undefined);
    setDone(undefined);
    if (!parsed.ok || !date || date > today(timeZone) || !chosen) return;
    try {
      await record.mutateAsync({ channelId: chosen, date, count: parsed.value });
      const channel = manual.find((item) => item.id === chosen);
      setDone(
        t('followers.manual.done', {
          count: format.number(parsed.value),
          channel: channel?.displayName ?? channel?.handle ?? chosen,
          date: format.date(date),
        }),
      );
      setCount('');
      setTouched(false);
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error : t('errors.connection'));
    }
  };
  return (
    <section aria-labelledby="manual-figure" className="manual-figure">
      <h2 id="manual-figure">{t('followers.manual.title')}</h2>
      <p>{t('followers.manual.intro')}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor={selectId}>{t('followers.manual.channel')}</label>
          <select id={selectId} value={chosen} onChange={(event) => setChannelId(event.target.value)}>
            {manual.map((channel) => (
              <option key={channel.id} value={channel.id}>
                {`${channel.displayName ?? channel.handle} (${PLATFORMS[channel.platform].displayName})`}
              </option>
            ))}
          </select>
        </div>
        <TextField
          type="date"
          label={t('followers.manual.date')}
          value={date}
          onChange={setDate}
          errors={dateErrors}
          required
        />
        <TextField
          label={t('followers.manual.countLabel')}
          description={t('followers.manual.countHint')}
          value={count}
          onChange={setCount}
          errors={countErrors}
          inputMode="numeric"
          required
        />
        {typeof problem === 'string' || (problem && problem.errors.length === 0) ? (
          <FieldErrors
            id="manual-figure-problem"
            messages={[typeof problem === 'string' ? problem : problem.message]}
          />
        ) : null}
        <div className="handoff-actions">
          <Button type="submit" variant="primary" isDisabled={record.isPending}>
            {t('followers.manual.save')}
          </Button>
          <span role="status" className="copy-status">
            {done ?? ''}
          </span>
        </div>
      </form>
    </section>
  );
}

/**
 * Compose once: text, link, media, channels, per-platform texts and a time, with every channel's
 * post previewed as it is typed. Sending checks the previews with the API (`POST /previews`, the
 * authority), then sends with an Idempotency-Key that a retry after a lost connection reuses.
 */
import { memo, useCallback, useMemo, useState } from 'react';
import { Radio, RadioGroup, Label } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import type { CreateMessageInput } from '@shared/model/schemas';
import { PLATFORMS, type PlatformId } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useAuth } from '@/lib/auth';
import { ApiProblem, ConnectionLost } from '@/lib/problem';
import { useChannels, useMe } from '@/lib/session';
import { useFormat } from '@/lib/format';
import { createMessage, fetchServerPreview } from '../api/send-message';
import { useDraft, type Draft } from '../draft';
import { overridesOf, previewChannel, type ChannelPreview } from '../previews';
import { checkSchedule, type ScheduleCheck } from '../schedule';
import type { FieldMessages } from '../validation';
import { ChannelPicker } from './channel-picker';
import { MediaFields } from './media-fields';
import { PreviewCard, type ServerCheck } from './preview-card';

type SendState =
  | { kind: 'idle' }
  | { kind: 'checking' | 'sending' }
  | { kind: 'differs' }
  | { kind: 'lost' }
  | { kind: 'refused'; detail: string };

export function Composer() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const me = useMe();
  const channels = useChannels();
  const [draft, setDraft, resetDraft] = useDraft(user!.sub);
  const [fieldErrors, setFieldErrors] = useState<FieldMessages>({});
  const [send, setSend] = useState<SendState>({ kind: 'idle' });
  const [checks, setChecks] = useState<Record<string, ServerCheck>>({});
  const [, navigate] = useLocation();
  const timeZone = me.data?.organisation.timeZone ?? 'Europe/Berlin';

  const all = useMemo(() => channels.data ?? [], [channels.data]);
  // derived once per change of the channels or the choice, so a keystroke leaves the picker alone
  const selectedIds = useMemo(
    () => draft.channels ?? all.filter((channel) => channel.state === 'active').map((channel) => channel.id),
    [draft.channels, all],
  );
  const chosen = useMemo(() => all.filter((channel) => selectedIds.includes(channel.id)), [all, selectedIds]);
  const platforms = useMemo(() => [...new Set(chosen.map((channel) => channel.platform))], [chosen]);

  const composed = useMemo(
    () => ({
      text: draft.text,
      link: draft.link.trim() || undefined,
      media: draft.media,
      overrides: Object.fromEntries(
        Object.entries(draft.overrides).filter(([platform]) => platforms.includes(platform as PlatformId)),
      ),
      ...(draft.card ? { card: true } : {}),
    }),
    [draft.text, draft.link, draft.media, draft.overrides, draft.card, platforms],
  );
  const previews: ChannelPreview[] = useMemo(
    () => chosen.map((channel) => previewChannel(composed, channel)),
    [composed, chosen],
  );
  const schedule: ScheduleCheck | undefined =
    draft.when === 'later' ? checkSchedule(draft.scheduledLocal, timeZone, draft.repeatedTime) : undefined;

  // stable, so the parts of the form a keystroke does not touch are not rendered again
  const update = useCallback(
    (patch: Partial<Draft>) => {
      setDraft((current) => ({ ...current, ...patch, idempotencyKey: undefined }));
      setChecks((current) => (Object.keys(current).length ? {} : current));
      setSend((current) =>
        current.kind === 'sending' || current.kind === 'checking' || current.kind === 'idle'
          ? current
          : { kind: 'idle' },
      );
    },
    [setDraft],
  );
  const changeMedia = useCallback((media: Draft['media']) => update({ media }), [update]);
  const changeChannels = useCallback((channels: string[]) => update({ channels }), [update]);

  const body = (): CreateMessageInput => ({
    text: composed.text,
    ...(composed.link ? { link: composed.link } : {}),
    media: composed.media,
    ...(draft.channels ? { channels: selectedIds } : {}),
    ...(overridesOf(composed) ? { overrides: overridesOf(composed) } : {}),
    ...(schedule?.ok ? { scheduledAt: schedule.scheduledAt } : {}),
    ...(draft.card ? { card: true } : {}),
  });

  const errorsFor = (field: string) => fieldErrors[field] ?? [];

  async function submit(force = false) {
    const request = body();
    // the API's own schema, loaded with its validator on the first send rather than with the page
    const { validateMessage } = await import('../validation');
    const errors = validateMessage(t, request);
    if (schedule && !schedule.ok) errors.scheduledAt = [scheduleText(schedule)];
    if (selectedIds.length === 0) errors.channels = [t('errors.noChannel')];
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      setSend({ kind: 'idle' });
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      if (!force) {
        setSend({ kind: 'checking' });
        const server = await fetchServerPreview(request);
        const results: Record<string, ServerCheck> = {};
        for (const preview of previews) {
          const answer = server.deliveries.find((delivery) => delivery.channelId === preview.channelId);
          const agrees =
            answer !== undefined &&
            answer.text === preview.text &&
            answer.length === preview.length &&
            answer.state === preview.state;
          results[preview.channelId] = { agrees, ...(answer ? { text: answer.text, length: answer.length } : {}) };
        }
        setChecks(results);
        if (Object.values(results).some((result) => !result.agrees)) return setSend({ kind: 'differs' });
      }
      setSend({ kind: 'sending' });
      const key = draft.idempotencyKey ?? crypto.randomUUID();
      setDraft((current) => ({ ...current, idempotencyKey: key }));
      const created = await createMessage(request, key);
      resetDraft();
      navigate(`/messages/${created.id}`);
    } catch (error) {
      if (error instanceof ConnectionLost) return setSend({ kind: 'lost' });
      if (error instanceof ApiProblem) {
        const { apiFieldText } = await import('../validation');
        const fromApi: FieldMessages = {};
        for (const problem of error.errors)
          (fromApi[problem.field] ??= []).push(apiFieldText(t, problem.field, problem.message));
        setFieldErrors(fromApi);
        return setSend({ kind: 'refused', detail: error.message });
      }
      throw error;
    }
  }

  function scheduleText(check: Exclude<ScheduleCheck, { ok: true }>): string {
    switch (check.code) {
      case 'gap':
        return t('compose.schedule.gap', { suggestion: check.suggestion.slice(11, 16) });
      case 'repeated':
        return t('compose.schedule.repeated');
      default:
        return t(`compose.schedule.${check.code === 'too-far' ? 'tooFar' : check.code}`);
    }
  }

  const busy = send.kind === 'checking' || send.kind === 'sending';
  return (
    <div className="composer">
      <h1>{t('compose.title')}</h1>
      <form
        className="compose-form"
        aria-describedby="compose-status"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <TextField
          label={t('compose.text')}
          name="text"
          multiline
          rows={8}
          value={draft.text}
          onChange={(text) => update({ text })}
          errors={errorsFor('text')}
          required
        />
        <TextField
          label={t('compose.link')}
          description={t('compose.linkHelp')}
          type="url"
          inputMode="url"
          value={draft.link}
          onChange={(link) => update({ link })}
          errors={errorsFor('link')}
        />
        <MediaFields media={draft.media} onChange={changeMedia} errors={fieldErrors} />
        <div className="field">
          <label className="inline-check">
            <input
              type="checkbox"
              checked={draft.card ?? false}
              aria-describedby="compose-card-help"
              onChange={(event) => update({ card: event.target.checked })}
            />
            {t('compose.card')}
          </label>
          <p className="field-description" id="compose-card-help">
            {t('compose.cardHelp')}
          </p>
        </div>
        {channels.data ? (
          <ChannelPicker
            channels={all}
            selected={selectedIds}
            onChange={changeChannels}
            errors={fieldErrors.channels}
          />
        ) : (
          <p role="status">{t('common.loading')}</p>
        )}
        <Overrides platforms={platforms} overrides={draft.overrides} update={update} errors={fieldErrors} />
        <ScheduleField
          draft={draft}
          timeZone={timeZone}
          update={update}
          errors={errorsFor('scheduledAt')}
          schedule={schedule}
          scheduleText={scheduleText}
        />
        <div className="send-row">
          <Button type="submit" variant="primary" isDisabled={busy}>
            {draft.when === 'later' ? t('compose.schedule.submit') : t('compose.send')}
          </Button>
          {send.kind === 'differs' ? (
            <Button variant="danger" onPress={() => void submit(true)}>
              {t('compose.sendAnyway')}
            </Button>
          ) : null}
          {send.kind === 'lost' ? (
            <Button variant="danger" onPress={() => void submit(true)}>
              {t('compose.sendAgain')}
            </Button>
          ) : null}
        </div>
        <p id="compose-status" role="status" className="send-status">
          {send.kind === 'checking' ? t('compose.checking') : null}
          {send.kind === 'sending' ? t('compose.sending') : null}
          {send.kind === 'differs' ? t('compose.differs') : null}
          {send.kind === 'lost' ? t('compose.lost') : null}
          {send.kind === 'refused' ? t('compose.refused', { detail: send.detail }) : null}
        </p>
      </form>
      {/* scrolls on its own beside the form: focusable, so a keyboard can scroll it too */}
      <section className="previews" aria-labelledby="previews-title" tabIndex={0}>
        <h2 id="previews-title">{t('compose.previews')}</h2>
        <p className="field-description">{t('compose.previewsHelp', { count: previews.length })}</p>
        <div className="preview-list">
          {previews.map((preview) => (
            <MemoPreviewCard key={preview.channelId} preview={preview} check={checks[preview.channelId]} />
          ))}
        </div>
      </section>
    </div>
  );
}

const MemoPreviewCard = memo(PreviewCard);

const Overrides = memo(function Overrides({
  platforms,
  overrides,
  update,
  errors,
}: {
  platforms: PlatformId[];
  overrides: Draft['overrides'];
  update(patch: Partial<Draft>): void;
  errors: FieldMessages;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="field overrides">
      <legend>{t('compose.overrides')}</legend>
      <p className="field-description">{t('compose.overridesHelp')}</p>
      {platforms.map((platform) => (
        <OverrideField
          key={platform}
          platform={platform}
          value={overrides[platform]}
          onChange={(text) => {
            const next = { ...overrides };
            if (text === undefined) delete next[platform];
            else next[platform] = text;
            update({ overrides: next });
          }}
          errors={errors[`overrides.${platform}.text`] ?? []}
        />
      ))}
    </fieldset>
  );
});

function OverrideField({
  platform,
  value,
  onChange,
  errors,
}: {
  platform: PlatformId;
  value: string | undefined;
  onChange(text: string | undefined): void;
  errors: string[];
}) {
  const { t } = useTranslation();
  const name = PLATFORMS[platform].displayName;
  return (
    <div className="override">
      <label className="inline-check">
        <input
          type="checkbox"
          checked={value !== undefined}
          onChange={(event) => onChange(event.target.checked ? '' : undefined)}
        />
        {t('compose.overrideFor', { platform: name })}
      </label>
      {value !== undefined ? (
        <TextField
          label={t('compose.overrideText', { platform: name })}
          multiline
          rows={3}
          value={value}
          onChange={onChange}
          errors={errors}
        />
      ) : null}
    </div>
  );
}

function ScheduleField({
  draft,
  timeZone,
  update,
  errors,
  schedule,
  scheduleText,
}: {
  draft: Draft;
  timeZone: string;
  update(patch: Partial<Draft>): void;
  errors: string[];
  schedule: ScheduleCheck | undefined;
  scheduleText(check: Exclude<ScheduleCheck, { ok: true }>): string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const live = schedule && !schedule.ok && schedule.code !== 'missing' ? [scheduleText(schedule)] : [];
  return (
    <div className="field schedule">
      <RadioGroup
        value={draft.when}
        onChange={(when) => update({ when: when as Draft['when'] })}
        className="radio-group"
      >
        <Label>{t('compose.when')}</Label>
        <Radio value="now">{t('compose.now')}</Radio>
        <Radio value="later">{t('compose.later')}</Radio>
      </RadioGroup>
      {draft.when === 'later' ? (
        <>
          <TextField
            label={t('compose.schedule.at')}
            description={t('compose.schedule.zone', { zone: timeZone })}
            type="datetime-local"
            value={draft.scheduledLocal}
            onChange={(scheduledLocal) => update({ scheduledLocal, repeatedTime: undefined })}
            errors={errors.length ? errors : live}
          />
          {schedule && !schedule.ok && schedule.code === 'repeated' ? (
            <RadioGroup
              value={draft.repeatedTime ?? null}
              onChange={(value) => update({ repeatedTime: value as 'first' | 'second' })}
              className="radio-group"
            >
              <Label>{t('compose.schedule.whichOne')}</Label>
              <Radio value="first">{t('compose.schedule.first', { time: schedule.first })}</Radio>
              <Radio value="second">{t('compose.schedule.second', { time: schedule.second })}</Radio>
            </RadioGroup>
          ) : null}
          {schedule?.ok ? (
            <p className="field-description">
              {t('compose.schedule.willGo', { time: format.dateTime(schedule.instant.toISOString(), timeZone) })}
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

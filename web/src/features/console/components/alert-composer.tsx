/**
 * Writing an alert: real or exercise first, then a template (or the running alert an update or
 * all-clear answers) fills the fields, each language the organisation publishes has its texts, and
 * every channel's post is previewed as the API will render it. A live alert is sent only after a
 * confirmation that names its channels and their followers; a resend after a lost answer reuses
 * the draft's identifier, so it can never go out twice.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'wouter';
import { Button } from '@/components/ui/button';
import { useAuth } from '@/lib/auth';
import { ApiProblem, ConnectionLost } from '@/lib/problem';
import { useChannels } from '@/lib/session';
import { previewAlert, fetchFollowUp, sendAlert, type AlertPreview } from '../api/alerts';
import { useTemplates, type AlertTemplate } from '../api/templates';
import {
  emptyDraft,
  formBody,
  fromFollowUp,
  fromTemplate,
  useAlertDraft,
  type AlertDraft,
  type TextField as TextFieldName,
} from '../draft';
import {
  ClassificationFields,
  errorsAt,
  fieldLabel,
  LanguageTexts,
  languageName,
  ModeChoice,
  type Errors,
} from './alert-fields';
import { AudienceDialog, useAudience } from './audience';
import { ModeBand, useScreenMode } from './mode';
import { DeliveryPreview } from './previews';
import type * as Validation from '../validation';

type Checker = typeof Validation;
type FollowUpKind = 'update' | 'all-clear';

type SendState =
  | { kind: 'idle' | 'checking' | 'sending' | 'lost' }
  | { kind: 'confirm'; preview: AlertPreview }
  | { kind: 'refused'; detail: string };

export function AlertComposer() {
  const [params] = useSearchParams();
  const from = params.get('from');
  const kind: FollowUpKind = params.get('kind') === 'all-clear' ? 'all-clear' : 'update';
  const name = from ? `alert.${from}.${kind}` : 'alert';
  return (
    <Composer
      key={name}
      name={name}
      followUp={from ? { messageId: from, kind } : undefined}
      templateId={params.get('template') ?? undefined}
    />
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** Is the field still untouched (empty)? Its "required" problem waits for the first send. */
function isEmpty(draft: AlertDraft, path: string): boolean {
  const [head, language, field] = path.split('.');
  if (head === 'texts' && language) {
    const text = draft.texts[language];
    return field ? !text?.[field as TextFieldName]?.trim() : !text;
  }
  const value = (draft as unknown as Record<string, unknown>)[head ?? ''];
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function Composer({
  name,
  followUp,
  templateId,
}: {
  name: string;
  followUp?: { messageId: string; kind: FollowUpKind };
  templateId?: string;
}) {
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const [, navigate] = useLocation();
  const templates = useTemplates();
  const channels = useChannels();
  const languages = templates.data?.languages;
  const [draft, setDraft, discard] = useAlertDraft(user!.sub, name);
  const [loadProblem, setLoadProblem] = useState<string>();
  const [checker, setChecker] = useState<Checker>();
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [send, setSend] = useState<SendState>({ kind: 'idle' });

  // the API's own checks come with the first screen of the form, not with the console
  useEffect(() => void import('../validation').then(setChecker), []);

  // a new draft: empty, from the template named in the address, or the running alert's follow-up
  useEffect(() => {
    if (draft || !languages || !templates.data) return;
    if (followUp) {
      fetchFollowUp(followUp.messageId, followUp.kind)
        .then((answer) => setDraft(fromFollowUp(answer.form, answer.answers, languages)))
        .catch((error: unknown) =>
          setLoadProblem(error instanceof ApiProblem ? error.message : t('errors.connection')),
        );
      return;
    }
    const template = templates.data.items.find((item) => item.id === templateId);
    setDraft(template ? fromTemplate(emptyDraft(languages), template, languages) : emptyDraft(languages));
  }, [draft, languages, templates.data, followUp, templateId, setDraft, t]);

  // a template chosen on the console's first page replaces the fields of a draft still open
  useEffect(() => {
    if (!draft || !languages || !templateId || followUp) return;
    const template = templates.data?.items.find((item) => item.id === templateId);
    if (template && draft.templateId !== template.id) setDraft(fromTemplate(draft, template, languages));
    navigate('/console/new', { replace: true });
  }, [draft, languages, templateId, followUp, templates.data, setDraft, navigate]);

  useScreenMode(draft?.status);

  const update = useCallback(
    (patch: Partial<AlertDraft>) => {
      setDraft((current) => (current ? { ...current, ...patch } : current));
      setServerErrors((current) => (Object.keys(current).length ? {} : current));
      setSend((current) => (current.kind === 'refused' ? { kind: 'idle' } : current));
    },
    [setDraft],
  );
  const changeText = useCallback(
    (language: string, field: TextFieldName, value: string) =>
      setDraft((current) =>
        current
          ? {
              ...current,
              texts: { ...current.texts, [language]: { ...current.texts[language]!, [field]: value } },
            }
          : current,
      ),
    [setDraft],
  );

  const body = useMemo(() => (draft && languages ? formBody(draft, languages) : undefined), [draft, languages]);
  const problems = useMemo<Errors>(
    () => (checker && body && languages ? checker.checkAlertForm(t, body, languages) : {}),
    [checker, body, languages, t],
  );
  const ready = body !== undefined && checker !== undefined && Object.keys(problems).length === 0;
  const previewKey = useDebounced(ready ? JSON.stringify(body) : undefined, 500);
  const preview = useQuery({
    queryKey: ['alert-preview', previewKey],
    queryFn: ({ signal }) => previewAlert(JSON.parse(previewKey!), signal),
    enabled: previewKey !== undefined,
    retry: false,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
  // the preview's refusal names fields as the form does
  useEffect(() => {
    if (preview.error instanceof ApiProblem && checker) setServerErrors(byField(preview.error, checker, t));
  }, [preview.error, checker, t]);

  const shownErrors = useMemo<Errors>(() => {
    if (!draft) return {};
    const own = Object.fromEntries(Object.entries(problems).filter(([field]) => attempted || !isEmpty(draft, field)));
    return { ...own, ...serverErrors };
  }, [problems, serverErrors, attempted, draft]);

  const waitingChannels = useMemo(() => {
    const data = send.kind === 'confirm' ? send.preview : undefined;
    return [
      ...new Set(
        (data?.messages ?? []).flatMap((message) =>
          message.deliveries
            .filter((delivery) => delivery.state === 'QUEUED' || delivery.state === 'HANDOFF')
            .map((delivery) => delivery.channelId),
        ),
      ),
    ];
  }, [send]);
  const audience = useAudience(waitingChannels);

  if (loadProblem)
    return (
      <>
        <h1>{t(followUp?.kind === 'all-clear' ? 'console.compose.allClearTitle' : 'console.compose.updateTitle')}</h1>
        <p className="field-errors" role="alert">
          {loadProblem}
        </p>
        <Link href="/console">{t('console.back')}</Link>
      </>
    );
  if (!draft || !languages || !body) return <p role="status">{t('common.loading')}</p>;

  async function start() {
    setAttempted(true);
    if (Object.keys(problems).length > 0 || !body) {
      setSend({ kind: 'idle' });
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLElement>('.alert-form [aria-invalid="true"], .alert-form [data-invalid] input')
          ?.focus(),
      );
      return;
    }
    if (draft!.status !== 'Actual') return submit();
    setSend({ kind: 'checking' });
    try {
      // the confirmation names the audience of exactly this form
      setSend({ kind: 'confirm', preview: await previewAlert(body) });
    } catch (error) {
      failed(error);
    }
  }

  async function submit() {
    setSend({ kind: 'sending' });
    try {
      const sent = await sendAlert(body!);
      discard();
      navigate(`/console/alerts/${sent.messages[0]?.id ?? ''}`);
    } catch (error) {
      failed(error);
    }
  }

  function failed(error: unknown) {
    if (error instanceof ConnectionLost) return setSend({ kind: 'lost' });
    if (error instanceof ApiProblem) {
      if (checker) setServerErrors(byField(error, checker, t));
      return setSend({
        kind: 'refused',
        detail: error.errors.length ? t('console.compose.fieldsRefused') : error.message,
      });
    }
    setSend({ kind: 'refused', detail: String(error) });
  }

  const selected = templates.data?.items.find((item) => item.id === draft.templateId);
  const approval = send.kind === 'confirm' && send.preview.messages.some((message) => message.approvalRequired);
  const headline = draft.texts[languages[0]!]?.headline ?? '';
  const busy = send.kind === 'checking' || send.kind === 'sending';
  const title = followUp
    ? t(followUp.kind === 'all-clear' ? 'console.compose.allClearTitle' : 'console.compose.updateTitle')
    : t('console.compose.title');
  return (
    <div className="alert-composer">
      <p className="breadcrumb">
        <Link href="/console">{t('console.back')}</Link>
      </p>
      <h1>{title}</h1>
      <ModeBand mode={draft.status} />
      <div className="composer">
        <form
          className="compose-form alert-form"
          noValidate
          aria-describedby="alert-send-status"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          <ModeChoice
            mode={draft.status}
            onChange={(status) => update({ status })}
            errors={errorsAt(shownErrors, 'status')}
            locked={followUp !== undefined}
          />
          {draft.answers ? (
            <p className="answers">
              {t('console.compose.answers', { headline: draft.answers.headline })}{' '}
              <Link href={`/console/alerts/${draft.answers.messageId}`}>{t('console.compose.toBoard')}</Link>
            </p>
          ) : (
            <TemplatePicker
              templates={templates.data?.items ?? []}
              selected={selected}
              onChoose={(template) => update(fromTemplate(draft, template, languages))}
            />
          )}
          {errorsAt(shownErrors, 'references').length ? (
            <p className="field-errors">{errorsAt(shownErrors, 'references').join(' ')}</p>
          ) : null}
          {languages.map((language) => (
            <LanguageTexts
              key={language}
              language={language}
              text={draft.texts[language]!}
              onChange={(field, value) => changeText(language, field, value)}
              errors={shownErrors}
            />
          ))}
          <ClassificationFields value={draft} onChange={update} errors={shownErrors} />
          <div className="send-row">
            <Button
              type="submit"
              variant={draft.status === 'Actual' ? 'danger' : 'primary'}
              className={draft.status === 'Actual' ? 'button-danger-solid' : undefined}
              isDisabled={busy}
            >
              {t(`console.compose.send.${draft.status ?? 'undecided'}`)}
            </Button>
            {send.kind === 'lost' ? (
              <Button variant="danger" onPress={() => void submit()}>
                {t('console.compose.sendAgain')}
              </Button>
            ) : null}
            <Button
              variant="quiet"
              onPress={() => {
                discard();
                setAttempted(false);
                setServerErrors({});
                setSend({ kind: 'idle' });
              }}
            >
              {t('console.compose.discard')}
            </Button>
          </div>
          <p id="alert-send-status" role="status" className="send-status">
            {send.kind === 'checking' ? t('console.compose.checking') : null}
            {send.kind === 'sending' ? t('console.compose.sending') : null}
            {send.kind === 'lost' ? t('console.compose.lost') : null}
            {send.kind === 'refused' ? t('console.compose.refused', { detail: send.detail }) : null}
            {attempted && Object.keys(problems).length > 0 && send.kind === 'idle'
              ? t('console.compose.fix', { count: Object.keys(problems).length })
              : null}
          </p>
        </form>
        <section className="previews" aria-labelledby="alert-previews-title" tabIndex={0}>
          <h2 id="alert-previews-title">{t('console.preview.title')}</h2>
          {!draft.status ? (
            <p className="field-description">{t('console.preview.chooseMode')}</p>
          ) : !ready ? (
            <p className="field-description">{t('console.preview.incomplete')}</p>
          ) : preview.data ? (
            <PreviewList preview={preview.data} mode={draft.status} stale={preview.isFetching} />
          ) : preview.error ? (
            <p className="field-errors">{t('console.preview.failed')}</p>
          ) : (
            <p role="status">{t('common.loading')}</p>
          )}
          {channels.isError ? <p className="field-errors">{t('errors.connection')}</p> : null}
        </section>
      </div>
      <AudienceDialog
        isOpen={send.kind === 'confirm'}
        onClose={() => setSend({ kind: 'idle' })}
        onConfirm={() => void submit()}
        title={t('console.confirm.title')}
        intro={t('console.confirm.intro', { headline })}
        note={approval ? t('console.confirm.approvalNote') : t('console.confirm.directNote')}
        confirmLabel={t('console.confirm.yes', { total: audienceTotal(audience.total, i18n.language) })}
        audience={audience}
      />
    </div>
  );
}

const audienceTotal = (total: number, language: string) =>
  new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'de-DE').format(total);

function byField(error: ApiProblem, checker: Checker, t: TFunction): Errors {
  const errors: Errors = {};
  for (const problem of error.errors) (errors[problem.field] ??= []).push(checker.apiFieldText(t, problem.message));
  return errors;
}

function TemplatePicker({
  templates,
  selected,
  onChoose,
}: {
  templates: AlertTemplate[];
  selected: AlertTemplate | undefined;
  onChoose(template: AlertTemplate): void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className="field template-picker">
      <label htmlFor="alert-template">{t('console.compose.template')}</label>
      <p className="field-description" id="alert-template-help">
        {t('console.compose.templateHelp')}
      </p>
      <select
        id="alert-template"
        aria-describedby="alert-template-help"
        value={selected?.id ?? ''}
        onChange={(event) => {
          const template = templates.find((item) => item.id === event.target.value);
          if (template) onChoose(template);
        }}
      >
        <option value="">{t('console.compose.noTemplate')}</option>
        {templates.map((template) => (
          <option key={template.id} value={template.id}>
            {template.name}
            {template.missing.length ? ` (${t('console.templates.incomplete')})` : ''}
          </option>
        ))}
      </select>
      {selected?.missing.length ? (
        <p className="template-missing">
          {t('console.templates.missing', {
            fields: selected.missing.map((field) => fieldLabel(t, field, i18n.language)).join(', '),
          })}
        </p>
      ) : null}
    </div>
  );
}

function PreviewList({ preview, mode, stale }: { preview: AlertPreview; mode: AlertDraft['status']; stale: boolean }) {
  const { t, i18n } = useTranslation();
  const channels = useChannels();
  const handle = (id: string) => channels.data?.find((channel) => channel.id === id)?.handle;
  return (
    <div className={`preview-languages${stale ? ' preview-stale' : ''}`} aria-busy={stale || undefined}>
      {preview.messages.map((message) => (
        <section
          key={message.language}
          className="preview-language"
          aria-label={languageName(message.language, i18n.language)}
        >
          <h3>
            {languageName(message.language, i18n.language)} · {t(`console.kind.${message.kind as 'alert'}`)}
          </h3>
          <ul className="preview-notes">
            {message.approvalRequired ? <li>{t('console.preview.approvalRequired')}</li> : null}
            {message.replyTo ? <li>{t('console.preview.threaded')}</li> : null}
          </ul>
          <div className="preview-list">
            {message.deliveries.map((delivery) => (
              <DeliveryPreview
                key={delivery.channelId}
                mode={mode}
                delivery={{ ...delivery, handle: handle(delivery.channelId) }}
              />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

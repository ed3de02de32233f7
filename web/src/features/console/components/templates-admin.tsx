/**
 * The organisation's alert templates: every member reads them; an administrator writes, changes
 * and deletes them (each change audited by the API). A template may stay incomplete while it is
 * written: it says which fields an alert from it still needs, and such an alert cannot be sent.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/text-field';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import {
  useDeleteTemplate,
  useSaveTemplate,
  useTemplates,
  type AlertTemplate,
  type TemplateBody,
} from '../api/templates';
import { emptyDraft, fromTemplate, TEXT_FIELDS, type AlertDraft } from '../draft';
import { ClassificationFields, fieldLabel, LanguageTexts, type Errors } from './alert-fields';

type Editing = { id?: string; name: string; draft: AlertDraft };

export function TemplatesAdmin() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const templates = useTemplates();
  const remove = useDeleteTemplate();
  const [editing, setEditing] = useState<Editing>();
  const admin = me.data?.roles.includes('admin') ?? false;
  const languages = templates.data?.languages ?? [];
  if (editing) return <TemplateEditor editing={editing} languages={languages} onDone={() => setEditing(undefined)} />;
  return (
    <div className="templates-admin">
      <p className="breadcrumb">
        <Link href="/console">{t('console.back')}</Link>
      </p>
      <h1>{t('console.templates.title')}</h1>
      {!admin ? <p>{t('console.templates.adminOnly')}</p> : null}
      {admin ? (
        <Button variant="primary" onPress={() => setEditing({ name: '', draft: emptyDraft(languages) })}>
          {t('console.templates.new')}
        </Button>
      ) : null}
      {remove.error ? (
        <p className="field-errors" role="alert">
          {remove.error instanceof ApiProblem ? remove.error.message : t('errors.connection')}
        </p>
      ) : null}
      <ul className="template-admin-list">
        {(templates.data?.items ?? []).map((template) => (
          <li key={template.id} data-template={template.id}>
            <h2>{template.name}</h2>
            <p className="watch-meta">
              {t('console.templates.changed', { time: format.dateTime(template.updatedAt), by: template.updatedBy })}
            </p>
            {template.missing.length ? (
              <p className="template-missing">
                {t('console.templates.missing', {
                  fields: template.missing.map((field) => fieldLabel(t, field, i18n.language)).join(', '),
                })}
              </p>
            ) : null}
            <div className="actions">
              <Link className="button" href={`/console/new?template=${encodeURIComponent(template.id)}`}>
                {t('console.templates.use')}
              </Link>
              {admin ? (
                <>
                  <Button onPress={() => setEditing(editingOf(template, languages))}>
                    {t('console.templates.edit', { name: template.name })}
                  </Button>
                  <ConfirmDialog
                    trigger={<Button variant="danger">{t('console.templates.delete', { name: template.name })}</Button>}
                    title={t('console.templates.deleteTitle', { name: template.name })}
                    confirmLabel={t('console.templates.deleteYes')}
                    cancelLabel={t('common.cancel')}
                    variant="danger"
                    onConfirm={() =>
                      remove.mutateAsync(template.id).then(
                        () => undefined,
                        () => undefined,
                      )
                    }
                  >
                    <p>{t('console.templates.deleteText')}</p>
                  </ConfirmDialog>
                </>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

const editingOf = (template: AlertTemplate, languages: string[]): Editing => ({
  id: template.id,
  name: template.name,
  draft: fromTemplate(emptyDraft(languages), template, languages),
});

function templateBody(name: string, draft: AlertDraft, languages: string[]): TemplateBody {
  return {
    name,
    category: draft.category,
    ...(draft.severity ? { severity: draft.severity } : {}),
    ...(draft.urgency ? { urgency: draft.urgency } : {}),
    ...(draft.certainty ? { certainty: draft.certainty } : {}),
    responseType: draft.responseType,
    ...(draft.web.trim() ? { web: draft.web.trim() } : {}),
    texts: Object.fromEntries(
      languages.map((language) => [
        language,
        Object.fromEntries(
          TEXT_FIELDS.filter((field) => draft.texts[language]?.[field].trim()).map((field) => [
            field,
            draft.texts[language]![field],
          ]),
        ),
      ]),
    ),
  };
}

function TemplateEditor({ editing, languages, onDone }: { editing: Editing; languages: string[]; onDone(): void }) {
  const { t } = useTranslation();
  const save = useSaveTemplate();
  const [name, setName] = useState(editing.name);
  const [draft, setDraft] = useState(editing.draft);
  const [errors, setErrors] = useState<Errors>({});
  return (
    <div className="template-editor">
      <h1>{editing.id ? t('console.templates.editTitle', { name: editing.name }) : t('console.templates.new')}</h1>
      <p className="field-description">{t('console.templates.editorHelp')}</p>
      <form
        className="compose-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) return setErrors({ name: [t('errors.required')] });
          save.mutate(
            { id: editing.id, body: templateBody(name.trim(), draft, languages) },
            {
              onSuccess: onDone,
              onError: (error) => {
                if (!(error instanceof ApiProblem)) return setErrors({ name: [t('errors.connection')] });
                const byField: Errors = {};
                for (const problem of error.errors) (byField[problem.field] ??= []).push(problem.message);
                setErrors(Object.keys(byField).length ? byField : { name: [error.message] });
              },
            },
          );
        }}
      >
        <TextField
          label={t('console.templates.name')}
          value={name}
          onChange={setName}
          required
          errors={errors.name ?? []}
        />
        {languages.map((language) => (
          <LanguageTexts
            key={language}
            language={language}
            text={draft.texts[language]!}
            onChange={(field, value) =>
              setDraft((current) => ({
                ...current,
                texts: { ...current.texts, [language]: { ...current.texts[language]!, [field]: value } },
              }))
            }
            errors={errors}
          />
        ))}
        <ClassificationFields
          value={draft}
          onChange={(patch) => setDraft((current) => ({ ...current, ...patch }))}
          errors={errors}
        />
        <div className="send-row">
          <Button type="submit" variant="primary" isDisabled={save.isPending}>
            {t('console.templates.save')}
          </Button>
          <Button variant="quiet" onPress={onDone}>
            {t('common.cancel')}
          </Button>
        </div>
      </form>
    </div>
  );
}

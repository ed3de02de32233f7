/**
 * The alert form checked in the browser with the API's own rules (AlertFormSchema and formProblems
 * from shared/alerts/form.ts), loaded with the first check rather than with the console; and the
 * API's field errors said in German where Herold knows them. Each problem belongs to the field its
 * path names (`texts.de-DE.headline`, `severity`, `category` …).
 */
import type { TFunction } from 'i18next';
import { AlertFormSchema, formProblems, type AlertFormInput } from '@shared/alerts/form';
import type { OrgAlertPolicy } from '@shared/alerts/policy';
import { fieldPath } from '@shared/api/problem';

export type FieldMessages = Record<string, string[]>;

interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  maximum?: unknown;
  format?: string;
  origin?: string;
}

function issueText(t: TFunction, issue: IssueLike): string {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'array' ? t('console.errors.chooseOne') : t('errors.required');
    case 'too_big':
      return t('errors.tooLong', { max: Number(issue.maximum) });
    case 'invalid_format':
      return issue.format === 'url' ? t('errors.url') : t('errors.invalid');
    case 'invalid_value':
      return t('console.errors.choose');
    default:
      return t('errors.invalid');
  }
}

/** Every problem of the form, by field, in the person's language; empty when it may be sent. */
export function checkAlertForm(t: TFunction, body: AlertFormInput, languages: string[]): FieldMessages {
  const messages: FieldMessages = {};
  const add = (field: string, text: string) => (messages[field] ??= []).push(text);
  if (!body.status) add('status', t('console.errors.mode'));
  // the rest is checked as it will be once the mode is chosen, so a placeholder shows at once
  const parsed = AlertFormSchema.safeParse({ ...body, status: body.status ?? 'Exercise' });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(fieldPath(issue.path) || 'form', issueText(t, issue as IssueLike));
    return messages;
  }
  const policy: OrgAlertPolicy = { languages, singlePersonSeverities: [] };
  for (const problem of formProblems(parsed.data, policy)) add(problem.field, apiFieldText(t, problem.message));
  return messages;
}

/** An API field message in German where Herold knows its wording, else as the API wrote it. */
export function apiFieldText(t: TFunction, message: string): string {
  const placeholder = /^fill in the placeholder (\[.*\])$/.exec(message);
  if (placeholder) return t('console.errors.placeholder', { placeholder: placeholder[1] });
  if (message === 'is required') return t('errors.required');
  if (/^an? (Update|Cancel) names the alert it answers$/.test(message)) return t('console.errors.references');
  if (/^the organisation publishes in/.test(message)) return t('console.errors.language');
  return message;
}

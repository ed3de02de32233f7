/**
 * The alert a duty officer is writing, as the form holds it (every text a string, choices possibly
 * not made yet), kept in the browser per person so a reload or an expired session loses nothing.
 * The CAP identifier is made once per draft and sent again on every resend of it: the API answers
 * a resend of the same alert with the first answer, and refuses a changed one sent under the same
 * identifier, so an alert whose answer was lost can never go out twice.
 */
import { useEffect, useState } from 'react';
import type { AlertFormInput } from '@shared/alerts/form';
import type {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_RESPONSE_TYPES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
} from '@shared/cap/vocabulary';
import { deleteDraft, loadDraft, saveDraft } from '@/lib/drafts';
import type { AlertTemplate } from './api/templates';

export type Mode = 'Actual' | 'Exercise' | 'Test';
export type Category = (typeof CAP_CATEGORIES)[number];
export type ResponseType = (typeof CAP_RESPONSE_TYPES)[number];
export type Severity = (typeof CAP_SEVERITIES)[number];
export type Urgency = (typeof CAP_URGENCIES)[number];
export type Certainty = (typeof CAP_CERTAINTIES)[number];

export const TEXT_FIELDS = ['event', 'headline', 'description', 'instruction', 'area'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type DraftText = Record<TextField, string>;

export interface AlertDraft {
  identifier: string;
  /** not chosen yet: the officer must say whether this is real before anything is previewed or sent */
  status?: Mode;
  msgType: 'Alert' | 'Update' | 'Cancel';
  references: NonNullable<AlertFormInput['references']>;
  /** an update or all-clear: the running alert it is threaded under */
  answers?: { messageId: string; headline: string };
  templateId?: string;
  category: Category[];
  severity: Severity | '';
  urgency: Urgency | '';
  certainty: Certainty | '';
  responseType: ResponseType[];
  web: string;
  texts: Record<string, DraftText>;
}

const EMPTY_TEXT: DraftText = { event: '', headline: '', description: '', instruction: '', area: '' };
const primary = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

export const newIdentifier = () => `herold-${crypto.randomUUID()}`;

export function emptyDraft(languages: readonly string[]): AlertDraft {
  return {
    identifier: newIdentifier(),
    msgType: 'Alert',
    references: [],
    category: [],
    severity: '',
    urgency: '',
    certainty: '',
    responseType: [],
    web: '',
    texts: Object.fromEntries(languages.map((language) => [language, { ...EMPTY_TEXT }])),
  };
}

/** A template fills the fields; the draft keeps its identifier and the mode the officer chose. */
export function fromTemplate(draft: AlertDraft, template: AlertTemplate, languages: readonly string[]): AlertDraft {
  const textFor = (language: string) => {
    const tag = Object.keys(template.texts).find((candidate) => primary(candidate) === primary(language));
    const text = tag ? template.texts[tag] : undefined;
    return Object.fromEntries(TEXT_FIELDS.map((field) => [field, text?.[field] ?? ''])) as DraftText;
  };
  return {
    ...draft,
    templateId: template.id,
    category: [...template.category],
    severity: template.severity ?? '',
    urgency: template.urgency ?? '',
    certainty: template.certainty ?? '',
    responseType: [...template.responseType],
    web: template.web ?? '',
    texts: Object.fromEntries(languages.map((language) => [language, textFor(language)])),
  };
}

/** The prefilled update or all-clear of a running alert (GET /messages/{id}/alert-form), as a draft. */
export function fromFollowUp(
  form: AlertFormInput,
  answers: { messageId: string; headline: string },
  languages: readonly string[],
): AlertDraft {
  return {
    identifier: form.identifier,
    status: form.status,
    msgType: form.msgType ?? 'Update',
    references: form.references ?? [],
    answers,
    category: [...form.category],
    severity: form.severity,
    urgency: form.urgency,
    certainty: form.certainty,
    responseType: [...(form.responseType ?? [])],
    web: form.web ?? '',
    texts: Object.fromEntries(
      languages.map((language) => {
        const tag = Object.keys(form.texts).find((candidate) => primary(candidate) === primary(language));
        const text = tag ? form.texts[tag] : undefined;
        return [language, Object.fromEntries(TEXT_FIELDS.map((field) => [field, text?.[field] ?? ''])) as DraftText];
      }),
    ),
  };
}

/** What `POST /alerts` takes: empty optional texts left out, a choice not made left out (the check names it). */
export function formBody(draft: AlertDraft, languages: readonly string[]): AlertFormInput {
  return {
    identifier: draft.identifier,
    status: draft.status as Mode,
    msgType: draft.msgType,
    references: draft.references,
    category: draft.category,
    severity: draft.severity as Severity,
    urgency: draft.urgency as Urgency,
    certainty: draft.certainty as Certainty,
    responseType: draft.responseType,
    ...(draft.web.trim() ? { web: draft.web.trim() } : {}),
    texts: Object.fromEntries(
      languages.map((language) => {
        const text = draft.texts[language] ?? EMPTY_TEXT;
        return [
          language,
          {
            event: text.event,
            headline: text.headline,
            ...Object.fromEntries(
              (['description', 'instruction', 'area'] as const)
                .filter((field) => text[field].trim())
                .map((field) => [field, text[field]]),
            ),
          },
        ];
      }),
    ),
  };
}

/** The draft of one screen (a new alert, or the follow-up of one running alert), saved on every change. */
export function useAlertDraft(sub: string, name: string) {
  const [draft, setDraft] = useState<AlertDraft | undefined>(() => loadDraft<AlertDraft>(sub, name));
  useEffect(() => {
    if (draft) saveDraft(sub, name, draft);
  }, [sub, name, draft]);
  const discard = () => {
    deleteDraft(sub, name);
    setDraft(undefined);
  };
  return [draft, setDraft, discard] as const;
}

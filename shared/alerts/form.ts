/**
 * The alert form: what a duty officer fills in instead of writing CAP XML. `POST /alerts` takes it
 * as JSON and turns it into the same CAP alert an XML document becomes, validated by the same
 * schema and published by the same code (ingest.ts), so both roads behave alike.
 *
 * The server sets what the officer must not choose: `sender` and `senderName` come from the
 * organisation's policy, `sent` is the time of the first request, `scope` is Public. The client
 * creates the `identifier` once per draft and sends it again on a resend: the same identifier is
 * the same alert, answered once.
 */
import * as z from 'zod';
import { type FieldError } from '../api/problem';
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_RESPONSE_TYPES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  CapReferenceSchema,
  type CapAlert,
  type CapAlertInput,
} from '../cap/schema';
import type { OrgAlertPolicy } from './policy';

/** A CAP identifier or sender: no spaces, commas, "<" or "&" (CAP §3.2.1). */
const CapToken = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[^\s,<&]+$/, 'must not contain spaces, commas, "<" or "&"');

const text = (max: number) => z.string().trim().max(max);

/** One language's texts. `event` and `headline` are what every alert needs; the others may stay empty. */
export const AlertTextSchema = z.strictObject({
  /** what happened, in a few words (CAP `event`, required) */
  event: text(120).min(1, 'is required'),
  headline: text(160).min(1, 'is required'),
  description: text(4000).optional(),
  /** what people should do */
  instruction: text(2000).optional(),
  /** the affected area in words (optional) */
  area: text(500).optional(),
});
export type AlertText = z.infer<typeof AlertTextSchema>;

const LanguageTagSchema = z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'is not a language tag');

/** The statuses a person may choose: System and Draft are for machines, not for the form. */
export const FORM_STATUSES = ['Actual', 'Exercise', 'Test'] as const;
export const FORM_MSG_TYPES = ['Alert', 'Update', 'Cancel'] as const;

export const AlertFormSchema = z.strictObject({
  /** created by the client once per draft, sent again unchanged on a resend */
  identifier: CapToken,
  status: z.enum(FORM_STATUSES),
  msgType: z.enum(FORM_MSG_TYPES).default('Alert'),
  /** the earlier alerts an Update or Cancel answers (the prefilled forms fill these in) */
  references: z.array(CapReferenceSchema).max(20).default([]),
  category: z.array(z.enum(CAP_CATEGORIES)).min(1, 'at least one category is required'),
  severity: z.enum(CAP_SEVERITIES),
  urgency: z.enum(CAP_URGENCIES),
  certainty: z.enum(CAP_CERTAINTIES),
  responseType: z.array(z.enum(CAP_RESPONSE_TYPES)).default([]),
  web: z.url({ protocol: /^https?$/ }).optional(),
  /** per language (a tag such as de-DE or en): the languages the organisation's policy names */
  texts: z.record(LanguageTagSchema, AlertTextSchema),
});
export type AlertFormInput = z.input<typeof AlertFormSchema>;
export type AlertForm = z.output<typeof AlertFormSchema>;

const primarySubtag = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

/** An unfilled template placeholder such as "[Ort]": never sent to the public by accident. */
const PLACEHOLDER = /\[[^\]\n]{1,40}\]/;

/**
 * What the schema cannot know: the organisation's languages (the primary one is required, others
 * must be among the policy's) and unfilled placeholders. Returns every problem, by form field.
 */
export function formProblems(form: AlertForm, policy: OrgAlertPolicy): FieldError[] {
  const problems: FieldError[] = [];
  const languages = Object.keys(form.texts);
  const [primary = 'de-DE'] = policy.languages;
  if (!languages.some((tag) => primarySubtag(tag) === primarySubtag(primary)))
    problems.push({
      field: `texts.${primary}`,
      message: `the organisation publishes in ${primary}: its text is required`,
    });
  for (const tag of languages) {
    if (!policy.languages.some((allowed) => primarySubtag(allowed) === primarySubtag(tag)))
      problems.push({
        field: `texts.${tag}`,
        message: `the organisation publishes in ${policy.languages.join(', ')}, not in ${tag}`,
      });
    for (const [field, value] of Object.entries(form.texts[tag] ?? {})) {
      const placeholder = typeof value === 'string' ? PLACEHOLDER.exec(value)?.[0] : undefined;
      if (placeholder)
        problems.push({ field: `texts.${tag}.${field}`, message: `fill in the placeholder ${placeholder}` });
    }
  }
  if (form.msgType !== 'Alert' && form.references.length === 0)
    problems.push({ field: 'references', message: `an ${form.msgType} names the alert it answers` });
  return problems;
}

/** CAP's dateTime: seconds and a numeric offset, no "Z". */
export const capDateTime = (at: Date): string => `${at.toISOString().slice(0, 19)}+00:00`;

/**
 * The form as the plain CAP shape the XML reader produces, ready for validateCapAlert: the primary
 * language's info block first.
 */
export function formToCapInput(
  form: AlertForm,
  origin: { sender: string; senderName: string; sent: Date; primaryLanguage: string },
): CapAlertInput {
  const languages = Object.keys(form.texts).sort(
    (a, b) =>
      Number(primarySubtag(b) === primarySubtag(origin.primaryLanguage)) -
      Number(primarySubtag(a) === primarySubtag(origin.primaryLanguage)),
  );
  return {
    identifier: form.identifier,
    sender: origin.sender,
    sent: capDateTime(origin.sent),
    status: form.status,
    msgType: form.msgType,
    scope: 'Public',
    ...(form.references.length
      ? { references: form.references.map((ref) => `${ref.sender},${ref.identifier},${ref.sent}`).join(' ') }
      : {}),
    info: languages.map((language) => {
      const texts = form.texts[language] as AlertText;
      return {
        language,
        category: form.category,
        event: texts.event,
        responseType: form.responseType,
        urgency: form.urgency,
        severity: form.severity,
        certainty: form.certainty,
        senderName: origin.senderName,
        headline: texts.headline,
        ...(texts.description ? { description: texts.description } : {}),
        ...(texts.instruction ? { instruction: texts.instruction } : {}),
        ...(form.web ? { web: form.web } : {}),
        area: texts.area ? [{ areaDesc: texts.area }] : [],
      };
    }),
  };
}

/** Within a form field's limit, so a prefilled form always passes the form's own checks. */
function clip(value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length <= max) return trimmed;
  let kept = '';
  // by code point, so no surrogate pair is cut in half; zod measures UTF-16 units, as .length does
  for (const character of trimmed) {
    if (kept.length + character.length > max - 1) break;
    kept += character;
  }
  return `${kept}…`;
}

/** A CAP alert's info blocks as the form's fields: what a prefilled update or all-clear starts from. */
export function capToFormFields(alert: CapAlert): Omit<AlertForm, 'identifier' | 'status' | 'msgType' | 'references'> {
  const [first] = alert.info;
  return {
    category: first?.category ?? ['Other'],
    severity: first?.severity ?? 'Unknown',
    urgency: first?.urgency ?? 'Unknown',
    certainty: first?.certainty ?? 'Unknown',
    responseType: first?.responseType ?? [],
    ...(first?.web && /^https?:/.test(first.web) ? { web: first.web } : {}),
    texts: Object.fromEntries(
      alert.info.map((info) => [
        info.language,
        {
          event: clip(info.event, 120),
          headline: clip(info.headline ?? info.event, 160),
          ...(info.description ? { description: clip(info.description, 4000) } : {}),
          ...(info.instruction ? { instruction: clip(info.instruction, 2000) } : {}),
          ...(info.area[0]?.areaDesc ? { area: clip(info.area.map((area) => area.areaDesc).join('; '), 500) } : {}),
        },
      ]),
    ),
  };
}

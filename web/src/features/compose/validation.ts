/**
 * The message checked with the API's own schema (CreateMessageSchema) before it is sent; each
 * problem, from this check or from the API's problem+json, belongs to the field it names.
 */
import type { TFunction } from 'i18next';
import { CreateMessageSchema, type CreateMessageInput } from '@shared/model/schemas';
import { fieldPath } from '@shared/api/problem';

export type FieldMessages = Record<string, string[]>;

interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  format?: string;
}

/** A zod issue in the person's language: the code says what is wrong, the path says where. */
export function issueText(t: TFunction, issue: IssueLike): string {
  const field = String(issue.path.at(-1) ?? '');
  switch (issue.code) {
    case 'too_small':
      return field === 'altText' ? t('errors.altTextMissing') : t('errors.required');
    case 'too_big':
      return t('errors.tooLong', { max: Number(issue.maximum) });
    case 'invalid_format':
      return issue.format === 'url' ? t('errors.url') : t('errors.invalid');
    case 'invalid_value':
      return field === 'mime' ? t('errors.mime') : t('errors.invalid');
    case 'custom':
      return field === 'text' ? t('errors.textMissing') : t('errors.invalid');
    default:
      return t('errors.invalid');
  }
}

export function validateMessage(t: TFunction, body: CreateMessageInput): FieldMessages {
  const result = CreateMessageSchema.safeParse(body);
  if (result.success) return {};
  const messages: FieldMessages = {};
  for (const issue of result.error.issues) {
    const field = fieldPath(issue.path) || 'text';
    (messages[field] ??= []).push(issueText(t, issue as IssueLike));
  }
  return messages;
}

/** The API's field errors in the person's language where Herold knows them, else as the API wrote them. */
export function apiFieldText(t: TFunction, field: string, message: string): string {
  if (field.startsWith('media[') && field.endsWith('.url')) return t('errors.mediaUnreachable', { detail: message });
  if (field.startsWith('media[') && field.endsWith('.mime')) return t('errors.mediaServesOther', { detail: message });
  if (field.startsWith('channels[')) return t('errors.channel', { detail: message });
  return message;
}

/**
 * The alert form's fields: whether it is real, each language's texts, and CAP's classification in
 * words a duty officer uses. Every field says its own problems, tied to it for screen readers.
 */
import type { TFunction } from 'i18next';
import { memo, useId } from 'react';
import { Checkbox, CheckboxGroup, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_RESPONSE_TYPES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
} from '@shared/cap/vocabulary';
import { FieldErrors } from '@/components/ui/field-error';
import { TextField } from '@/components/ui/text-field';
import type { AlertDraft, DraftText, Mode, TextField as TextFieldName } from '../draft';
import { TEXT_FIELDS } from '../draft';

export type Errors = Record<string, string[]>;

/** The problems of a field and of anything inside it (`category` also gets `category[2]`'s). */
export const errorsAt = (errors: Errors, field: string): string[] =>
  Object.entries(errors)
    .filter(([path]) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))
    .flatMap(([, messages]) => messages);

export const languageName = (tag: string, locale: string) =>
  new Intl.DisplayNames([locale], { type: 'language' }).of(tag.split(/[-_]/)[0] ?? tag) ?? tag;

const primaryTag = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

/** An alert's messages in the order of the organisation's languages, the primary first (the store keeps no order). */
export function inLanguageOrder<T extends { language?: string }>(messages: T[], languages: readonly string[]): T[] {
  const rank = (tag = '') => {
    const index = languages.findIndex((language) => primaryTag(language) === primaryTag(tag));
    return index < 0 ? languages.length : index;
  };
  return [...messages].sort((a, b) => rank(a.language) - rank(b.language));
}

/** A form field's name as the person knows it: "Überschrift (Deutsch)", "Schweregrad". */
export function fieldLabel(t: TFunction, path: string, locale: string): string {
  const [head, language, field] = path.split('.');
  if (head === 'texts' && language) {
    const name = languageName(language, locale);
    return field ? `${t(`console.fields.${field as TextFieldName}`)} (${name})` : name;
  }
  const known = ['category', 'severity', 'urgency', 'certainty', 'responseType', 'web'] as const;
  const match = known.find((candidate) => candidate === head);
  return match ? t(`console.fields.${match}`) : path;
}

export const ModeChoice = memo(function ModeChoice({
  mode,
  onChange,
  errors,
  locked,
}: {
  mode: Mode | undefined;
  onChange(mode: Mode): void;
  errors: string[];
  /** a follow-up keeps its alert's mode: an exercise is answered by an exercise */
  locked?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <RadioGroup
      className="field mode-choice"
      value={mode ?? null}
      onChange={(value) => onChange(value as Mode)}
      isInvalid={errors.length > 0}
      isDisabled={locked}
      isRequired
    >
      <Label>{t('console.mode.question')}</Label>
      <div className="mode-options">
        {(['Actual', 'Exercise', 'Test'] as const).map((value) => (
          <Radio key={value} value={value} className={`mode-option mode-option-${value.toLowerCase()}`}>
            <span className="mode-option-title">{t(`console.mode.choice.${value}`)}</span>
            <span className="mode-option-text">{t(`console.mode.choiceText.${value}`)}</span>
          </Radio>
        ))}
      </div>
      {locked ? (
        <Text slot="description" className="field-description">
          {t('console.mode.locked')}
        </Text>
      ) : null}
      {errors.length ? (
        <Text slot="errorMessage" className="field-errors">
          {errors.join(' ')}
        </Text>
      ) : null}
    </RadioGroup>
  );
});

export const LanguageTexts = memo(function LanguageTexts({
  language,
  text,
  onChange,
  errors,
}: {
  language: string;
  text: DraftText;
  onChange(field: TextFieldName, value: string): void;
  errors: Errors;
}) {
  const { t, i18n } = useTranslation();
  const own = errors[`texts.${language}`] ?? [];
  const id = useId();
  // the labels are in the workspace's language, what is typed in the alert's
  return (
    <fieldset className="field language-texts" aria-describedby={own.length ? id : undefined}>
      <legend>{t('console.fields.textsIn', { language: languageName(language, i18n.language) })}</legend>
      <FieldErrors id={id} messages={own} />
      {TEXT_FIELDS.map((field) => (
        <TextField
          key={field}
          label={t(`console.fields.${field}`)}
          description={t(`console.fields.${field}Help`)}
          value={text[field]}
          onChange={(value) => onChange(field, value)}
          multiline={field === 'description' || field === 'instruction'}
          rows={field === 'description' ? 5 : 3}
          required={field === 'event' || field === 'headline'}
          lang={language}
          errors={errors[`texts.${language}.${field}`] ?? []}
        />
      ))}
    </fieldset>
  );
});

function SelectField<V extends string>({
  label,
  value,
  options,
  optionLabel,
  onChange,
  errors,
}: {
  label: string;
  value: V | '';
  options: readonly V[];
  optionLabel(value: V): string;
  onChange(value: V | ''): void;
  errors: string[];
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        required
        aria-invalid={errors.length > 0 || undefined}
        aria-describedby={errors.length ? `${id}-errors` : undefined}
        onChange={(event) => onChange(event.target.value as V | '')}
      >
        <option value="">{t('console.fields.choose')}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabel(option)}
          </option>
        ))}
      </select>
      <FieldErrors id={`${id}-errors`} messages={errors} />
    </div>
  );
}

function ChoiceGroup<V extends string>({
  label,
  description,
  value,
  options,
  optionLabel,
  onChange,
  errors,
}: {
  label: string;
  description?: string;
  value: V[];
  options: readonly V[];
  optionLabel(value: V): string;
  onChange(value: V[]): void;
  errors: string[];
}) {
  return (
    <CheckboxGroup
      className="field choice-group"
      value={value}
      onChange={(next) => onChange(next as V[])}
      isInvalid={errors.length > 0}
    >
      <Label>{label}</Label>
      {description ? (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      ) : null}
      <div className="choice-grid">
        {options.map((option) => (
          <Checkbox key={option} value={option} className="choice-option">
            <span className="checkbox-box" aria-hidden="true" />
            {optionLabel(option)}
          </Checkbox>
        ))}
      </div>
      {errors.length ? (
        <Text slot="errorMessage" className="field-errors">
          {errors.join(' ')}
        </Text>
      ) : null}
    </CheckboxGroup>
  );
}

type Classification = Pick<AlertDraft, 'category' | 'severity' | 'urgency' | 'certainty' | 'responseType' | 'web'>;

export const ClassificationFields = memo(function ClassificationFields({
  value,
  onChange,
  errors,
}: {
  value: Classification;
  onChange(patch: Partial<Classification>): void;
  errors: Errors;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="field classification">
      <legend>{t('console.fields.classification')}</legend>
      <div className="select-row">
        <SelectField
          label={t('console.fields.severity')}
          value={value.severity}
          options={CAP_SEVERITIES}
          optionLabel={(option) => t(`console.severity.${option}`)}
          onChange={(severity) => onChange({ severity })}
          errors={errorsAt(errors, 'severity')}
        />
        <SelectField
          label={t('console.fields.urgency')}
          value={value.urgency}
          options={CAP_URGENCIES}
          optionLabel={(option) => t(`console.urgency.${option}`)}
          onChange={(urgency) => onChange({ urgency })}
          errors={errorsAt(errors, 'urgency')}
        />
        <SelectField
          label={t('console.fields.certainty')}
          value={value.certainty}
          options={CAP_CERTAINTIES}
          optionLabel={(option) => t(`console.certainty.${option}`)}
          onChange={(certainty) => onChange({ certainty })}
          errors={errorsAt(errors, 'certainty')}
        />
      </div>
      <ChoiceGroup
        label={t('console.fields.category')}
        value={value.category}
        options={CAP_CATEGORIES}
        optionLabel={(option) => t(`console.category.${option}`)}
        onChange={(category) => onChange({ category })}
        errors={errorsAt(errors, 'category')}
      />
      <ChoiceGroup
        label={t('console.fields.responseType')}
        description={t('console.fields.responseTypeHelp')}
        value={value.responseType}
        options={CAP_RESPONSE_TYPES}
        optionLabel={(option) => t(`console.responseType.${option}`)}
        onChange={(responseType) => onChange({ responseType })}
        errors={errorsAt(errors, 'responseType')}
      />
      <TextField
        label={t('console.fields.web')}
        description={t('console.fields.webHelp')}
        type="url"
        inputMode="url"
        value={value.web}
        onChange={(web) => onChange({ web })}
        errors={errorsAt(errors, 'web')}
      />
    </fieldset>
  );
});

import { useId } from 'react';
import { FieldErrors } from './field-error';

interface Props {
  label: string;
  value: string;
  onChange(value: string): void;
  errors?: string[];
  description?: string;
  multiline?: boolean;
  rows?: number;
  type?: 'text' | 'url' | 'datetime-local' | 'date' | 'password';
  name?: string;
  required?: boolean;
  inputMode?: 'url' | 'text' | 'numeric';
  autoComplete?: string;
  /** the language of what is typed, when it is not the workspace's (an alert's English texts) */
  lang?: string;
}

/** A labelled input or text area whose description and errors are read with it. */
export function TextField({
  label,
  value,
  onChange,
  errors = [],
  description,
  multiline,
  rows = 6,
  type = 'text',
  name,
  required,
  inputMode,
  autoComplete,
  lang,
}: Props) {
  const id = useId();
  const describedBy = [description ? `${id}-description` : undefined, errors.length ? `${id}-errors` : undefined]
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name,
    value,
    required,
    lang,
    'aria-invalid': errors.length > 0 || undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {description ? (
        <p className="field-description" id={`${id}-description`}>
          {description}
        </p>
      ) : null}
      {multiline ? (
        <textarea {...common} rows={rows} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input
          {...common}
          type={type}
          inputMode={inputMode}
          autoComplete={autoComplete}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      <FieldErrors id={`${id}-errors`} messages={errors} />
    </div>
  );
}

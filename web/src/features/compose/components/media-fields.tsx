/** Images and videos by URL: every item needs an alt text and its type; problems stand at the field they concern. */
import { memo, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Media } from '@shared/model/schemas';
import { MEDIA_MIMES } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { FieldErrors } from '@/components/ui/field-error';
import { TextField } from '@/components/ui/text-field';

interface Props {
  media: Media[];
  onChange(media: Media[]): void;
  errors: Record<string, string[]>;
}

export const MediaFields = memo(function MediaFields({ media, onChange, errors }: Props) {
  const { t } = useTranslation();
  const errorsFor = (field: string) => errors[field] ?? [];
  const change = (index: number, patch: Partial<Media>) =>
    onChange(media.map((item, at) => (at === index ? { ...item, ...patch } : item)));
  return (
    <fieldset className="field media-fields">
      <legend>{t('compose.media')}</legend>
      {media.map((item, index) => (
        <MediaItem
          key={index}
          index={index}
          item={item}
          onChange={(patch) => change(index, patch)}
          onRemove={() => onChange(media.filter((_, at) => at !== index))}
          errorsFor={errorsFor}
        />
      ))}
      <Button onPress={() => onChange([...media, { url: '', altText: '', mime: 'image/jpeg' }])}>
        {t('compose.addMedia')}
      </Button>
    </fieldset>
  );
});

function MediaItem({
  index,
  item,
  onChange,
  onRemove,
  errorsFor,
}: {
  index: number;
  item: Media;
  onChange(patch: Partial<Media>): void;
  onRemove(): void;
  errorsFor(field: string): string[];
}) {
  const { t } = useTranslation();
  const id = useId();
  const mimeErrors = errorsFor(`media[${index}].mime`);
  return (
    <div className="media-item" role="group" aria-label={t('compose.mediaItem', { number: index + 1 })}>
      <TextField
        label={t('compose.mediaUrl')}
        type="url"
        inputMode="url"
        value={item.url}
        onChange={(url) => onChange({ url })}
        errors={errorsFor(`media[${index}].url`)}
      />
      <TextField
        label={t('compose.altText')}
        description={t('compose.altTextHelp')}
        value={item.altText}
        multiline
        rows={2}
        onChange={(altText) => onChange({ altText })}
        errors={errorsFor(`media[${index}].altText`)}
      />
      <div className={`field${mimeErrors.length ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-mime`}>{t('compose.mime')}</label>
        <select
          id={`${id}-mime`}
          value={item.mime}
          aria-invalid={mimeErrors.length > 0 || undefined}
          aria-describedby={mimeErrors.length ? `${id}-mime-errors` : undefined}
          onChange={(event) => onChange({ mime: event.target.value as Media['mime'] })}
        >
          {MEDIA_MIMES.map((mime) => (
            <option key={mime} value={mime}>
              {mime}
            </option>
          ))}
        </select>
        <FieldErrors id={`${id}-mime-errors`} messages={mimeErrors} />
      </div>
      <Button variant="quiet" onPress={onRemove}>
        {t('compose.removeMedia', { number: index + 1 })}
      </Button>
    </div>
  );
}

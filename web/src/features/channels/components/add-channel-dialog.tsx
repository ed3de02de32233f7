/** Adding a channel (admin): platform, handle, display name, profile; it starts frozen until its account is connected. */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PLATFORM_IDS, PLATFORMS, type PlatformId } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { FieldErrors } from '@/components/ui/field-error';
import { TextField } from '@/components/ui/text-field';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { useCreateChannel, type ChannelView } from '../api/channels';
import { FormDialog } from './form-dialog';

const EMPTY = { platform: 'threads' as PlatformId, handle: '', displayName: '', profileUrl: '' };

export function AddChannelDialog({ onAdded }: { onAdded(channel: ChannelView): void }) {
  const { t } = useTranslation();
  const create = useCreateChannel();
  // only the platforms this deployment publishes to (herold:platforms) are offered
  const offered = useMe().data?.platforms ?? PLATFORM_IDS;
  const [values, setValues] = useState(EMPTY);
  const [problem, setProblem] = useState<ApiProblem | string>();
  const platformId = useId();
  const set = (name: keyof typeof EMPTY) => (value: string) => setValues((current) => ({ ...current, [name]: value }));
  const local = (name: 'handle' | 'displayName') =>
    problem !== undefined && !values[name].trim() ? [t('errors.required')] : [];
  const errorsOf = (field: string) =>
    problem instanceof ApiProblem ? problem.forField(field).map((error) => error.message) : [];
  const submit = async () => {
    if (!values.handle.trim() || !values.displayName.trim()) {
      setProblem(t('channels.add.missing'));
      return false;
    }
    setProblem(undefined);
    try {
      const channel = await create.mutateAsync({
        platform: values.platform,
        handle: values.handle.trim(),
        displayName: values.displayName.trim(),
        ...(values.profileUrl.trim() ? { profileUrl: values.profileUrl.trim() } : {}),
      });
      onAdded(channel);
      return true;
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error : t('errors.connection'));
      return false;
    }
  };
  return (
    <FormDialog
      trigger={<Button variant="primary">{t('channels.add.open')}</Button>}
      title={t('channels.add.title')}
      submitLabel={t('channels.add.submit')}
      onSubmit={submit}
      problem={problem instanceof ApiProblem ? (problem.errors.length ? undefined : problem.message) : problem}
      onOpenChange={(open) => {
        if (open) {
          setValues({ ...EMPTY, platform: offered.includes(EMPTY.platform) ? EMPTY.platform : offered[0]! });
          setProblem(undefined);
        }
      }}
    >
      <p>{t('channels.add.intro')}</p>
      <div className="field">
        <label htmlFor={platformId}>{t('channels.add.platform')}</label>
        <select id={platformId} value={values.platform} onChange={(event) => set('platform')(event.target.value)}>
          {offered.map((id) => (
            <option key={id} value={id}>
              {PLATFORMS[id].displayName}
            </option>
          ))}
        </select>
        <FieldErrors id={`${platformId}-errors`} messages={errorsOf('platform')} />
      </div>
      <TextField
        label={t('channels.add.handle')}
        description={t('channels.add.handleHint')}
        value={values.handle}
        onChange={set('handle')}
        errors={[...local('handle'), ...errorsOf('handle')]}
        required
      />
      <TextField
        label={t('channels.add.displayName')}
        value={values.displayName}
        onChange={set('displayName')}
        errors={[...local('displayName'), ...errorsOf('displayName')]}
        required
      />
      <TextField
        label={t('channels.add.profileUrl')}
        description={t('channels.add.profileUrlHint')}
        value={values.profileUrl}
        onChange={set('profileUrl')}
        errors={errorsOf('profileUrl')}
        type="url"
      />
    </FormDialog>
  );
}

/**
 * The organisation's settings: the public directory's display name and the sites allowed to embed it
 * (administrators change them; the directory is rebuilt at once), and what to give the city's web
 * team: the directory's addresses, where the QR codes for print are, and the embed snippet to copy.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { embedSnippet, useSaveSettings, useSettings } from '../api/settings';

export function SettingsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const org = me.data?.org;
  const settings = useSettings(org);
  const save = useSaveSettings(org ?? '');
  const admin = me.data?.roles.includes('admin') ?? false;
  const [displayName, setDisplayName] = useState('');
  const [origins, setOrigins] = useState('');
  const [problem, setProblem] = useState<ApiProblem | string>();
  const [saved, setSaved] = useState(false);
  /** a save was tried: the fields show what is wrong with them */
  const [checked, setChecked] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!settings.data) return;
    setDisplayName(settings.data.displayName);
    setOrigins(settings.data.embedOrigins.join('\n'));
  }, [settings.data]);

  const originList = origins
    .split(/\s+/)
    .map((origin) => origin.trim())
    .filter(Boolean);
  // an origin as CSP frame-ancestors takes it: https, a host, no path (the API says the same)
  const originErrors = originList
    .filter((origin) => !/^https:\/\/[^/?#\s]+\/?$/.test(origin))
    .map((origin) => t('settings.originInvalid', { origin }));
  const errorsOf = (field: string) =>
    problem instanceof ApiProblem
      ? problem.forField(field).map((error) => {
          const index = /^embedOrigins\.(\d+)/.exec(error.field)?.[1];
          return index === undefined ? error.message : `${originList[Number(index)] ?? ''}: ${error.message}`;
        })
      : [];

  const submit = async () => {
    setProblem(undefined);
    setSaved(false);
    setChecked(true);
    if (originErrors.length > 0) return;
    if (!displayName.trim()) {
      setProblem(new ApiProblem(400, { errors: [{ field: 'displayName', message: t('errors.required') }] }));
      return;
    }
    try {
      await save.mutateAsync({ displayName: displayName.trim(), embedOrigins: originList });
      setSaved(true);
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error : t('errors.connection'));
    }
  };

  const directory = settings.data?.directory;
  const snippet = directory ? embedSnippet(directory.embed, settings.data?.displayName ?? '') : '';
  return (
    <div className="settings">
      <h1>{t('settings.title')}</h1>
      {settings.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {settings.data ? (
        <>
          <section aria-labelledby="settings-directory">
            <h2 id="settings-directory">{t('settings.directory')}</h2>
            {directory ? (
              <dl className="addresses">
                <dt>{t('settings.address')}</dt>
                <dd>
                  <a href={directory.url}>{directory.url}</a>
                </dd>
                <dt>{t('settings.english')}</dt>
                <dd>
                  <a href={directory.english}>{directory.english}</a>
                </dd>
                <dt>{t('settings.feed')}</dt>
                <dd>
                  <a href={directory.feed}>{directory.feed}</a>
                </dd>
                <dt>{t('settings.qr')}</dt>
                <dd>
                  {t('settings.qrText')} <a href={directory.url}>{t('settings.qrLink')}</a>
                </dd>
              </dl>
            ) : (
              <p>{t('settings.noDirectory')}</p>
            )}
          </section>
          {directory ? (
            <section aria-labelledby="settings-embed">
              <h2 id="settings-embed">{t('settings.embed')}</h2>
              <p id="settings-embed-hint">{t('settings.embedHint')}</p>
              <textarea
                className="snippet"
                readOnly
                rows={3}
                value={snippet}
                aria-labelledby="settings-embed"
                aria-describedby="settings-embed-hint"
              />
              <div className="handoff-actions">
                <Button
                  onPress={() =>
                    void navigator.clipboard.writeText(snippet).then(
                      () => setCopied(true),
                      () => setCopied(false),
                    )
                  }
                >
                  {t('settings.copy')}
                </Button>
                <span role="status" className="copy-status">
                  {copied ? t('settings.copied') : ''}
                </span>
              </div>
            </section>
          ) : null}
          <section aria-labelledby="settings-edit">
            <h2 id="settings-edit">{t('settings.edit')}</h2>
            {admin ? (
              <form
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  void submit();
                }}
              >
                <TextField
                  label={t('settings.displayName')}
                  description={t('settings.displayNameHint')}
                  value={displayName}
                  onChange={setDisplayName}
                  errors={errorsOf('displayName')}
                  required
                />
                <TextField
                  label={t('settings.embedOrigins')}
                  description={t('settings.embedOriginsHint')}
                  value={origins}
                  onChange={setOrigins}
                  errors={[...(checked ? originErrors : []), ...errorsOf('embedOrigins')]}
                  multiline
                  rows={4}
                />
                {typeof problem === 'string' || (problem && problem.errors.length === 0) ? (
                  <p className="form-problem" role="alert">
                    {typeof problem === 'string' ? problem : problem.message}
                  </p>
                ) : null}
                <div className="handoff-actions">
                  <Button variant="primary" type="submit" isDisabled={save.isPending}>
                    {t('settings.save')}
                  </Button>
                  <span role="status" className="copy-status">
                    {saved ? t('settings.saved') : ''}
                  </span>
                </div>
              </form>
            ) : (
              <p className="note">{t('settings.adminOnly')}</p>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}

/**
 * Connecting an account that needs something typed in: a Mastodon instance, a Bluesky app password,
 * a Telegram bot token, a WhatsApp invite link, or the Page, organisation or board to post to. The
 * sign-in platforms answer an address at the platform, where the browser goes next; the others are
 * checked by the API at once.
 */
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PLATFORMS } from '@shared/platforms/registry';
import { TextField } from '@/components/ui/text-field';
import { ApiProblem } from '@/lib/problem';
import { useConnect, type ChannelView } from '../api/channels';
import { CONNECT_KINDS, knownInstance } from '../api/connect-kinds';
import { FormDialog } from './form-dialog';

type Values = Record<string, string>;

const FIELDS = {
  signIn: [],
  target: ['target'],
  mastodon: ['instance'],
  bluesky: ['identifier', 'appPassword'],
  telegram: ['botToken', 'channel'],
  whatsapp: ['inviteLink'],
} as const;

export function ConnectDialog({
  channel,
  trigger,
  onConnected,
}: {
  channel: ChannelView;
  trigger: ReactNode;
  onConnected(channel: ChannelView): void;
}) {
  const { t } = useTranslation();
  const connect = useConnect();
  const kind = CONNECT_KINDS[channel.platform];
  const initial = (): Values => ({
    instance: knownInstance(channel.account) ?? '',
    identifier: '',
    appPassword: '',
    botToken: '',
    channel: '',
    inviteLink: channel.platform === 'whatsapp' && channel.account.startsWith('https://') ? channel.account : '',
    target: '',
  });
  const [values, setValues] = useState<Values>(initial);
  const [problem, setProblem] = useState<ApiProblem | string>();
  const platform = PLATFORMS[channel.platform].displayName;
  const errorsOf = (field: string) =>
    problem instanceof ApiProblem ? problem.forField(field).map((error) => error.message) : [];
  const general = problem instanceof ApiProblem ? (problem.errors.length === 0 ? problem.message : undefined) : problem;

  const submit = async () => {
    setProblem(undefined);
    const body = Object.fromEntries(
      FIELDS[kind].map((field) => [field, values[field]?.trim() ?? '']).filter(([, value]) => value !== ''),
    );
    try {
      const answer = await connect.mutateAsync({ id: channel.id, body });
      if (answer.kind === 'oauth') {
        window.location.assign(answer.authorizationUrl);
        return false;
      }
      onConnected(answer.channel);
      return true;
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error : t('errors.connection'));
      return false;
    }
  };

  const field = (name: (typeof FIELDS)[typeof kind][number], type: 'text' | 'url' | 'password' = 'text') => (
    <TextField
      key={name}
      label={t(`channels.connect.fields.${name}`)}
      description={t(`channels.connect.hints.${name}`, { platform })}
      value={values[name] ?? ''}
      onChange={(value) => setValues((current) => ({ ...current, [name]: value }))}
      errors={errorsOf(name)}
      type={type}
      autoComplete={type === 'password' ? 'off' : undefined}
      required={name === 'instance' || name === 'appPassword' || name === 'botToken' || name === 'inviteLink'}
    />
  );

  return (
    <FormDialog
      trigger={trigger}
      title={t('channels.connect.title', { name: channel.displayName ?? channel.handle, platform })}
      submitLabel={t(
        kind === 'bluesky' || kind === 'telegram' || kind === 'whatsapp'
          ? 'channels.connect.check'
          : 'channels.connect.toSignIn',
        { platform },
      )}
      onSubmit={submit}
      problem={general}
      onOpenChange={(open) => {
        if (open) {
          setValues(initial());
          setProblem(undefined);
        }
      }}
    >
      <p>{t(`channels.connect.intro.${kind}`, { platform })}</p>
      {kind === 'target' ? field('target') : null}
      {kind === 'mastodon' ? field('instance', 'url') : null}
      {kind === 'bluesky' ? (
        <>
          {field('identifier')}
          {field('appPassword', 'password')}
        </>
      ) : null}
      {kind === 'telegram' ? (
        <>
          {field('botToken', 'password')}
          {field('channel')}
        </>
      ) : null}
      {kind === 'whatsapp' ? field('inviteLink', 'url') : null}
    </FormDialog>
  );
}

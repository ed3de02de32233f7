/**
 * Every channel's health at a glance: state, connected account, token expiry and last refresh, the
 * last publish and its result, the 7-day token warning, a Mastodon instance's own text limit, and
 * when Herold cannot read a channel's replies, why and what to do (a Telegram channel needs a linked
 * discussion group in which its bot reads every message). An
 * administrator adds channels, connects or reconnects an account in one click (the sign-in platforms
 * through the platform's own page, which returns here with the outcome), and freezes, unfreezes or
 * retires a channel after a confirmation. Everyone else sees the same health, without the actions.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'wouter';
import { PLATFORMS } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/ui/status-badge';
import { useFormat } from '@/lib/format';
import type { Tone } from '@/lib/message-status';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { useChannelViews, useConnect, type ChannelView, type Retirement } from '../api/channels';
import { CONNECT_KINDS, oneClickBody } from '../api/connect-kinds';
import { AddChannelDialog } from './add-channel-dialog';
import { ConnectDialog } from './connect-dialog';
import { StateDialog } from './state-dialog';

const STATE_TONES: Record<ChannelView['state'], Tone> = { active: 'ok', frozen: 'warn', retired: 'neutral' };
const PUBLISH_TONES: Record<NonNullable<ChannelView['lastPublish']>['state'], Tone> = {
  PUBLISHED: 'ok',
  FAILED: 'bad',
  HANDOFF: 'info',
};

export function ChannelsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const channels = useChannelViews();
  const [params, setParams] = useSearchParams();
  const [notice, setNotice] = useState<{ tone: Tone; text: string }>();
  const admin = me.data?.roles.includes('admin') ?? false;
  const returned = params.get('channel');
  const outcome = params.get('outcome');

  // back from a platform's sign-in: the outcome as the channel now records it
  useEffect(() => {
    if (!outcome || !channels.data) return;
    const channel = channels.data.find((item) => item.id === returned);
    const name = channel ? (channel.displayName ?? channel.handle) : '';
    if (outcome === 'connected' && channel)
      setNotice({
        tone: 'ok',
        text: t('channels.outcome.connected', {
          name,
          platform: PLATFORMS[channel.platform].displayName,
          account: channel.connection.accountName ?? channel.handle,
        }),
      });
    else if (outcome === 'failed' && channel)
      setNotice({
        tone: 'bad',
        text: t('channels.outcome.failed', { name, reason: channel.connection.lastFailure?.reason ?? '' }),
      });
    else setNotice({ tone: 'bad', text: t('channels.outcome.refused') });
  }, [outcome, returned, channels.data, t]);

  const announce = (tone: Tone, text: string) => {
    if (outcome) setParams({});
    setNotice({ tone, text });
  };
  const items = channels.data ?? [];
  return (
    <div className="channels">
      <div className="page-head">
        <h1>{t('channels.title')}</h1>
        {admin ? (
          <AddChannelDialog
            onAdded={(channel) =>
              announce('ok', t('channels.add.done', { name: channel.displayName ?? channel.handle }))
            }
          />
        ) : null}
      </div>
      {!admin && me.data ? <p className="note">{t('channels.adminOnly')}</p> : null}
      <div role="status" className="notice-region">
        {notice ? (
          <p className={`notice notice-${notice.tone}`} data-notice={notice.tone}>
            {notice.text}
          </p>
        ) : null}
      </div>
      {channels.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {channels.isError ? <p role="alert">{t('errors.connection')}</p> : null}
      {items.length > 0 ? (
        <table className="channel-table">
          <caption className="visually-hidden">{t('channels.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('channels.columns.channel')}</th>
              <th scope="col">{t('channels.columns.state')}</th>
              <th scope="col">{t('channels.columns.connection')}</th>
              <th scope="col">{t('channels.columns.token')}</th>
              <th scope="col">{t('channels.columns.lastPublish')}</th>
              {admin ? <th scope="col">{t('channels.columns.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((channel) => (
              <ChannelRow
                key={channel.id}
                channel={channel}
                admin={admin}
                highlighted={channel.id === returned}
                announce={announce}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function ChannelRow({
  channel,
  admin,
  highlighted,
  announce,
}: {
  channel: ChannelView;
  admin: boolean;
  highlighted: boolean;
  announce(tone: Tone, text: string): void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const connect = useConnect();
  const platform = PLATFORMS[channel.platform].displayName;
  const name = channel.displayName ?? channel.handle;
  const connected = channel.connection.status === 'connected';
  const expiresAt = channel.tokenExpiresAt;
  const oneClick = oneClickBody(channel.platform, channel.account);
  const kind = CONNECT_KINDS[channel.platform];
  const connectLabel = connected ? t('channels.reconnect') : t('channels.connectAccount');

  const startOneClick = () => {
    if (!oneClick) return;
    connect.mutate(
      { id: channel.id, body: oneClick },
      {
        onSuccess: (answer) => {
          if (answer.kind === 'oauth') window.location.assign(answer.authorizationUrl);
        },
        onError: (error) =>
          announce(
            'bad',
            t('channels.outcome.failed', {
              name,
              reason: error instanceof ApiProblem ? error.message : t('errors.connection'),
            }),
          ),
      },
    );
  };
  const stateDone = (after: ChannelView, retirement?: Retirement) =>
    announce(
      after.state === 'active' ? 'ok' : 'warn',
      [
        t(`channels.state.done.${after.state}`, { name, platform }),
        retirement ? t(`channels.retirement.${retirement.revocation}`, { platform }) : '',
        retirement
          ? t(retirement.secretDeleted ? 'channels.retirement.secretDeleted' : 'channels.retirement.secretKept')
          : '',
        retirement?.detail ?? '',
      ]
        .filter(Boolean)
        .join(' '),
    );

  return (
    <tr data-channel={channel.id} data-state={channel.state} className={highlighted ? 'highlighted' : undefined}>
      <th scope="row">
        <span className="channel-name">{name}</span>
        <span className="channel-platform">{platform}</span>
        <span className="channel-handle">
          {channel.profileUrl ? <a href={channel.profileUrl}>{channel.handle}</a> : channel.handle}
        </span>
        {channel.textLimit ? (
          <span className="channel-detail">
            {t('channels.textLimit', { count: channel.textLimit, limit: format.number(channel.textLimit) })}
          </span>
        ) : null}
        {channel.followers ? (
          <span className="channel-detail">
            {t('channels.followers', {
              count: channel.followers.count,
              figure: format.number(channel.followers.count),
              date: format.date(channel.followers.date),
            })}
          </span>
        ) : null}
      </th>
      <td>
        <StatusBadge tone={STATE_TONES[channel.state]}>{t(`channelStates.${channel.state}`)}</StatusBadge>
        {channel.stateReason ? <span className="channel-detail">{channel.stateReason}</span> : null}
        <InboxWarning channel={channel} />
      </td>
      <td>
        {connected ? (
          <>
            <StatusBadge tone="ok">{t('channels.connected')}</StatusBadge>
            <span className="channel-detail">
              {channel.connection.accountName ?? channel.handle}
              {channel.connection.connectedAt
                ? ` · ${t('channels.connectedAt', {
                    when: format.dateTime(channel.connection.connectedAt),
                    who: channel.connection.connectedBy ?? '–',
                  })}`
                : ''}
            </span>
          </>
        ) : (
          <StatusBadge tone="warn">{t('channels.notConnected')}</StatusBadge>
        )}
        {channel.connection.lastFailure ? (
          <span className="channel-detail failure">
            {t('channels.lastFailure', {
              when: format.dateTime(channel.connection.lastFailure.at),
              reason: channel.connection.lastFailure.reason,
            })}
          </span>
        ) : null}
      </td>
      <td className="token">
        {channel.needsReauth ? <StatusBadge tone="bad">{t('channels.needsReauth')}</StatusBadge> : null}
        {!channel.needsReauth && channel.tokenExpiresSoon && expiresAt ? (
          <StatusBadge tone="warn">
            {Date.parse(expiresAt) <= Date.now() ? t('channels.tokenExpired') : t('channels.tokenExpiresSoon')}
          </StatusBadge>
        ) : null}
        <span className="channel-detail">
          {expiresAt
            ? t('channels.tokenExpiresAt', { when: format.dateTime(expiresAt) })
            : connected && PLATFORMS[channel.platform].publishing === 'api'
              ? t('channels.tokenNoExpiry')
              : '–'}
        </span>
        {channel.tokenRefreshedAt ? (
          <span className="channel-detail">
            {t('channels.tokenRefreshedAt', { when: format.dateTime(channel.tokenRefreshedAt) })}
          </span>
        ) : null}
        {channel.tokenRenews ? <span className="channel-detail">{t('channels.tokenRenews')}</span> : null}
      </td>
      <td>
        {channel.lastPublish ? (
          <>
            <StatusBadge tone={PUBLISH_TONES[channel.lastPublish.state]}>
              {t(`states.${channel.lastPublish.state}`)}
            </StatusBadge>
            <span className="channel-detail">
              <Link href={`/messages/${channel.lastPublish.messageId}`}>
                {format.dateTime(channel.lastPublish.at)}
                <span className="visually-hidden"> ({t('channels.openMessage', { platform })})</span>
              </Link>
              {channel.lastPublish.detail ? ` · ${channel.lastPublish.detail}` : ''}
            </span>
          </>
        ) : (
          <span className="channel-detail">{t('channels.neverPublished')}</span>
        )}
      </td>
      {admin ? (
        <td className="actions">
          {channel.state === 'retired' ? null : (
            <div className="action-row">
              {oneClick ? (
                <Button variant="primary" onPress={startOneClick} isDisabled={connect.isPending}>
                  {connectLabel}
                  <span className="visually-hidden">: {t('channels.channelLabel', { name, platform })}</span>
                </Button>
              ) : null}
              {kind !== 'signIn' ? (
                <ConnectDialog
                  channel={channel}
                  onConnected={(after) =>
                    announce(
                      'ok',
                      t('channels.outcome.connected', {
                        name,
                        platform,
                        account: after.connection.accountName ?? after.handle,
                      }),
                    )
                  }
                  trigger={
                    <Button variant={oneClick ? 'secondary' : 'primary'}>
                      {oneClick ? t(`channels.connectOther.${kind}`) : connectLabel}
                      <span className="visually-hidden">: {t('channels.channelLabel', { name, platform })}</span>
                    </Button>
                  }
                />
              ) : null}
              {channel.state === 'active' ? <StateDialog channel={channel} action="freeze" onDone={stateDone} /> : null}
              {channel.state === 'frozen' && connected ? (
                <StateDialog channel={channel} action="unfreeze" onDone={stateDone} />
              ) : null}
              <StateDialog channel={channel} action="retire" onDone={stateDone} />
            </div>
          )}
        </td>
      ) : null}
    </tr>
  );
}

/** The replies inbox's "no access", as the last collection or access check found it, with what to do about it. */
function InboxWarning({ channel }: { channel: ChannelView }) {
  const { t } = useTranslation();
  const inbox = channel.inbox;
  if (inbox?.status !== 'no-access') return null;
  const reason = inbox.reason ?? '';
  const advice =
    channel.platform !== 'telegram'
      ? t('channels.inbox.other', { reason })
      : inbox.discussionGroup
        ? t('channels.inbox.discussionGroup', { reason })
        : t('channels.inbox.noDiscussionGroup');
  return (
    <span className="inbox-warning" data-inbox="no-access">
      <StatusBadge tone="warn">{t('channels.inbox.badge')}</StatusBadge>
      <span className="channel-detail failure">{advice}</span>
    </span>
  );
}

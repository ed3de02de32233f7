/**
 * The replies inbox: citizens' public replies to the organisation's posts, grouped by post, replies
 * to an emergency message on top, and within a post the questions first, then the newest. An editor
 * answers a reply (published threaded under it) or hides it with a rule of the netiquette, and shows
 * it again. The inbox says where it cannot see: platforms without a comments API or with paid reads,
 * and channels without read access or waiting for the platform's rate limit.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { PLATFORMS, isPlatformId, type PlatformId } from '@shared/platforms/registry';
import { Button } from '@/components/ui/button';
import { useFormat } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { useMe } from '@/lib/session';
import { useAnswer, useHide, useInbox, useUnhide, type Inbox, type InboxFilter, type Reply } from '../api/replies';

/** Replies of one post, the groups in the order the duty officer reads them. */
export function groupReplies(replies: readonly Reply[]): { messageId: string; emergency: boolean; replies: Reply[] }[] {
  const groups = new Map<string, Reply[]>();
  for (const reply of replies) groups.set(reply.messageId, [...(groups.get(reply.messageId) ?? []), reply]);
  const newest = (list: Reply[]) =>
    list.reduce((latest, reply) => (reply.repliedAt > latest ? reply.repliedAt : latest), '');
  return [...groups.entries()]
    .map(([messageId, list]) => ({
      messageId,
      emergency: list.some((reply) => reply.emergency),
      replies: [...list].sort(
        (a, b) => Number(b.question) - Number(a.question) || b.repliedAt.localeCompare(a.repliedAt),
      ),
    }))
    .sort((a, b) => Number(b.emergency) - Number(a.emergency) || newest(b.replies).localeCompare(newest(a.replies)));
}

export function InboxScreen() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<InboxFilter>({ unanswered: false });
  const inbox = useInbox(filter);
  const groups = groupReplies(inbox.data?.items ?? []);
  const posts = new Map((inbox.data?.posts ?? []).map((post) => [post.messageId, post]));
  return (
    <div className="inbox">
      <h1>{t('inbox.title')}</h1>
      <div className="filters">
        <label htmlFor="inbox-platform">{t('inbox.platform')}</label>
        <select
          id="inbox-platform"
          value={filter.platform ?? ''}
          onChange={(event) =>
            setFilter({ ...filter, platform: isPlatformId(event.target.value) ? event.target.value : undefined })
          }
        >
          <option value="">{t('inbox.allPlatforms')}</option>
          {(inbox.data?.platforms ?? [])
            .filter((platform) => platform.collect !== 'none')
            .map((platform) => (
              <option key={platform.platform} value={platform.platform}>
                {PLATFORMS[platform.platform].displayName}
              </option>
            ))}
        </select>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={filter.unanswered}
            onChange={(event) => setFilter({ ...filter, unanswered: event.target.checked })}
          />
          {t('inbox.unanswered')}
        </label>
      </div>
      {inbox.data ? <Coverage inbox={inbox.data} /> : null}
      {inbox.isPending ? <p role="status">{t('common.loading')}</p> : null}
      {inbox.data && groups.length === 0 ? <p>{t('inbox.empty', { days: inbox.data.retentionDays })}</p> : null}
      {groups.map((group) => (
        <section key={group.messageId} className="inbox-post" aria-labelledby={`post-${group.messageId}`}>
          <h2 id={`post-${group.messageId}`}>
            {group.emergency ? <span className="badge badge-danger">{t('inbox.emergency')}</span> : null}{' '}
            <Link href={`/messages/${group.messageId}`}>
              {posts.get(group.messageId)?.excerpt ?? t('inbox.postUnknown')}
            </Link>
          </h2>
          <p className="inbox-post-count">{t('inbox.post', { count: group.replies.length })}</p>
          <ul className="reply-list">
            {group.replies.map((reply) => (
              <li key={reply.id}>
                <ReplyCard reply={reply} netiquette={inbox.data?.netiquette ?? []} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** Where the inbox cannot see, said plainly. */
function Coverage({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  const unavailable = inbox.platforms.filter((platform) => platform.unavailable);
  const blocked = inbox.channels.filter(
    (channel) => channel.inbox && channel.inbox.status !== 'ok' && channel.state === 'active',
  );
  return (
    <ul className="inbox-coverage">
      {unavailable.map((platform) => (
        <li key={platform.platform}>
          {t(`inbox.unavailable.${platform.unavailable!}`, { platform: PLATFORMS[platform.platform].displayName })}
        </li>
      ))}
      {blocked.map((channel) => (
        <li key={channel.id} className="warning">
          {t(channel.inbox!.status === 'waiting' ? 'inbox.waiting' : 'inbox.noAccess', {
            channel: channel.name ?? PLATFORMS[channel.platform].displayName,
            reason: channel.inbox!.reason ?? '',
          })}
        </li>
      ))}
    </ul>
  );
}

function ReplyCard({ reply, netiquette }: { reply: Reply; netiquette: Inbox['netiquette'] }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const me = useMe();
  const editor = me.data?.roles.includes('editor') ?? false;
  const answer = useAnswer();
  const hide = useHide();
  const unhide = useUnhide();
  const [mode, setMode] = useState<'read' | 'answer' | 'hide'>('read');
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const ids = useId();
  const onError = (error: unknown) => setProblem(error instanceof ApiProblem ? error.message : t('errors.connection'));
  const platform: PlatformId = reply.platform;
  const author = reply.author.name ?? reply.author.handle ?? t('inbox.unknownAuthor');
  return (
    <article
      className={`reply${reply.hidden ? ' reply-hidden' : ''}`}
      data-reply={reply.id}
      aria-labelledby={`${ids}-who`}
    >
      <header>
        <span id={`${ids}-who`}>
          <strong>{author}</strong>
          {reply.author.handle && reply.author.name ? <> @{reply.author.handle}</> : null} ·{' '}
          {PLATFORMS[platform].displayName} · <time dateTime={reply.repliedAt}>{format.dateTime(reply.repliedAt)}</time>
        </span>{' '}
        {reply.question ? <span className="badge badge-warning">{t('inbox.question')}</span> : null}{' '}
        {reply.hidden ? <span className="badge">{t('inbox.hidden')}</span> : null}{' '}
        {reply.answer ? <span className="badge badge-success">{t('inbox.answered')}</span> : null}
      </header>
      <p className="reply-text" lang={i18n.language === 'en' ? undefined : 'de'}>
        {reply.text}
      </p>
      {reply.hiddenBy ? (
        <p className="muted">
          {t('inbox.hiddenBy', {
            who: reply.hiddenBy.byName ?? reply.hiddenBy.by,
            reason:
              netiquette.find((rule) => rule.id === reply.hiddenBy!.reason)?.[i18n.language === 'en' ? 'en' : 'de'] ??
              reply.hiddenBy.reason,
          })}
        </p>
      ) : null}
      {reply.pending ? <p role="status">{t(`inbox.pending.${reply.pending.action}`)}</p> : null}
      {reply.moderationError ? <p className="field-errors">{reply.moderationError.detail}</p> : null}
      {editor && mode === 'read' ? (
        <div className="actions">
          {!reply.answer ? <Button onPress={() => setMode('answer')}>{t('inbox.answer')}</Button> : null}
          {reply.canHide && !reply.hidden && !reply.pending ? (
            <Button variant="danger" onPress={() => setMode('hide')}>
              {t('inbox.hide')}
            </Button>
          ) : null}
          {reply.canHide && reply.hidden && !reply.pending ? (
            <Button onPress={() => unhide.mutate(reply.id, { onError })}>{t('inbox.unhide')}</Button>
          ) : null}
          {!reply.canHide ? (
            <span className="muted">{t('inbox.cannotHide', { platform: PLATFORMS[platform].displayName })}</span>
          ) : null}
        </div>
      ) : null}
      {mode === 'answer' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            answer.mutate({ id: reply.id, text }, { onSuccess: () => setMode('read'), onError });
          }}
        >
          <label htmlFor={`${ids}-answer`}>{t('inbox.answerLabel', { author })}</label>
          <textarea
            id={`${ids}-answer`}
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={3}
            required
          />
          <div className="actions">
            <Button type="submit" variant="primary" isDisabled={!text.trim() || answer.isPending}>
              {t('inbox.send')}
            </Button>
            <Button onPress={() => setMode('read')}>{t('inbox.cancel')}</Button>
          </div>
        </form>
      ) : null}
      {mode === 'hide' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            hide.mutate({ id: reply.id, reason }, { onSuccess: () => setMode('read'), onError });
          }}
        >
          <label htmlFor={`${ids}-reason`}>{t('inbox.reason')}</label>
          <select id={`${ids}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required>
            <option value="">{t('inbox.chooseReason')}</option>
            {netiquette.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {i18n.language === 'en' ? rule.en : rule.de}
              </option>
            ))}
          </select>
          <div className="actions">
            <Button type="submit" variant="danger" isDisabled={!reason || hide.isPending}>
              {t('inbox.hideNow')}
            </Button>
            <Button onPress={() => setMode('read')}>{t('inbox.cancel')}</Button>
          </div>
        </form>
      ) : null}
      {problem ? (
        <p className="field-errors" role="alert">
          {problem}
        </p>
      ) : null}
    </article>
  );
}

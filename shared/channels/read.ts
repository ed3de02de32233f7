/** Channels as the API shows them: the caller's own, without credential references, with their health. */
import type { Channel, Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { getChannel, listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { latestFollowerFigure } from '../followers/store';
import { readLastPublish, readLastPublishes } from './last-publish';
import { EXPIRY_WARNING_MS } from '../tokens/policy';

/**
 * What the Channels page shows of a channel: everything but the credentials reference, the
 * connection (a channel without one was set up by hand: connected), and the token warning from 7 days
 * before the token expires, the daily token health check's threshold, for a token Herold cannot
 * renew itself (an hour-long YouTube token that the publisher renews on use is no cause for alarm).
 */
export function channelView(channel: Channel, now = new Date()) {
  const { credentialsRef: _credentialsRef, ...visible } = channel;
  const expiresAt = channel.tokenExpiresAt ? Date.parse(channel.tokenExpiresAt) : undefined;
  return {
    ...visible,
    connection: channel.connection ?? { status: 'connected' as const },
    tokenExpiresSoon: !channel.tokenRenews && expiresAt !== undefined && expiresAt - now.getTime() <= EXPIRY_WARNING_MS,
  };
}
export type ChannelView = ReturnType<typeof channelView>;

/**
 * Each channel as the Channels page shows it, with its latest follower figure (`followers`: count and
 * date, absent while it was never measured): what the confirmation of a live alert names, "an 37.177 +
 * 7.113 … Follower". One Query per channel, newest figure only, all at once; and how its last publish
 * went (`lastPublish`), read in one batch.
 */
export async function listChannelsForPrincipal(store: Store, principal: Principal, now = new Date()) {
  const channels = await listChannels(store, principal.org);
  const [figures, lastPublishes] = await Promise.all([
    Promise.all(channels.map((channel) => latestFollowerFigure(store.doc, store.table, channel.id))),
    readLastPublishes(
      store,
      channels.map((channel) => channel.id),
    ),
  ]);
  return channels.map((channel, index) => {
    const figure = figures[index];
    const lastPublish = lastPublishes.get(channel.id);
    return {
      ...channelView(channel, now),
      ...(figure ? { followers: { count: figure.count, date: figure.date } } : {}),
      ...(lastPublish ? { lastPublish } : {}),
    };
  });
}

/** One channel of the caller's organisation as the Channels page shows it, with how its last publish went. */
export async function channelForPrincipal(store: Store, principal: Principal, channelId: string, now = new Date()) {
  const [channel, lastPublish] = await Promise.all([
    ownChannel(store, principal, channelId),
    readLastPublish(store, channelId),
  ]);
  return { ...channelView(channel, now), ...(lastPublish ? { lastPublish } : {}) };
}

/** A channel of the caller's organisation; another organisation's answers exactly like one that does not exist. */
export async function ownChannel(store: Store, principal: Principal, channelId: string): Promise<Channel> {
  const channel = await getChannel(store, channelId);
  if (!channel || channel.org !== principal.org) throw new ProblemError(404, `channel "${channelId}" not found`);
  return channel;
}

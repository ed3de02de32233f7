/** Channels as the API shows them: the caller's own, without credential references. */
import type { Principal } from '../model/schemas';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { latestFollowerFigure } from '../followers/store';

/**
 * Each channel with its latest follower figure (`followers`: count and date, absent while it was
 * never measured): what the confirmation of a live alert names, "an 37.177 + 7.113 … Follower".
 * One Query per channel, newest figure only, all at once.
 */
export async function listChannelsForPrincipal(store: Store, principal: Principal) {
  const channels = await listChannels(store, principal.org);
  const figures = await Promise.all(
    channels.map((channel) => latestFollowerFigure(store.doc, store.table, channel.id)),
  );
  return channels.map(({ credentialsRef: _credentialsRef, ...channel }, index) => {
    const figure = figures[index];
    return { ...channel, ...(figure ? { followers: { count: figure.count, date: figure.date } } : {}) };
  });
}

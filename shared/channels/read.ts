/** Channels as the API shows them: the caller's own, without credential references. */
import type { Principal } from '../model/schemas';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';

export async function listChannelsForPrincipal(store: Store, principal: Principal) {
  const channels = await listChannels(store, principal.org);
  return channels.map(({ credentialsRef: _credentialsRef, ...channel }) => channel);
}

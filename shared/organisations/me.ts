/**
 * `GET /me`: who the caller is and what the workspace needs to know of their organisation on every
 * page: the time zone scheduled times are entered in, whether routine posts are held, and the
 * platforms this deployment publishes to (herold:platforms), the only ones a channel can be added on.
 */
import { deployedPlatforms } from '../config';
import type { Principal } from '../model/schemas';
import { holdView } from '../scheduling/crisis';
import { getOrgSchedulingSettings } from '../scheduling/settings';
import type { Store } from '../store/client';

export async function describeCaller(store: Store, principal: Principal) {
  const [settings, hold] = await Promise.all([
    getOrgSchedulingSettings(store, principal.org),
    holdView(store, principal.org),
  ]);
  return {
    sub: principal.sub,
    org: principal.org,
    roles: principal.roles,
    platforms: deployedPlatforms(),
    organisation: {
      timeZone: settings.timeZone,
      hold: {
        active: hold.active || hold.followed.some((other) => other.active),
        ...(hold.reason ? { reason: hold.reason } : {}),
        followed: hold.followed,
      },
    },
  };
}

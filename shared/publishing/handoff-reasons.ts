/**
 * Why a delivery was handed to a person although the platform has a publishing API: an earlier
 * attempt may have posted, and Herold could not find out. Stored with the delivery in English; the
 * workspace recognises each one and says it in the person's language (web/src/features/status-board/reasons.ts).
 */
import type { Channel } from '../model/schemas';
import { PLATFORMS, type PlatformId } from '../platforms/registry';

const name = (platform: PlatformId) => PLATFORMS[platform].displayName;
const CHECK = 'check the channel, post the text by hand if it is missing, then confirm';

export const HANDOFF_REASONS = {
  /** MAX_LOOKUPS_IN_DOUBT lookups in a row failed */
  unresolved: (platform: PlatformId, lookups: number) =>
    `${lookups} lookups in a row could not tell whether ${name(platform)} has the post: ${CHECK}`,
  /** attempts kept dying (leases taken back) or ended in doubt */
  stopped: (platform: PlatformId, attempts: number) =>
    `${attempts} attempts in a row stopped (crashed or timed out) or could not tell whether ${name(platform)} has the post: ${CHECK}`,
  /** the platform has no lookup at all (Telegram's Bot API) */
  unverifiable: (platform: PlatformId) =>
    `an earlier attempt may have reached ${name(platform)}, which offers no way to look the post up: ${CHECK}`,
  /** the lookup drew a permanent or unsupported error */
  lookupRefused: (platform: PlatformId) =>
    `an earlier attempt may have reached ${name(platform)}, which refused the lookup that would tell: ${CHECK}`,
  /** the lookup's credentials were refused */
  lookupRefusedCredentials: (platform: PlatformId) =>
    `an earlier attempt may have reached ${name(platform)}, which refused the channel's credentials when Herold looked for the post: reconnect the channel, ${CHECK}`,
  /** the channel was frozen or retired while a post may exist */
  channelChanged: (platform: PlatformId, state: Channel['state']) =>
    `the channel became ${state} while an earlier attempt may have reached ${name(platform)}: check the channel and confirm whether the post is there`,
} as const;

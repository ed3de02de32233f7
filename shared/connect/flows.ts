/** How each platform's account is connected: one flow per platform, as the registry has one client per platform. */
import type { PlatformId } from '../platforms/registry';
import type { DirectFlow, OAuthFlow } from './flow';
import { blueskyConnect, telegramConnect, whatsappConnect } from './platforms/direct';
import { linkedinConnect } from './platforms/linkedin';
import { mastodonConnect } from './platforms/mastodon';
import { facebookConnect, instagramConnect } from './platforms/meta';
import { pinterestConnect } from './platforms/pinterest';
import { threadsConnect } from './platforms/threads';
import { xConnect } from './platforms/x';
import { youtubeConnect } from './platforms/youtube';

// Each flow validates its own input before using it, so the table holds them without their input types.
type AnyFlow = OAuthFlow<any> | DirectFlow<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CONNECT_FLOWS: Record<PlatformId, AnyFlow> = {
  threads: threadsConnect,
  whatsapp: whatsappConnect,
  facebook: facebookConnect,
  instagram: instagramConnect,
  youtube: youtubeConnect,
  linkedin: linkedinConnect,
  pinterest: pinterestConnect,
  x: xConnect,
  mastodon: mastodonConnect,
  bluesky: blueskyConnect,
  telegram: telegramConnect,
};

/** Every simulated platform; the server mounts each under /<id>. One line per module. */
import type { SimPlatform } from '../types';
import { blueskySim } from './bluesky';
import { facebookSim } from './facebook';
import { instagramSim } from './instagram';
import { linkedinSim } from './linkedin';
import { mastodonSim } from './mastodon';
import { pinterestSim } from './pinterest';
import { telegramSim } from './telegram';
import { threadsSim } from './threads';
import { xSim } from './x';
import { youtubeSim } from './youtube';

export const SIM_PLATFORMS: SimPlatform[] = [
  threadsSim,
  facebookSim,
  instagramSim,
  youtubeSim,
  linkedinSim,
  pinterestSim,
  xSim,
  mastodonSim,
  blueskySim,
  telegramSim,
];

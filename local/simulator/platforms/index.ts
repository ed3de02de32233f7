/** Every simulated platform; the server mounts each under /<id>. One line per module. */
import type { SimPlatform } from '../types';
import { facebookSim } from './facebook';
import { instagramSim } from './instagram';
import { mastodonSim } from './mastodon';
import { telegramSim } from './telegram';
import { threadsSim } from './threads';

export const SIM_PLATFORMS: SimPlatform[] = [
  threadsSim,
  facebookSim,
  instagramSim,
  mastodonSim,
  telegramSim,
];

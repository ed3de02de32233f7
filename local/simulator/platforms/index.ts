/** Every simulated platform; the server mounts each under /<id>. One line per module. */
import type { SimPlatform } from '../types';
import { threadsSim } from './threads';

export const SIM_PLATFORMS: SimPlatform[] = [
  threadsSim,
];

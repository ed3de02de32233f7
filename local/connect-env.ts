/**
 * The local stack's settings for connecting accounts: each platform's sign-in host (and Google's
 * token host) on the simulator, and each platform app's credentials as entries of the local
 * credentials file (`local:app-<platform>`, the simulator's apps: local/seed/credentials.json).
 */
import { AUTH_URL_DEFAULTS, appSecretVariable, authUrlVariable, tokenUrlVariable } from '../shared/connect/flow';
import { PLATFORM_IDS, type PlatformId } from '../shared/platforms/registry';
import { SIM_APPS } from './simulator/signin';

/** Instagram signs in through Facebook Login: the same app. */
const appOf = (platform: PlatformId) => (platform === 'instagram' ? 'facebook' : platform);

export function localConnectEnv(simulatorUrl: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const settings: Record<string, string> = {};
  const keep = (name: string, value: string) => (settings[name] = env[name] ?? value);
  for (const platform of PLATFORM_IDS) {
    if (AUTH_URL_DEFAULTS[platform]) keep(authUrlVariable(platform), `${simulatorUrl}/auth/${platform}`);
    if (SIM_APPS[platform]) keep(appSecretVariable(platform), `local:app-${appOf(platform)}`);
  }
  keep(tokenUrlVariable('youtube'), `${simulatorUrl}/auth/youtube`);
  return settings;
}

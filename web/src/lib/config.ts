/**
 * The runtime configuration (config.json beside the app), read once before the app starts. It is
 * checked against WorkspaceConfigSchema where it is written (the CDK app, the local workspace
 * server), so the browser does not load a validator before its first screen.
 */
import type { WorkspaceConfig } from '@shared/workspace/config';

let loaded: WorkspaceConfig | undefined;

export async function loadConfig(): Promise<WorkspaceConfig> {
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const value = (await response.json()) as WorkspaceConfig;
  if (typeof value?.apiUrl !== 'string' || typeof value.auth?.clientId !== 'string')
    throw new Error('config.json does not describe the API and the sign-in');
  loaded = value;
  return loaded;
}

export function config(): WorkspaceConfig {
  if (!loaded) throw new Error('the configuration is not loaded yet');
  return loaded;
}

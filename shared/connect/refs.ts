/** Where a channel's credentials live, decided when the channel is created (no SDK here: the ingest function uses it). */
import { ENV } from '../config';
import type { PlatformId } from '../platforms/registry';

/**
 * One secret per channel, named `herold/<platform>/<channel-id>` in AWS Secrets Manager (a stage's
 * own prefix, `herold-<stage>/`, where one is set; each platform's publisher reads its own prefix),
 * or `local:<channel-id>` in the local stack's credentials file.
 */
export function credentialsRefFor(
  platform: PlatformId,
  channelId: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return env[ENV.credentialsFile]
    ? `local:${channelId}`
    : `${env[ENV.secretPrefix] ?? 'herold/'}${platform}/${channelId}`;
}

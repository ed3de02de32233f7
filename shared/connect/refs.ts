/** Where a channel's credentials live, decided when the channel is created (no SDK here: the ingest function uses it). */
import { ENV } from '../config';
import type { OrgId } from '../model/schemas';
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

/**
 * Where a new channel's credentials will live: with `HEROLD_SECRETS=per-organisation`, an entry in
 * its organisation's one secret, `herold/orgs/<org>#<channel-id>` (shared/publishing/org-secrets);
 * otherwise a secret of its own (credentialsRefFor). Set when the channel is created, so channels
 * created before a change of the setting keep where they are.
 */
export function channelCredentialsRef(
  channel: { platform: PlatformId; id: string; org: OrgId },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (env[ENV.credentialsFile] || env[ENV.secretsLayout] !== 'per-organisation')
    return credentialsRefFor(channel.platform, channel.id, env);
  return `${env[ENV.secretPrefix] ?? 'herold/'}orgs/${channel.org}#${channel.id}`;
}

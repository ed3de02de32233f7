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

/** A channel's item in the credentials table (shared/publishing/credentials-table). */
export const TABLE_REF_PREFIX = 'table:';
export const isTableRef = (ref: string): boolean => ref.startsWith(TABLE_REF_PREFIX);
/** `table:<platform>/<channel-id>`: the platform leads the key, so IAM can scope each publisher to its own */
export const tableRefFor = (platform: PlatformId, channelId: string): string =>
  `${TABLE_REF_PREFIX}${platform}/${channelId}`;

/**
 * Where a new channel's credentials will live: with `HEROLD_SECRETS=per-organisation`, an entry in
 * its organisation's one secret, `herold/orgs/<org>#<channel-id>` (shared/publishing/org-secrets);
 * with `HEROLD_SECRETS=table`, an item of the credentials table, `table:<platform>/<channel-id>`
 * (shared/publishing/credentials-table); otherwise a secret of its own (credentialsRefFor). Set when
 * the channel is created, so channels created before a change of the setting keep where they are.
 */
export function channelCredentialsRef(
  channel: { platform: PlatformId; id: string; org: OrgId },
  env: NodeJS.ProcessEnv = process.env,
): string {
  // before the local file: the local stack keeps its app and webhook secrets there in either case
  if (env[ENV.secretsLayout] === 'table') return tableRefFor(channel.platform, channel.id);
  if (env[ENV.credentialsFile]) return credentialsRefFor(channel.platform, channel.id, env);
  if (env[ENV.secretsLayout] === 'per-organisation')
    return `${env[ENV.secretPrefix] ?? 'herold/'}orgs/${channel.org}#${channel.id}`;
  return credentialsRefFor(channel.platform, channel.id, env);
}

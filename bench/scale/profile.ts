/**
 * The state profile of the scale benchmark: organisations, their channels spread over the
 * registry's platforms the way Dresden's city runs them (one account per platform, X frozen), one
 * organisation with more channels than one transaction can hold, and one channel whose
 * credentials cannot be read (the fan-out jobs must go on without it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CAP_SEVERITIES } from '../../shared/cap/vocabulary';
import type { Channel } from '../../shared/model/schemas';
import { platformList, type PlatformId } from '../../shared/platforms/registry';
import { channelItem } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { seedOrganisations, type AlertPolicies } from '../../local/organisations';
import { loadSeedChannels, SEED_CREDENTIALS_FILE } from '../../local/seed';
import { batchesOf, putItems, writeInParallel } from './seed';

export interface ScaleSize {
  organisations: number;
  channels: number;
  /** channels of the one organisation with more than a transaction's 98 (10 per platform) */
  bigOrgChannels: number;
  pastDeliveries: number;
  followerDays: number;
}

/** The state of bench/cost/model.ts PROFILES: 500 organisations, 5,500 channels. */
export const STATE_SIZE: ScaleSize = {
  organisations: 500,
  channels: 5_500,
  bigOrgChannels: 110,
  pastDeliveries: 1_000_000,
  followerDays: 365,
};

export const QUICK_SIZE: ScaleSize = {
  organisations: 20,
  channels: 220,
  bigOrgChannels: 110,
  pastDeliveries: 10_000,
  followerDays: 30,
};

export interface StateProfile {
  orgs: string[];
  channels: Channel[];
  bigOrg: string;
  /** the channel whose credentials are missing */
  failingChannelId: string;
}

export const BIG_ORG = 'landesamt';
const orgId = (index: number) => (index === 0 ? BIG_ORG : `gemeinde-${String(index).padStart(3, '0')}`);
/** an Amtlicher Regionalschlüssel per organisation, in Saxony (14) */
const orgArs = (index: number) => `14${String(index).padStart(10, '0')}`;

/**
 * A Bluesky account per bench channel, as every real organisation signs in with its own: Bluesky
 * limits createSession per account (30 in 5 minutes, 300 a day), so 500 channels signing in as the
 * city's one account would meet a limit no real deployment meets.
 */
const blueskyHandle = (channelId: string) => `${channelId}.bsky.social`;

export function stateProfile(size: ScaleSize): StateProfile {
  const templates = new Map(
    loadSeedChannels()
      .filter((channel) => channel.org === 'city')
      .map((channel) => [channel.platform, channel]),
  );
  const platforms = platformList().map((platform) => platform.id);
  const orgs = Array.from({ length: size.organisations }, (_, index) => orgId(index));
  const channels: Channel[] = [];
  const add = (org: string, platform: PlatformId, number: number) => {
    const template = templates.get(platform);
    if (!template) throw new Error(`the seed has no city channel on ${platform} to copy`);
    const id = `${org}-${platform}-${number}`;
    channels.push({
      id,
      org,
      platform,
      handle: platform === 'bluesky' ? blueskyHandle(id) : template.handle,
      state: template.state,
      account: template.account,
      credentialsRef: `local:${id}`,
    });
  };
  const big = Math.min(size.bigOrgChannels, size.channels);
  for (let number = 0; number < big; number += 1)
    add(BIG_ORG, platforms[number % platforms.length]!, Math.floor(number / platforms.length));
  // the rest round the other organisations, platform by platform: most have every platform, some one fewer
  const others = orgs.slice(1);
  for (let number = 0; channels.length < size.channels && others.length > 0; number += 1) {
    const org = others[number % others.length]!;
    const platform = platforms[Math.floor(number / others.length) % platforms.length]!;
    add(org, platform, Math.floor(number / (others.length * platforms.length)));
  }
  const failing = channels.find((channel) => channel.org !== BIG_ORG) ?? channels[0]!;
  failing.credentialsRef = 'local:scale-bench-missing-credentials';
  return { orgs, channels, bigOrg: BIG_ORG, failingChannelId: failing.id };
}

/** The organisations as the table's items (500 would not fit Lambda's 4 KB environment), each with a NINA region. */
export async function seedStateOrganisations(store: Store, profile: StateProfile): Promise<void> {
  const policies: AlertPolicies = Object.fromEntries(
    profile.orgs.map((org, index) => [
      org,
      {
        // the bench sends alerts without a second person; a real state decides per organisation
        singlePersonSeverities: [...CAP_SEVERITIES],
        languages: ['de-DE'],
        ninaArs: orgArs(index),
        senderName: org,
      },
    ]),
  );
  await seedOrganisations(store, policies);
}

/**
 * Every bench channel gets credentials of its own (one secret per channel, as in AWS), copied from
 * the city's; a Bluesky channel signs in as its own account. The other platforms' simulators limit
 * only publishing per account, which the fan-out jobs do not do, so their channels share the
 * city's tokens.
 */
export async function writeCredentialsFile(profile: StateProfile, directory: string): Promise<string> {
  const seed = JSON.parse(await readFile(SEED_CREDENTIALS_FILE, 'utf8')) as Record<string, unknown>;
  const credentials: Record<string, unknown> = { ...seed };
  for (const channel of profile.channels) {
    if (channel.id === profile.failingChannelId) continue;
    const city = seed[`local:city-${channel.platform}`];
    credentials[channel.credentialsRef] =
      channel.platform === 'bluesky' ? { ...(city as object), identifier: channel.handle } : city;
  }
  const file = path.join(directory, 'credentials.json');
  await writeFile(file, JSON.stringify(credentials));
  return file;
}

export async function seedChannelItems(
  doc: DynamoDBDocumentClient,
  table: string,
  channels: readonly Channel[],
): Promise<void> {
  await writeInParallel({ batches: batchesOf(channels.map(channelItem), 25), write: putItems(doc, table) });
}

/** 400 days of figures for 15 channels of one organisation: the history the report benchmark reads. */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, PlatformIdSchema } from '../../shared/model/schemas';
import type { z } from 'zod';
import { channelItem } from '../../shared/store/channels';
import { addDays } from '../../shared/followers/dates';

type PlatformId = z.infer<typeof PlatformIdSchema>;

const PLATFORM_OF_CHANNEL: PlatformId[] = [
  'threads',
  'whatsapp',
  'facebook',
  'instagram',
  'youtube',
  'linkedin',
  'pinterest',
  'x',
  'mastodon',
  'bluesky',
  'telegram',
  'facebook',
  'instagram',
  'mastodon',
  'telegram',
];

export const HISTORY_START = '2024-01-01';
export const HISTORY_DAYS = 400;

export const historyChannels = (org = 'city'): Channel[] =>
  PLATFORM_OF_CHANNEL.map((platform, index) => ({
    id: `${org}-${platform}-${index}`,
    org,
    platform,
    handle: `Dresden ${platform} ${index}`,
    state: platform === 'x' ? 'frozen' : 'active',
    account: `account-${index}`,
    credentialsRef: `local:${org}-${index}`,
  }));

/** Every 30th day of the first channel is missing, to keep gaps in the data. */
export const isGap = (channelIndex: number, day: number): boolean => channelIndex === 0 && day % 30 === 29;

export const historyCount = (channelIndex: number, day: number): number =>
  1000 * (channelIndex + 1) + day * (channelIndex % 3 === 2 ? -1 : 3);

export function historyCsv(channels: readonly Channel[]): string {
  const rows = ['date,channel,count'];
  channels.forEach((channel, index) => {
    for (let day = 0; day < HISTORY_DAYS; day++)
      if (!isGap(index, day)) rows.push(`${addDays(HISTORY_START, day)},${channel.id},${historyCount(index, day)}`);
  });
  return `${rows.join('\r\n')}\r\n`;
}

export async function putChannels(
  doc: DynamoDBDocumentClient,
  table: string,
  channels: readonly Channel[],
): Promise<void> {
  await Promise.all(
    channels.map((channel) => doc.send(new PutCommand({ TableName: table, Item: channelItem(channel) }))),
  );
}

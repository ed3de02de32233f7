/** The seeded channels of the local stack (local/seed/channels.json) and their simulator credentials. */
import { channelItem } from '../shared/store/channels';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand, DynamoDBDocumentClient, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { ChannelSchema, type Channel } from '../shared/model/schemas';
import { localDynamoDocumentClient } from './aws';

const SEED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed');
export const SEED_CHANNELS_FILE = path.join(SEED_DIR, 'channels.json');
export const SEED_CREDENTIALS_FILE = path.join(SEED_DIR, 'credentials.json');

const SeedChannelsSchema = z.array(ChannelSchema).superRefine((channels, context) => {
  const ids = new Set<string>();
  for (const channel of channels) {
    if (ids.has(channel.id)) context.addIssue({ code: 'custom', message: `duplicate channel id ${channel.id}` });
    ids.add(channel.id);
  }
});

export function loadSeedChannels(file = SEED_CHANNELS_FILE): Channel[] {
  return SeedChannelsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The organisations the seed knows: the ones a local token may be issued for. */
export const seedOrganisations = (channels = loadSeedChannels()): string[] => [
  ...new Set(channels.map((channel) => channel.org)),
];

const BATCH_WRITE_LIMIT = 25;

/**
 * Writes every seed channel into the table. The client comes from the environment
 * (AWS_ENDPOINT_URL_DYNAMODB) unless a DynamoDB endpoint is given.
 */
export async function seedChannels(
  table: string,
  options: { dynamoEndpoint?: string; channels?: Channel[] } = {},
): Promise<Channel[]> {
  const channels = options.channels ?? loadSeedChannels();
  const client = options.dynamoEndpoint
    ? localDynamoDocumentClient(options.dynamoEndpoint)
    : DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    for (let start = 0; start < channels.length; start += BATCH_WRITE_LIMIT) {
      let requests: BatchWriteCommandInput['RequestItems'] = {
        [table]: channels
          .slice(start, start + BATCH_WRITE_LIMIT)
          .map((channel) => ({ PutRequest: { Item: channelItem(channel) } })),
      };
      while (requests && Object.keys(requests).length > 0) {
        ({ UnprocessedItems: requests } = await client.send(new BatchWriteCommand({ RequestItems: requests })));
      }
    }
  } finally {
    client.destroy();
  }
  return channels;
}

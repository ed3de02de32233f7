/**
 * Loads historic follower figures: `npm run import-followers -- file.csv [--table name]`.
 * The table is HEROLD_TABLE unless --table names one; AWS_ENDPOINT_URL_DYNAMODB points the client at
 * the local stack's DynamoDB. Every row is checked first; on any error nothing is written, each bad
 * row is printed, and the exit code is 1.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../shared/config';
import type { Channel } from '../shared/model/schemas';
import { getChannel } from '../shared/store/channels';
import { channelIdsInCsv, importFollowerCsv } from '../shared/followers/import';
import { configuredTimeZone } from '../shared/followers/settings';

const { values, positionals } = parseArgs({ options: { table: { type: 'string' } }, allowPositionals: true });
const file = positionals[0];
if (!file || positionals.length > 1) {
  console.error('usage: npm run import-followers -- file.csv [--table name]');
  process.exit(2);
}

const table = values.table ?? tableName();
const csv = await readFile(file, 'utf8');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

// Only the channels the file names are looked up; an id that is not found is reported per row.
const knownChannels = new Map<string, Channel>();
for (const channel of await Promise.all(channelIdsInCsv(csv).map((id) => getChannel({ doc, table }, id)))) {
  if (channel) knownChannels.set(channel.id, channel);
}

const result = await importFollowerCsv({ doc, table, csv, knownChannels, timeZone: configuredTimeZone() });
if (!result.ok) {
  for (const error of result.errors) console.error(`${file}:${error.line}: ${error.field}: ${error.message}`);
  console.error(`${result.errors.length} error(s); nothing was imported.`);
  process.exit(1);
}
console.log(`imported ${result.written} follower figures into ${table}`);

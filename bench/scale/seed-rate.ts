/**
 * How fast the scale benchmark's history goes into DynamoDB Local, and whose CPU it costs:
 * `npx tsx bench/scale/seed-rate.ts [--writer sdk|http] [--items 150000] [--scale-jvm]` writes that
 * many past deliveries (with their messages) into a fresh DynamoDB Local, through the SDK's
 * document client or the seed's plain-HTTP writer, with the default JVM options or the scale
 * run's, and prints items/s and the CPU milliseconds per item of this process and of DynamoDB Local.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { localDynamoDocumentClient } from '../../local/aws';
import { provisionTable } from '../../local/provision';
import { startDynamoDbLocal } from '../../local/services';
import type { Channel } from '../../shared/model/schemas';
import { STATE_SIZE, stateProfile } from './profile';
import {
  BATCH_SIZE,
  batchesOf,
  pastDeliveryItems,
  putItems,
  SCALE_DYNAMODB,
  SeedWriter,
  writeInParallel,
} from './seed';

const { values } = parseArgs({
  options: {
    writer: { type: 'string', default: 'http' },
    items: { type: 'string', default: '150000' },
    'scale-jvm': { type: 'boolean', default: false },
  },
});
const dynamo = await startDynamoDbLocal(values['scale-jvm'] ? SCALE_DYNAMODB : {});
const table = 'seed-rate';
await provisionTable(dynamo.endpoint, table);
const doc = localDynamoDocumentClient(dynamo.endpoint);
const seedWriter = new SeedWriter(dynamo.endpoint);
const channelsByOrg = new Map<string, Channel[]>();
for (const channel of stateProfile(STATE_SIZE).channels)
  channelsByOrg.set(channel.org, [...(channelsByOrg.get(channel.org) ?? []), channel]);

/** CPU seconds of DynamoDB Local's Java process (Linux /proc), found by its port */
const port = new URL(dynamo.endpoint).port;
const javaPid = readdirSync('/proc').find((pid) => {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes('DynamoDBLocal.jar') && command.includes(`-port\0${port}\0`);
  } catch {
    return false;
  }
});
const javaCpu = () => {
  if (!javaPid) return NaN;
  const fields = readFileSync(`/proc/${javaPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const write = values.writer === 'sdk' ? putItems(doc, table) : seedWriter.putItems(table);
const count = Number(values.items);
const startJava = javaCpu();
const startNode = process.cpuUsage();
const loadBefore = loadavg()[0]!;
const written = await writeInParallel({
  batches: batchesOf(pastDeliveryItems(channelsByOrg, count, 'rate'), BATCH_SIZE),
  write,
});
const node = process.cpuUsage(startNode);
const java = javaCpu() - startJava;
const perItem = (seconds: number) => ((seconds * 1000) / written.items).toFixed(3);
console.log(
  `${values.writer}${values['scale-jvm'] ? ', scale JVM' : ''}: ${written.items.toLocaleString('en')} items in ${(written.ms / 1000).toFixed(1)} s, ${Math.round(written.items / (written.ms / 1000)).toLocaleString('en')} items/s; CPU ms per item: this process ${perItem((node.user + node.system) / 1e6)}, DynamoDB Local ${perItem(java)}; load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
);
doc.destroy();
seedWriter.destroy();
await dynamo.stop();

/**
 * Follower report benchmark: 400 days × 15 channels in DynamoDB Local, then the one-year report as
 * `GET /reports/followers` builds it (JSON). Prints the median next to a baseline measured in the same
 * run, a single GetItem round trip, so the figure can be read on a slow or busy machine. Target:
 * 300 ms. Usage: npx tsx bench/followers-report.ts [--rounds 15]
 */
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/services';
import { importFollowerCsv } from '../shared/followers/import';
import { followerReportResponse } from '../shared/followers/load-report';
import { createFollowersTable } from '../test/integration/followers-table';
import { HISTORY_DAYS, historyChannels, historyCsv, putChannels } from '../test/integration/followers-history';

const TARGET_MS = 300;
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Math.max(3, Number(values.rounds));

const median = (samples: number[]) => {
  const sorted = samples.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function measure(action: () => Promise<unknown>): Promise<number[]> {
  await action(); // warm-up: connection, JIT
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  return samples;
}

const dynamo = await startDynamoDbLocal();
try {
  const local = await createFollowersTable(dynamo.endpoint);
  const channels = historyChannels('city');
  await putChannels(local.doc, local.table, channels);
  const imported = await importFollowerCsv({
    doc: local.doc,
    table: local.table,
    csv: historyCsv(channels),
    knownChannels: new Map(channels.map((channel) => [channel.id, channel])),
    timeZone: 'Europe/Berlin',
  });
  if (!imported.ok) throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);

  const getItem = await measure(() =>
    local.doc.send(
      new GetCommand({ TableName: local.table, Key: { PK: `CHANNEL#${channels[0]!.id}`, SK: 'CHANNEL' } }),
    ),
  );
  local.commands.length = 0;
  const params = { org: 'city', from: '2024-02-01', to: '2025-01-31' };
  const report = await measure(async () => {
    const response = await followerReportResponse({
      doc: local.doc,
      table: local.table,
      params,
      accept: 'application/json',
    });
    if (response.statusCode !== 200) throw new Error(`report answered ${response.statusCode}`);
  });
  const operations = [...new Set(local.commands)].join(', ');

  const baseline = median(getItem);
  const result = median(report);
  console.log(
    `follower report, ${channels.length} channels, ${imported.written} figures (${HISTORY_DAYS} days), one year, ${rounds} rounds`,
  );
  console.log(`  baseline GetItem   median ${baseline.toFixed(1)} ms`);
  console.log(
    `  one-year report    median ${result.toFixed(1)} ms  (${(result / baseline).toFixed(1)} × GetItem; min ${Math.min(...report).toFixed(1)}, max ${Math.max(...report).toFixed(1)})`,
  );
  console.log(`  DynamoDB operations: ${operations}`);
  console.log(`  target ${TARGET_MS} ms: ${result <= TARGET_MS ? 'met' : 'missed'}`);
  local.client.destroy();
} finally {
  await dynamo.stop();
}

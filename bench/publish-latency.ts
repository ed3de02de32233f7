/**
 * Walking-skeleton benchmark: in the local stack, 500 messages to the city's channels. Prints the
 * ingest latency (HTTP round trip of POST /messages) and the ingest → PUBLISHED latency per
 * platform (the delivery's publishedAt minus the message's createdAt, both stamped by Herold),
 * next to the baseline measured in the same run: the simulator's own response time for the
 * requests a Threads publish makes. Target: ingest → published p50 ≤ 50 ms, p99 ≤ 200 ms.
 *
 * Measured warm, as a function under steady load runs: first 300 messages at the same rate (V8's
 * and DynamoDB Local's JIT compilers reach their steady state only after some thousand requests).
 * 500 messages are more than Threads (250 a day) and Mastodon (300 in 3 h) take, so the simulator's
 * platform limits and the channels' budgets are lifted: the run measures Herold, not the next quota
 * window. As with `npm start`, the handlers log warnings only; their metrics are off.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { localDynamoDocumentClient } from '../local/aws';
import { signToken } from '../local/dev-key';
import { startLocalStack } from '../local/start';
import { ms, percentile, ratio, timed } from './stats';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '500' },
    rate: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '300' },
  },
});
const MESSAGES = Number(values.messages);
const PER_SECOND = Number(values.rate);
const WARM_UP_MESSAGES = Number(values.warmup);
const PLATFORMS = ['threads', 'mastodon'] as const;

process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
// As `npm start` runs it: the publishers in their own process.
const stack = await startLocalStack({
  port: 0,
  simulatorPort: 0,
  log: () => undefined,
  simulator: { enforceQuotas: false },
  publishers: 'own-process',
});
try {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  for (const channel of stack.channels.filter((candidate) => candidate.org === 'city')) {
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `CHANNEL#${channel.id}`, SK: 'CHANNEL' },
        UpdateExpression: 'SET quota = :quota',
        ExpressionAttributeValues: {
          ':quota': { limit: 1_000_000, windowSeconds: 86_400, note: 'benchmark: budget lifted' },
        },
      }),
    );
  }
  const token = await signToken({ sub: 'bench', org: 'city', roles: ['editor'] });
  const post = (text: string) =>
    fetch(`${stack.apiUrl}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text, link: 'https://www.dresden.de/pm' }),
    }).then(async (response) => {
      if (response.status !== 202)
        throw new Error(`POST /messages answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { id: string };
    });

  await sendAtRate(WARM_UP_MESSAGES, (index) => post(`Aufwärmen ${index}`));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const baseline = await simulatorBaseline(stack.simulatorUrl, 200);

  const ingest: number[] = [];
  const ids: string[] = [];
  const started = performance.now();
  await sendAtRate(MESSAGES, async (index) => {
    const [created, took] = await timed(() => post(`Benchmark-Nachricht ${index}: Neues aus dem Rathaus.`));
    ingest.push(took);
    ids.push(created.id);
  });
  const sendSeconds = (performance.now() - started) / 1000;

  const published: Record<string, number[]> = Object.fromEntries(PLATFORMS.map((platform) => [platform, []]));
  const notPublished: string[] = [];
  for (const id of ids) {
    const message = await waitUntilSettled(stack.apiUrl, token, id);
    for (const delivery of message.deliveries) {
      if (!PLATFORMS.includes(delivery.platform as (typeof PLATFORMS)[number])) continue;
      if (delivery.state === 'PUBLISHED' && delivery.publishedAfterMs !== undefined)
        published[delivery.platform]!.push(delivery.publishedAfterMs);
      else notPublished.push(`${id}/${delivery.channelId}: ${delivery.state}`);
    }
  }

  const base50 = percentile(baseline, 50);
  const base99 = percentile(baseline, 99);
  console.log(
    `\nHerold publish latency: ${MESSAGES} messages to the city's channels at ${PER_SECOND}/s (sent in ${sendSeconds.toFixed(1)} s)`,
  );
  console.log(`baseline  simulator round trip (POST a Threads container): p50 ${ms(base50)}, p99 ${ms(base99)}\n`);
  console.log('| measurement | p50 | p99 | p50 / baseline | p99 / baseline |');
  console.log('|---|---|---|---|---|');
  const row = (name: string, samples: number[]) =>
    console.log(
      `| ${name} (n=${samples.length}) | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 99))} | ${ratio(percentile(samples, 50), base50)} | ${ratio(percentile(samples, 99), base99)} |`,
    );
  row('ingest (POST /messages)', ingest);
  for (const platform of PLATFORMS) row(`ingest → PUBLISHED, ${platform}`, published[platform]!);
  if (notPublished.length)
    console.log(`\nnot published: ${notPublished.length} (first: ${notPublished.slice(0, 3).join('; ')})`);
  const worst50 = Math.max(...PLATFORMS.map((platform) => percentile(published[platform]!, 50)));
  const worst99 = Math.max(...PLATFORMS.map((platform) => percentile(published[platform]!, 99)));
  const pass = notPublished.length === 0 && worst50 <= 50 && worst99 <= 200;
  console.log(
    `\ntarget ingest → published p50 ≤ 50 ms, p99 ≤ 200 ms: ${pass ? 'met' : 'NOT met'} (p50 ${ms(worst50)}, p99 ${ms(worst99)})`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  await stack.stop();
}

/** Starts `send(index)` `count` times at PER_SECOND, each on its own schedule, and waits for all of them. */
async function sendAtRate(count: number, send: (index: number) => Promise<unknown>): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * 1000) / PER_SECOND));
      await send(index);
    }),
  );
}

async function simulatorBaseline(simulatorUrl: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const params = new URLSearchParams({
      media_type: 'TEXT',
      text: `baseline ${index}`,
      access_token: 'sim-threads-token',
    });
    const [, took] = await timed(() =>
      fetch(`${simulatorUrl}/threads/v1.0/17841400000000101/threads`, { method: 'POST', body: params }).then(
        (response) => response.text(),
      ),
    );
    times.push(took);
  }
  return times;
}

interface MessageView {
  deliveries: { channelId: string; platform: string; state: string; publishedAfterMs?: number }[];
}

async function waitUntilSettled(apiUrl: string, token: string, id: string): Promise<MessageView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${apiUrl}/messages/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const message = (await response.json()) as MessageView;
    const pending = message.deliveries.filter(
      (delivery) =>
        PLATFORMS.includes(delivery.platform as (typeof PLATFORMS)[number]) &&
        !['PUBLISHED', 'FAILED', 'SKIPPED'].includes(delivery.state),
    );
    if (pending.length === 0 || Date.now() > deadline) return message;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Ingest latency grows slowly with a message's channels: POST /messages to 50 channels answers
 * within twice the time of one to 10, against the local stack, each figure the best of several runs
 * taken alternately in the same run (a noisy machine slows both alike).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import { startLocalStack, type LocalStack } from '../../local/start';
import { putChannel } from '../../shared/store/channels';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

let stack: LocalStack;
let token: string;
const RUNS = 5;
const telegram = (n: number) => `city-telegram-${n}`;

beforeAll(async () => {
  const name = uniqueName('latency');
  stack = await startLocalStack({
    ...localAwsEndpoints(),
    tableName: name,
    queuePrefix: name,
    port: 0,
    simulatorPort: 0,
    log: (line, error) => error && console.error(line, error),
    simulator: { enforceQuotas: false },
  });
  const store = { doc: localDynamoDocumentClient(stack.dynamoEndpoint), table: stack.tableName };
  const seeded = stack.channels.find((channel) => channel.id === 'city-telegram')!;
  for (let n = 0; n < 50; n += 1) await putChannel(store, { ...seeded, id: telegram(n) });
  token = await signToken({ sub: 'anna', org: 'city', roles: ['editor'] });
}, 120_000);
afterAll(async () => stack?.stop());

async function ingestMs(channels: number, run: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${stack.apiUrl}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      text: `Messung ${run} an ${channels} Kanäle.`,
      channels: Array.from({ length: channels }, (_, n) => telegram(n)),
    }),
  });
  const elapsed = performance.now() - started;
  expect(response.status, `${channels} channels: ${await response.text()}`).toBe(202);
  // let the publishers finish before the next measurement
  await new Promise((resolve) => setTimeout(resolve, 200 + channels * 10));
  return elapsed;
}

describe('ingest latency by the number of channels', () => {
  it('50 channels within 2 × the time of 10', async () => {
    const best = { 10: Infinity, 50: Infinity };
    await ingestMs(10, 0); // warm: the first request pays for loading the handler
    for (let run = 1; run <= RUNS; run += 1) {
      for (const size of [10, 50] as const) best[size] = Math.min(best[size], await ingestMs(size, run));
    }
    console.log(
      `ingest latency, best of ${RUNS}: 10 channels ${best[10].toFixed(0)} ms, 50 channels ${best[50].toFixed(0)} ms (${(best[50] / best[10]).toFixed(2)} ×)`,
    );
    expect(best[50]).toBeLessThanOrEqual(2 * best[10]);
  }, 180_000);
});

/**
 * The emergency lane under load. In the local stack, with the simulator answering every platform
 * call after 20–50 ms: 20 emergency messages one after another with empty queues (the baseline,
 * measured in the same run), then the normal queues are filled with 10,000 routine publish jobs
 * and 20 more emergency messages are sent, each followed at once by a routine message. Prints
 * ingest → PUBLISHED per platform (the delivery's publishedAt minus the message's createdAt), p50
 * and p99, loaded next to unloaded as ratios. Targets: loaded ≤ 2 × unloaded; every alert published
 * before the routine message queued after it; and with a channel's routine budget used up, an alert
 * still goes out on the emergency reserve.
 *
 * Every alert also goes to the city's Instagram channel, which takes no post without an image:
 * there it is published on a generated alert card. The run reports ingest → Instagram PUBLISHED
 * (the card rendered, stored, then posted) and the card's render time (layout, rasterising and
 * encoding, as the card function measures it), p50 and p99, loaded next to unloaded. Target: a
 * card renders in at most 150 ms.
 *
 * Channel budgets are raised and the simulator's platform limits switched off for the latency runs
 * (Telegram's 20 per minute and X's 17 a day would make the run measure the platforms' limits, not
 * the lane); the reserve check sets one channel's budget low again.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { localDynamoDocumentClient, localSqsClient } from '../local/aws';
import { signToken } from '../local/dev-key';
import { startLocalStack } from '../local/start';
import { ms, percentile } from './stats';

const { values } = parseArgs({
  options: { alerts: { type: 'string', default: '20' }, routine: { type: 'string', default: '10000' } },
});
const ALERTS = Number(values.alerts);
const ROUTINE_JOBS = Number(values.routine);
/** the city's channels that publish text through an API */
const PLATFORMS = ['threads', 'facebook', 'linkedin', 'x', 'mastodon', 'bluesky', 'telegram'] as const;
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;

// The handlers' logs and metrics would be most of the run's output (and of its CPU).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const stack = await startLocalStack({
  port: 0,
  simulatorPort: 0,
  log: () => undefined,
  simulator: { responseDelayMs: { min: 20, max: 50 }, enforceQuotas: false },
  reconcileIntervalMs: 3_600_000,
  alertsFeedIntervalMs: 3_600_000,
  alertPolicies: { city: { singlePersonSeverities: [...SEVERITIES] } },
});
const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
const sqs = localSqsClient(stack.sqsEndpoint);

interface DeliveryView {
  channelId: string;
  platform: string;
  state: string;
  waitingFor?: string;
  publishedAt?: string;
  publishedAfterMs?: number;
  card?: { renderMs?: number };
}
interface MessageView {
  id: string;
  deliveries: DeliveryView[];
}

try {
  const editor = await signToken({ sub: 'bench-editor', org: 'city', roles: ['editor'] });
  const sender = await signToken({ sub: 'bench-emergency', org: 'city', roles: ['editor', 'emergency'] });
  const admin = await signToken({ sub: 'bench-admin', org: 'city', roles: ['admin'] });
  const call = async (path: string, token: string, body?: unknown, method = body ? 'POST' : 'GET') => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as MessageView;
  };
  await call('/channels/city-x', admin, { state: 'active' }, 'PATCH');
  const channels = stack.channels
    .filter((channel) => channel.org === 'city' && (PLATFORMS as readonly string[]).includes(channel.platform))
    .map((channel) => channel.id);
  // alerts also go to Instagram, on a generated card; routine text would only be skipped there
  const alertChannels = [...channels, 'city-instagram'];
  for (const channelId of alertChannels)
    await setQuota(channelId, { limit: 1_000_000, windowSeconds: 86_400, note: 'benchmark' });

  const sendAlert = (index: number, label: string) =>
    call('/messages', sender, {
      text: `Warnung ${label} ${index}: Hochwasser an der Elbe, bitte Uferbereiche meiden.`,
      priority: 'emergency',
      severity: 'Extreme',
      channels: alertChannels,
    });
  const sendRoutine = (index: number) =>
    call('/messages', editor, { text: `Routine ${index}: Öffnungszeiten des Bürgerbüros am Wochenende.`, channels });

  // Warm up: the first calls load modules, compile hot paths and open connections, as cold starts would.
  for (let index = 0; index < 10; index += 1) await waitUntilSettled((await sendAlert(index, 'Aufwärmen')).id);

  const unloaded = await measureAlerts('leer');
  await endCrisisHold();
  const routineStarted = performance.now();
  const routineJobs = await fillNormalQueues();
  const depthBefore = await normalQueueDepth();
  console.log(
    `\nfilled the normal queues: ${routineJobs} routine jobs in ${((performance.now() - routineStarted) / 1000).toFixed(1)} s; ${depthBefore} still waiting when the loaded run starts`,
  );
  const loaded = await measureAlerts('Last', true);
  const depthAfter = await normalQueueDepth();

  console.log(
    `\nHerold emergency lane: ${ALERTS} emergency messages to ${PLATFORMS.length} platforms, simulator latency 20–50 ms per call`,
  );
  console.log(
    `normal queues: empty (unloaded) vs. ${routineJobs} routine jobs (${depthBefore} waiting at the start, ${depthAfter} at the end of the loaded run)\n`,
  );
  console.log(
    '| platform | unloaded p50 | unloaded p99 | loaded p50 | loaded p99 | p50 loaded/unloaded | p99 loaded/unloaded |',
  );
  console.log('|---|---|---|---|---|---|---|');
  let worstRatio = 0;
  for (const platform of PLATFORMS) {
    const u = unloaded.latencies[platform]!;
    const l = loaded.latencies[platform]!;
    const ratios = [percentile(l, 50) / percentile(u, 50), percentile(l, 99) / percentile(u, 99)];
    worstRatio = Math.max(worstRatio, ...ratios);
    console.log(
      `| ${platform} (n=${u.length}/${l.length}) | ${ms(percentile(u, 50))} | ${ms(percentile(u, 99))} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${ratios[0]!.toFixed(2)}× | ${ratios[1]!.toFixed(2)}× |`,
    );
  }
  const all = (run: typeof unloaded) => PLATFORMS.flatMap((platform) => run.latencies[platform]!);
  const cardRow = (label: string, u: number[], l: number[]) =>
    `| ${label} (n=${u.length}/${l.length}) | ${ms(percentile(u, 50))} | ${ms(percentile(u, 99))} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${(percentile(l, 50) / percentile(u, 50)).toFixed(2)}× | ${(percentile(l, 99) / percentile(u, 99)).toFixed(2)}× |`;
  console.log(
    `| all platforms | ${ms(percentile(all(unloaded), 50))} | ${ms(percentile(all(unloaded), 99))} | ${ms(percentile(all(loaded), 50))} | ${ms(percentile(all(loaded), 99))} | ${(percentile(all(loaded), 50) / percentile(all(unloaded), 50)).toFixed(2)}× | ${(percentile(all(loaded), 99) / percentile(all(unloaded), 99)).toFixed(2)}× |`,
  );

  console.log(cardRow('instagram, on a card', unloaded.instagram, loaded.instagram));
  console.log(cardRow('card render time', unloaded.renderMs, loaded.renderMs));
  const cardTarget = percentile(unloaded.renderMs, 50) <= 150 && percentile(loaded.renderMs, 50) <= 150;
  console.log(
    `\ncard render time: p50 ${ms(percentile(unloaded.renderMs, 50))} unloaded, ${ms(percentile(loaded.renderMs, 50))} loaded; p99 ${ms(percentile(unloaded.renderMs, 99))} / ${ms(percentile(loaded.renderMs, 99))}; target ≤ 150 ms per card (p50): ${cardTarget ? 'met' : 'NOT met'}`,
  );

  const orderViolations = loaded.overtaken;
  console.log(
    `\nrouting order: ${orderViolations.length === 0 ? `every alert was published before the routine message queued right after it, on every platform (${ALERTS * PLATFORMS.length} pairs)` : `${orderViolations.length} routine posts went out before the alert queued before them: ${orderViolations.slice(0, 5).join('; ')}`}`,
  );
  const reserve = await reserveCheck();
  console.log(`emergency reserve: ${reserve}`);
  const unpublished = [...unloaded.missing, ...loaded.missing];
  if (unpublished.length) console.log(`not published: ${unpublished.join('; ')}`);
  const pass =
    worstRatio <= 2 &&
    orderViolations.length === 0 &&
    unpublished.length === 0 &&
    reserve.startsWith('met') &&
    cardTarget;
  console.log(
    `\ntarget loaded ≤ 2 × unloaded (p50 and p99, every platform): ${worstRatio <= 2 ? 'met' : 'NOT met'} (worst ${worstRatio.toFixed(2)}×); overall ${pass ? 'met' : 'NOT met'}`,
  );
  process.exitCode = pass ? 0 : 1;

  async function measureAlerts(label: string, followWithRoutine = false) {
    const latencies: Record<string, number[]> = Object.fromEntries(PLATFORMS.map((platform) => [platform, []]));
    const instagram: number[] = [];
    const renderMs: number[] = [];
    const pairs: { alert: string; routine: string }[] = [];
    const missing: string[] = [];
    for (let index = 0; index < ALERTS; index += 1) {
      const alert = await sendAlert(index, label);
      await endCrisisHold();
      if (followWithRoutine) pairs.push({ alert: alert.id, routine: (await sendRoutine(-index - 1)).id });
      const settled = await waitUntilSettled(alert.id);
      for (const delivery of settled.deliveries) {
        if (delivery.state !== 'PUBLISHED' || delivery.publishedAfterMs === undefined)
          missing.push(`${alert.id}/${delivery.channelId}: ${delivery.state}`);
        else if (delivery.platform === 'instagram') {
          instagram.push(delivery.publishedAfterMs);
          if (delivery.card?.renderMs !== undefined) renderMs.push(delivery.card.renderMs);
        } else latencies[delivery.platform]?.push(delivery.publishedAfterMs);
      }
    }
    const overtaken: string[] = [];
    for (const pair of pairs) {
      const [alert, routine] = await Promise.all([
        call(`/messages/${pair.alert}`, sender),
        call(`/messages/${pair.routine}`, editor),
      ]);
      for (const delivery of routine.deliveries) {
        const alertDelivery = alert.deliveries.find((candidate) => candidate.channelId === delivery.channelId);
        if (delivery.publishedAt && (!alertDelivery?.publishedAt || delivery.publishedAt < alertDelivery.publishedAt))
          overtaken.push(`${pair.routine}/${delivery.channelId}`);
      }
    }
    return { latencies, instagram, renderMs, overtaken, missing };
  }

  async function fillNormalQueues(): Promise<number> {
    let jobs = 0;
    let index = 0;
    const worker = async () => {
      while (jobs < ROUTINE_JOBS) {
        const created = await sendRoutine(index++);
        jobs += created.deliveries.filter((delivery) => delivery.state === 'QUEUED').length;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return jobs;
  }

  async function normalQueueDepth(): Promise<number> {
    const depths = await Promise.all(
      PLATFORMS.map(async (platform) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.queues[platform].normal,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
        );
      }),
    );
    return depths.reduce((sum, depth) => sum + depth, 0);
  }

  /** Mastodon's budget set to 10 a day with 8 already used: the routine ceiling (80 %) is reached. */
  async function reserveCheck(): Promise<string> {
    const quota = { limit: 10, windowSeconds: 86_400, note: 'benchmark: routine budget used up' };
    await setQuota('city-mastodon', quota);
    const windowMs = quota.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(Date.now() / windowMs) * windowMs).toISOString();
    await doc.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          PK: 'QUOTA#city-mastodon',
          SK: windowStart,
          used: 8,
          limit: 10,
          expiresAt: Math.floor(Date.now() / 1000) + 2 * 86_400,
        },
      }),
    );
    const alert = await call('/messages', sender, {
      text: 'Warnung: Reserve-Test, Pegel der Elbe steigt.',
      priority: 'emergency',
      severity: 'Extreme',
      channels: ['city-mastodon'],
    });
    const settled = await waitUntilSettled(alert.id, 30_000);
    const delivery = settled.deliveries[0];
    return delivery?.state === 'PUBLISHED'
      ? `met: with Mastodon's routine budget used up (8 of 10, 2 reserved), the alert was published after ${ms(delivery.publishedAfterMs ?? Number.NaN)}`
      : `NOT met: the alert stayed ${delivery?.state}${delivery?.waitingFor ? ` (waiting for ${delivery.waitingFor})` : ''}`;
  }

  /**
   * Each alert puts the city into its crisis hold, which would keep every routine post back and so
   * empty the normal queues: the benchmark ends the hold at once to measure the lane under load.
   */
  async function endCrisisHold() {
    await call('/organisations/city/hold', admin, { active: false }, 'PUT');
  }

  async function setQuota(channelId: string, quota: { limit: number; windowSeconds: number; note: string }) {
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `CHANNEL#${channelId}`, SK: 'CHANNEL' },
        UpdateExpression: 'SET quota = :quota',
        ExpressionAttributeValues: { ':quota': quota },
      }),
    );
  }

  async function waitUntilSettled(id: string, timeoutMs = 60_000): Promise<MessageView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await call(`/messages/${id}`, sender);
      const open = message.deliveries.filter(
        (delivery) =>
          !['PUBLISHED', 'FAILED', 'SKIPPED', 'HANDOFF'].includes(delivery.state) &&
          !(delivery.state === 'RETRYING' && delivery.waitingFor === 'quota'),
      );
      if (open.length === 0 || Date.now() > deadline) return message;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
} finally {
  sqs.destroy();
  doc.destroy();
  await stack.stop();
}

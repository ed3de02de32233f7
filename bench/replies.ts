/**
 * Replies during an emergency. In the local stack, with the simulator answering every platform call
 * after 20–50 ms and the collection schedule running every minute as in AWS: an emergency message
 * goes out on every simulated platform that carries replies (the table below, one row each; with
 * an image where Instagram needs one and a video for YouTube), then
 * 1,000 citizens' replies arrive under it, spread evenly over 5 minutes and over the platforms,
 * while one more emergency message goes out every minute.
 * Prints, per platform, the time from a reply appearing at the simulator to it being listed by
 * GET /replies (p50, p95, max; target p95 ≤ 70 s, the minute's poll interval included); the calls
 * each read budget took in its busiest window against the budget's limit (target: within it); and
 * the emergency messages' ingest → PUBLISHED during the run next to the same measured before it
 * (the baseline, same run), as a ratio.
 *
 * `--seconds` and `--replies` shorten the run; `--push false` turns the Meta webhooks off (Telegram,
 * whose replies come only by push, keeps its bot's webhook).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { localDynamoDocumentClient } from '../local/aws';
import { signToken } from '../local/dev-key';
import { startLocalStack } from '../local/start';
import { PLATFORMS as REGISTRY, type PlatformId } from '../shared/platforms/registry';
import { readBudgetScope } from '../shared/replies/read-budget';
import { ms, percentile, ratio } from './stats';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    replies: { type: 'string', default: '1000' },
    push: { type: 'string', default: 'true' },
  },
});
const SECONDS = Number(values.seconds);
const REPLIES = Number(values.replies);
const PUSH = values.push !== 'false';

interface PlatformRow {
  platform: PlatformId;
  channel: string;
  /**
   * how replies reach Herold besides the schedule's polls: `webhook`, the route the simulator is
   * asked to push each reply to, signed, as a subscribed Meta app is (off with `--push false`);
   * `bot-webhook`, the webhook the channel's bot registered itself (Telegram, push only)
   */
  push?: { webhook: string } | 'bot-webhook';
  /** what a post there needs beside its text: Instagram an image, YouTube a video */
  media?: 'image' | 'video';
  /**
   * the channel takes only the message the replies answer, not the latency probes and updates:
   * YouTube's budget is 4 uploads a day (1,600 of its 10,000 units each)
   */
  repliedPostOnly?: boolean;
}

/** Every platform that carries replies, one row each: everything below is driven by this table. */
const ROWS: readonly PlatformRow[] = [
  { platform: 'threads', channel: 'city-threads', push: { webhook: '/webhooks/threads' } },
  { platform: 'facebook', channel: 'city-facebook', push: { webhook: '/webhooks/meta' } },
  { platform: 'mastodon', channel: 'city-mastodon' },
  { platform: 'bluesky', channel: 'city-bluesky' },
  { platform: 'telegram', channel: 'city-telegram', push: 'bot-webhook' },
  { platform: 'instagram', channel: 'city-instagram', push: { webhook: '/webhooks/meta' }, media: 'image' },
  { platform: 'youtube', channel: 'city-youtube', media: 'video', repliedPostOnly: true },
  { platform: 'linkedin', channel: 'city-linkedin' },
];
/** the channels of every emergency message (the latency probes and updates) */
const channels = ROWS.filter((row) => !row.repliedPostOnly).map((row) => row.channel);
/** The media files the simulator serves, by what a platform needs. */
const MEDIA_FILES = { image: ['sample.jpg', 'image/jpeg'], video: ['sample.mp4', 'video/mp4'] } as const;

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const stack = await startLocalStack({
  port: 0,
  simulatorPort: 0,
  directoryPort: 0,
  log: () => undefined,
  simulator: { responseDelayMs: { min: 20, max: 50 }, enforceQuotas: false },
  reconcileIntervalMs: 3_600_000,
  alertsFeedIntervalMs: 3_600_000,
  collectRepliesIntervalMs: 60_000,
  alertPolicies: { city: { singlePersonSeverities: ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] } },
});
const token = await signToken({ sub: 'bench', org: 'city', roles: ['editor', 'emergency', 'admin'] });

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as Record<string, unknown>;
}

interface Delivery {
  platform: string;
  state: string;
  remoteId?: string;
  publishedAt?: string;
}

/**
 * Ingest → PUBLISHED of one emergency message on every channel, in ms per delivery: one message
 * per kind of media the rows need (text alone, an image, a video), sent at once.
 */
async function alert(text: string, repliedPost = false): Promise<{ latencies: number[]; deliveries: Delivery[] }> {
  const rows = ROWS.filter((row) => repliedPost || !row.repliedPostOnly);
  const kinds = [...new Set(rows.map((row) => row.media))];
  const sent = await Promise.all(
    kinds.map((kind) =>
      one(
        text,
        rows.filter((row) => row.media === kind).map((row) => row.channel),
        kind === undefined ? [] : [media(kind)],
      ),
    ),
  );
  return { latencies: sent.flatMap((each) => each.latencies), deliveries: sent.flatMap((each) => each.deliveries) };
}

function media(kind: 'image' | 'video') {
  const [file, mime] = MEDIA_FILES[kind];
  return { url: `${stack.simulatorUrl}/_sim/media/${file}`, altText: 'Die Elbe am Terrassenufer', mime };
}

async function one(
  text: string,
  targets: string[],
  attachments: ReturnType<typeof media>[],
): Promise<{ latencies: number[]; deliveries: Delivery[] }> {
  const created = await call('POST', '/messages', {
    text,
    priority: 'emergency',
    severity: 'Severe',
    channels: targets,
    ...(attachments.length > 0 ? { media: attachments } : {}),
  });
  const id = String(created.id);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const message = await call('GET', `/messages/${id}`);
    const deliveries = message.deliveries as Delivery[];
    if (deliveries.every((delivery) => delivery.state === 'PUBLISHED')) {
      const createdAt = Date.parse(String(message.createdAt));
      return {
        deliveries,
        latencies: deliveries.map((delivery) => Date.parse(String(delivery.publishedAt)) - createdAt),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`emergency message ${id} was not published within a minute`);
}

/** Telegram's bot must have its webhook before the post: the first collection's access check registers it. */
async function botWebhooksReady(): Promise<void> {
  const pushOnly = ROWS.filter((row) => row.push === 'bot-webhook').map((row) => row.channel);
  if (pushOnly.length === 0) return;
  await fetch(`${stack.apiUrl}/_local/schedules/collect-replies/run`, { method: 'POST' });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const inboxes = (await call('GET', '/replies?limit=1')).channels as { id: string; inbox?: { status: string } }[];
    if (pushOnly.every((id) => inboxes.find((channel) => channel.id === id)?.inbox?.status === 'ok')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the access check of ${pushOnly.join(', ')} did not succeed within a minute`);
}

try {
  await botWebhooksReady();
  const baseline: number[] = [];
  for (let i = 0; i < 3; i += 1) baseline.push(...(await alert(`Probe ${i}: Warnung vor Hochwasser.`)).latencies);

  const { deliveries } = await alert('Hochwasser: Die Elbe steigt über 7 m. Fragen beantworten wir hier.', true);
  const posts = Object.fromEntries(deliveries.map((delivery) => [delivery.platform, String(delivery.remoteId)]));

  const added = new Map<string, { platform: PlatformId; at: number }>();
  const seen = new Map<string, number>();
  let adding = true;
  let lastAdded = Date.now();
  const started = Date.now();
  const watcher = (async () => {
    while (adding || seen.size < added.size) {
      let cursor: string | undefined;
      do {
        const page = await call('GET', `/replies?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        const now = Date.now();
        for (const item of (page.items as { text: string }[]) ?? []) if (!seen.has(item.text)) seen.set(item.text, now);
        cursor = page.next as string | undefined;
      } while (cursor);
      if (!adding && Date.now() - lastAdded > 150_000) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  const loaded: number[] = [];
  const alerts = (async () => {
    for (let minute = 1; minute * 60 < SECONDS; minute += 1) {
      await new Promise((resolve) => setTimeout(resolve, 60_000 - ((Date.now() - started) % 60_000)));
      loaded.push(...(await alert(`Aktualisierung ${minute}: Pegel weiter steigend.`)).latencies);
    }
  })();

  for (let index = 0; index < REPLIES; index += 1) {
    const due = started + (index * SECONDS * 1000) / REPLIES;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const row = ROWS[index % ROWS.length]!;
    const { platform } = row;
    const text = `Frage ${index}: Ist die Fähre in Johannstadt in Betrieb?`;
    const response = await fetch(`${stack.simulatorUrl}/_sim/replies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        platform,
        postId: posts[platform],
        text,
        ...(PUSH && typeof row.push === 'object' ? { webhook: `${stack.apiUrl}${row.push.webhook}` } : {}),
      }),
    });
    if (response.status !== 201) throw new Error(`the simulator refused a reply: ${response.status}`);
    added.set(text, { platform, at: Date.now() });
    lastAdded = Date.now();
  }
  adding = false;
  await Promise.all([watcher, alerts]);

  console.log(
    `\n${REPLIES} replies over ${SECONDS} s, schedule every 60 s, ${PUSH ? 'Meta webhooks on' : 'Meta webhooks off'}:`,
  );
  console.log('platform   arrival          replies  listed  p50 → listed  p95 → listed  max        target p95 ≤ 70 s');
  let worstP95 = 0;
  for (const { platform, push } of ROWS) {
    const waits = [...added.entries()]
      .filter(([, entry]) => entry.platform === platform)
      .flatMap(([text, entry]) => (seen.has(text) ? [seen.get(text)! - entry.at] : []));
    const total = [...added.values()].filter((entry) => entry.platform === platform).length;
    const p95 = percentile(waits, 95);
    worstP95 = Math.max(worstP95, waits.length < total ? Number.POSITIVE_INFINITY : p95);
    const arrival = push === 'bot-webhook' ? 'push' : PUSH && push ? 'poll + push' : 'poll';
    console.log(
      `${platform.padEnd(10)} ${arrival.padEnd(15)} ${String(total).padStart(7)}  ${String(waits.length).padStart(6)}  ${(percentile(waits, 50) / 1000).toFixed(1).padStart(10)} s  ${(p95 / 1000).toFixed(1).padStart(10)} s  ${(Math.max(...waits) / 1000).toFixed(1).padStart(7)} s`,
    );
  }

  // every read budget's busiest window against its limit
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  console.log('\nread budget      busiest window  limit  (the documented limit it keeps under)');
  for (const { platform, channel } of ROWS) {
    const rule = REGISTRY[platform].inbox.reads;
    if (!rule) {
      console.log(
        `${platform.padEnd(16)} ${'–'.padStart(14)}  ${'–'.padStart(5)}  no reads: its replies come only by push`,
      );
      continue;
    }
    const scope = readBudgetScope(platform, rule, channel);
    const windows = await doc.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `READS#${scope}` },
      }),
    );
    const busiest = Math.max(0, ...(windows.Items ?? []).map((item) => Number(item.used)));
    console.log(
      `${platform.padEnd(16)} ${String(busiest).padStart(14)}  ${String(rule.limit).padStart(5)}  per ${rule.windowSeconds} s: ${rule.note}`,
    );
    if (busiest > rule.limit) process.exitCode = 1;
  }

  console.log(`\nemergency ingest → PUBLISHED   p50          p95          (${channels.length} channels each)`);
  console.log(
    `before the replies (baseline)  ${ms(percentile(baseline, 50)).padEnd(12)} ${ms(percentile(baseline, 95))}`,
  );
  console.log(
    `during the replies             ${ms(percentile(loaded, 50)).padEnd(12)} ${ms(percentile(loaded, 95))}  (${ratio(percentile(loaded, 95), percentile(baseline, 95))} the baseline's p95)`,
  );
  if (worstP95 > 70_000) process.exitCode = 1;
} finally {
  await stack.stop();
}

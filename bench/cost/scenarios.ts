/**
 * The events the cost model prices, each run once in the local stack under the meter: what one of
 * them made AWS do is everything the meter counted from its start until the stack was quiet again.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { localDynamoDocumentClient } from '../../local/aws';
import { organisationIds } from '../../shared/organisations/organisations';
import { plannedReplyJobs } from '../../shared/replies/schedule';
import type { CapacityCrossCheck, Invocation, Meter, Usage } from './meter';

export interface Measured {
  event: string;
  /** what the event was, in the words of docs/COST.md */
  description: string;
  usages: Usage[];
  invocations: Invocation[];
  crossChecks: CapacityCrossCheck[];
  partitionWrites: Record<string, number>;
  itemWrites: Record<string, { table: number; indexes: number; requests: number }>;
  /** cards the alert-card function stored (in AWS each an S3 PUT; locally a file) */
  cardsStored: number;
  /** SQS records the publishers handled (for the replies poll: its collect-replies jobs) */
  publisherRecords: number;
  /** a replies poll: the collect-replies jobs that read posts, the posts they carried and the access checks, as the schedule planned them */
  replyReads?: { jobs: number; posts: number; accessChecks: number };
}

const SETTLED = new Set(['PUBLISHED', 'FAILED', 'SKIPPED', 'CANCELLED', 'HANDOFF']);
const QUIET_MS = 1500;

/**
 * `coldCaches` runs before each event but one: a channel's next message may come after a function's
 * caches (credentials: an hour) have expired, or reach a new function instance, unlike events run
 * back to back. The exception, a routine message with warm caches, shows what the cache saves.
 */
export async function measureEvents(stack: LocalStack, meter: Meter, coldCaches: () => void): Promise<Measured[]> {
  const tokens = {
    editor: await signToken({ sub: 'bench-editor', org: 'city', roles: ['editor'] }),
    sender: await signToken({ sub: 'bench-sender', org: 'city', roles: ['editor', 'emergency'] }),
    approver: await signToken({ sub: 'bench-approver', org: 'city', roles: ['emergency'] }),
  };
  const api = async (route: string, init: { method?: string; token?: string; body?: unknown; type?: string } = {}) => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${init.token ?? tokens.editor}`,
        ...(init.body !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}),
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    if (response.status >= 400)
      throw new Error(`${init.method ?? 'GET'} ${route} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const settled = async (id: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      // read straight from the table's view through the API would count as the event's cost: poll outside it
      const deliveries = (await stackMessage(stack, id)).filter((delivery) => !SETTLED.has(delivery.state));
      if (deliveries.length === 0) return;
      if (Date.now() > deadline) throw new Error(`message ${id} did not settle: ${JSON.stringify(deliveries)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const measure = async (
    event: string,
    description: string,
    run: () => Promise<void>,
    caches: 'cold' | 'warm' = 'cold',
  ): Promise<Measured> => {
    await quiet(meter);
    if (caches === 'cold') coldCaches();
    meter.reset();
    const cardsBefore = await filesUnder(stack.cards.directory);
    await run();
    await quiet(meter);
    return {
      event,
      description,
      usages: [...meter.usages],
      invocations: [...meter.invocations],
      crossChecks: [...meter.crossChecks],
      partitionWrites: Object.fromEntries(meter.partitionWrites),
      itemWrites: Object.fromEntries(meter.itemWrites),
      cardsStored: (await filesUnder(stack.cards.directory)) - cardsBefore,
      publisherRecords: meter.invocations
        .filter((invocation) => invocation.functionName.startsWith('herold-publish-'))
        .reduce((sum, invocation) => sum + (invocation.records ?? 1), 0),
    };
  };
  const repliesPoll = () => stack.schedules.runNow('collect-replies');
  /** a replies poll, with what the schedule plans for it (read outside any invocation, so not counted) */
  const measurePoll = async (event: string, description: string): Promise<Measured> => {
    const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
    const store = { doc, table: stack.tableName };
    const planned = await plannedReplyJobs({ store, orgs: await organisationIds(store), nowMs: Date.now() });
    doc.destroy();
    const reads = planned.flatMap(({ job }) => (job.type === 'collect-replies' && job.messageIds ? [job] : []));
    // a post is read every minute in its first hour: the function reading it holds its credentials
    const measured = await measure(event, description, repliesPoll, 'warm');
    return {
      ...measured,
      replyReads: {
        jobs: reads.length,
        posts: reads.reduce((sum, job) => sum + (job.messageIds?.length ?? 0), 0),
        accessChecks: planned.length - reads.length,
      },
    };
  };

  const results: Measured[] = [];
  results.push(
    await measurePoll(
      'replies poll, nothing published',
      'one run of the every-minute replies schedule before any post is watched',
    ),
  );
  results.push(
    await measure(
      'routine message',
      "a message to the city's 10 active channels, until every delivery settled",
      async () => {
        const created = await api('/messages', {
          body: { text: 'Kostenmessung: Neues aus dem Rathaus.', link: 'https://www.dresden.de/pm' },
        });
        await settled(String(created.id));
      },
    ),
  );
  results.push(
    await measurePoll(
      'replies poll, one post per channel',
      "one run of the replies schedule while the routine message's posts are in their first hour: one post due on each watched channel",
    ),
  );
  results.push(
    await measure(
      'routine message, warm caches',
      'the same message again at once: every function instance still holds the credentials it read (an hour)',
      async () => {
        const created = await api('/messages', {
          body: { text: 'Kostenmessung: Noch etwas aus dem Rathaus.', link: 'https://www.dresden.de/pm' },
        });
        await settled(String(created.id));
      },
      'warm',
    ),
  );
  results.push(
    await measure(
      'scheduled message',
      'a message to the same channels scheduled 2 s ahead, until settled',
      async () => {
        const created = await api('/messages', {
          body: { text: 'Kostenmessung: geplante Nachricht.', scheduledAt: new Date(Date.now() + 2000).toISOString() },
        });
        await new Promise((resolve) => setTimeout(resolve, 2500));
        await settled(String(created.id));
      },
    ),
  );
  results.push(
    await measure(
      'emergency alert with approval',
      'a CAP alert of the city, approved by a second person, until settled',
      async () => {
        const xml = await readFile(
          path.join(import.meta.dirname, '../../test/fixtures/cap/dresden-bombenfund-evakuierung.xml'),
          'utf8',
        );
        const created = await api('/alerts', { token: tokens.sender, body: xml, type: 'application/cap+xml' });
        const [message] = created.messages as { id: string }[];
        await api(`/messages/${message!.id}/approve`, { method: 'POST', token: tokens.approver });
        await settled(message!.id);
      },
    ),
  );
  results.push(
    await measurePoll(
      'replies poll, one cycle',
      'one run of the replies schedule while the posts of the four messages above are in their first hour (read every minute): several posts due on each watched channel',
    ),
  );
  results.push(
    await measure('follower collection (day)', "one day's follower collection of the 15 seeded channels", () =>
      stack.schedules.runNow('collect-followers'),
    ),
  );
  results.push(
    await measure('reconciler run', 'one reconciler run with no delivery open', () =>
      stack.schedules.runNow('reconciler'),
    ),
  );
  results.push(
    await measure('token-health run', 'one daily token-health check of the 15 seeded channels', () =>
      stack.schedules.runNow('token-health'),
    ),
  );
  results.push(
    await measure('NINA poll', 'one poll of the NINA feed for the one organisation that follows it, nothing new', () =>
      stack.schedules.runNow('alerts-feed'),
    ),
  );
  results.push(
    await measure(
      'workspace session',
      'sign-in load (me, channels, messages), 2 previews, then 10 minutes open: 60 list refreshes',
      async () => {
        await api('/me');
        await api('/channels');
        await api('/messages');
        for (const text of ['Vorschau', 'Vorschau mit mehr Text']) await api('/previews', { body: { text } });
        for (let refresh = 0; refresh < 60; refresh += 1) await api('/messages');
      },
    ),
  );
  return results;
}

async function stackMessage(stack: LocalStack, id: string): Promise<{ state: string }[]> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { localDynamoDocumentClient } = await import('../../local/aws');
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `MSG#${id}`, ':sk': 'DLV#' },
    }),
  );
  doc.destroy();
  return Items.map((item) => ({ state: String(item.state) }));
}

/** How many files are under `directory` (the alert cards the local card store kept). */
async function filesUnder(directory: string): Promise<number> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).length;
}

/** Waits until nothing was counted for QUIET_MS: the event's last consequence has happened. */
async function quiet(meter: Meter): Promise<void> {
  let last = meter.usages.length;
  let since = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - since < QUIET_MS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (meter.usages.length !== last) {
      last = meter.usages.length;
      since = Date.now();
    }
  }
}

/**
 * The official feed: every minute, for each organisation whose policy names a region (`ninaArs`),
 * read the NINA dashboard, compare it with the id → hash map of the last poll (one item per
 * organisation), and turn new, updated and cancelled warnings into alerts through the same path as
 * `POST /alerts`. A warning version is ingested once (its NINA key is the idempotency key), and the
 * post names the source ("Quelle: NINA / <sender>").
 *
 * A warning that simply leaves the dashboard (expired, or its all-clear expired) publishes nothing:
 * NINA announces a withdrawal as a Cancel, which is published as the all-clear.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import {
  detectChanges,
  fetchDashboard,
  fetchWarning,
  ninaBaseUrl,
  ninaIdempotencyKey,
  ninaWarningToCap,
  type NinaDashboardItem,
} from '../cap/nina';
import type { CreateMessageDeps } from '../intake/create-message';
import type { Store } from '../store/client';
import { alertPolicy } from './policy';

export const FEED_SOURCE = 'NINA';
/** The user the feed acts as: its emergency messages still need a person's approval unless the policy allows one. */
export const FEED_USER = 'nina-feed';

export interface FeedDeps extends CreateMessageDeps {
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
}

export interface FeedOutcome {
  warningId: string;
  change: 'new' | 'updated' | 'cancelled';
  /** ids of the messages it became, or why it did not */
  messages?: string[];
  replayed?: boolean;
  error?: string;
}

export interface FeedReport {
  org: string;
  ars: string;
  outcomes: FeedOutcome[];
  error?: string;
}

const FeedStateSchema = z.object({ hashes: z.record(z.string(), z.string()) });
const feedStateKey = (org: string) => ({ PK: `NINAFEED#${org}`, SK: 'NINAFEED' });

async function readHashes(store: Store, org: string): Promise<Map<string, string>> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: feedStateKey(org), ConsistentRead: true }),
  );
  return new Map(Object.entries(Item ? FeedStateSchema.parse(Item).hashes : {}));
}

async function writeHashes(store: Store, org: string, hashes: ReadonlyMap<string, string>, now: Date): Promise<void> {
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: { ...feedStateKey(org), hashes: Object.fromEntries(hashes), polledAt: now.toISOString() },
    }),
  );
}

export async function pollNinaFeeds(deps: FeedDeps): Promise<FeedReport[]> {
  const feeds = Object.entries(alertPolicy(deps.env)).flatMap(([org, policy]) =>
    policy.ninaArs ? [{ org, ars: policy.ninaArs }] : [],
  );
  const reports: FeedReport[] = [];
  for (const feed of feeds) {
    try {
      reports.push(await pollOne(feed.org, feed.ars, deps));
    } catch (error) {
      // One organisation's failing feed must not stop the others'.
      reports.push({ ...feed, outcomes: [], error: error instanceof Error ? error.message : String(error) });
    }
  }
  return reports;
}

async function pollOne(org: string, ars: string, deps: FeedDeps): Promise<FeedReport> {
  const baseUrl = deps.baseUrl ?? ninaBaseUrl(deps.env);
  const previous = await readHashes(deps.store, org);
  const dashboard = await fetchDashboard(baseUrl, ars, { fetch: deps.fetch });
  const changes = detectChanges(previous, dashboard);
  const principal: Principal = { sub: FEED_USER, org, roles: ['emergency'] };
  const work: { item: NinaDashboardItem; change: FeedOutcome['change'] }[] = [
    ...changes.new.map((item) => ({ item, change: 'new' as const })),
    ...changes.updated.map((item) => ({ item, change: 'updated' as const })),
    ...changes.cancelled.flatMap((cancellation) =>
      cancellation.item ? [{ item: cancellation.item, change: 'cancelled' as const }] : [],
    ),
  ];
  const outcomes: FeedOutcome[] = [];
  const next = new Map(changes.next);
  for (const { item, change } of work) {
    try {
      outcomes.push({ warningId: item.id, change, ...(await ingestWarning(principal, baseUrl, item, deps)) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcomes.push({ warningId: item.id, change, error: message });
      // A refused warning (not CAP, unknown reference) stays refused; a failure to reach NINA or DynamoDB is tried again next minute.
      if (!(error instanceof ProblemError)) {
        const before = previous.get(item.id);
        if (before === undefined) next.delete(item.id);
        else next.set(item.id, before);
      }
    }
  }
  await writeHashes(deps.store, org, next, (deps.now ?? (() => new Date()))());
  return { org, ars, outcomes };
}

async function ingestWarning(
  principal: Principal,
  baseUrl: string,
  item: NinaDashboardItem,
  deps: FeedDeps,
): Promise<Pick<FeedOutcome, 'messages' | 'replayed'>> {
  const detail = await fetchWarning(baseUrl, item.id, { fetch: deps.fetch });
  const converted = ninaWarningToCap(detail);
  if (!converted.ok)
    throw new ProblemError(
      422,
      `NINA warning ${item.id} is not a valid CAP alert: ${converted.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`,
    );
  // The intake path (rendering, planning, queueing) loads with the first warning: most polls find none.
  const { publishAlert } = await import('./ingest');
  const response = await publishAlert(
    principal,
    converted.alert,
    { idempotencyKey: ninaIdempotencyKey(item), source: FEED_SOURCE },
    deps,
  );
  const body = JSON.parse(response.body) as { messages?: { id: string }[] };
  return { messages: (body.messages ?? []).map((message) => message.id), replayed: response.replayed };
}

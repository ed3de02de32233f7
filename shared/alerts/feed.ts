/**
 * The official feed: every minute, for each organisation whose policy names a region (`ninaArs`),
 * side by side within a bound (FEED_CONCURRENCY),
 * read the NINA dashboard, compare it with the id → hash map of the last poll (one item per
 * organisation), and turn new, updated and cancelled warnings into alerts through the same path as
 * `POST /alerts`. A warning version is ingested once (its NINA key is the idempotency key), and the
 * post names the source ("Quelle: NINA / <sender>").
 *
 * A warning that leaves the dashboard after its Cancel publishes nothing more. One that leaves
 * without a Cancel (it expired, or was withdrawn silently) is recorded as vanished (vanished.ts)
 * for a person to decide on an all-clear; nothing is published on its own.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { mapBounded } from '../bounded';
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
import type { CapAlert } from '../cap/schema';
import type { Store } from '../store/client';
import { referenceKey } from '../cap/to-message';
import { publishAlert } from './ingest';
import { listOrganisations } from '../organisations/organisations';
import { getCapReference } from './references';
import { recordVanishedWarning } from './vanished';

export const FEED_SOURCE = 'NINA';
/** The user the feed acts as: its emergency messages still need a person's approval unless the policy allows one. */
export const FEED_USER = 'nina-feed';

export interface FeedDeps extends CreateMessageDeps {
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** organisations polled at the same time (FEED_CONCURRENCY) */
  feedConcurrency?: number;
}

export interface FeedOutcome {
  warningId: string;
  change: 'new' | 'updated' | 'cancelled' | 'vanished';
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

/** What the feed last ingested of a warning: whether it was a Cancel, and the alert it became. */
const IngestedSchema = z.object({ msgType: z.string(), referenceKey: z.string() });
type Ingested = z.infer<typeof IngestedSchema>;

const FeedStateSchema = z.object({
  hashes: z.record(z.string(), z.string()),
  ingested: z.record(z.string(), IngestedSchema).default({}),
});
type FeedState = { hashes: Map<string, string>; ingested: Map<string, Ingested> };
/** the item of an organisation's NINA feed state (`polledAt`: its last poll) */
export const feedStateKey = (org: string) => ({ PK: `NINAFEED#${org}`, SK: 'NINAFEED' });

async function readState(store: Store, org: string): Promise<FeedState> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: feedStateKey(org), ConsistentRead: true }),
  );
  const state = FeedStateSchema.parse(Item ?? { hashes: {} });
  return { hashes: new Map(Object.entries(state.hashes)), ingested: new Map(Object.entries(state.ingested)) };
}

async function writeState(store: Store, org: string, state: FeedState, now: Date): Promise<void> {
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: {
        ...feedStateKey(org),
        hashes: Object.fromEntries(state.hashes),
        ingested: Object.fromEntries(state.ingested),
        polledAt: now.toISOString(),
      },
    }),
  );
}

/**
 * Organisations polled at the same time: each poll is one GET of NINA's dashboard and a few table
 * requests, so 500 organisations take about 500 / 16 round trips, well inside the minute, without
 * opening hundreds of connections to NINA at once.
 */
export const FEED_CONCURRENCY = 16;

export async function pollNinaFeeds(deps: FeedDeps): Promise<FeedReport[]> {
  const feeds = (await listOrganisations(deps.store)).flatMap(({ org, alertPolicy }) =>
    alertPolicy.ninaArs ? [{ org, ars: alertPolicy.ninaArs }] : [],
  );
  // One job per organisation, side by side within the bound; one organisation's failing feed must
  // not stop the others' (it is polled again next minute: its state item is written only on success).
  return mapBounded(feeds, deps.feedConcurrency ?? FEED_CONCURRENCY, async (feed): Promise<FeedReport> => {
    try {
      return await pollOne(feed.org, feed.ars, deps);
    } catch (error) {
      return { ...feed, outcomes: [], error: error instanceof Error ? error.message : String(error) };
    }
  });
}

async function pollOne(org: string, ars: string, deps: FeedDeps): Promise<FeedReport> {
  const baseUrl = deps.baseUrl ?? ninaBaseUrl(deps.env);
  const state = await readState(deps.store, org);
  const previous = state.hashes;
  const dashboard = await fetchDashboard(baseUrl, ars, { fetch: deps.fetch });
  const changes = detectChanges(previous, dashboard);
  const now = (deps.now ?? (() => new Date()))();
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
  const ingested = new Map(state.ingested);
  for (const { item, change } of work) {
    try {
      const { alert, ...outcome } = await ingestWarning(principal, baseUrl, item, deps);
      ingested.set(item.id, {
        msgType: alert.msgType,
        referenceKey: referenceKey(alert.sender, alert.identifier, alert.sent),
      });
      outcomes.push({ warningId: item.id, change, ...outcome });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcomes.push({ warningId: item.id, change, error: message });
      // A refused warning (not valid CAP) stays refused; a failure to reach NINA or DynamoDB is tried again next minute.
      if (!(error instanceof ProblemError)) {
        const before = previous.get(item.id);
        if (before === undefined) next.delete(item.id);
        else next.set(item.id, before);
      }
    }
  }
  for (const gone of changes.cancelled.filter((cancellation) => cancellation.reason === 'gone')) {
    const last = ingested.get(gone.id);
    ingested.delete(gone.id);
    if (!last || last.msgType === 'Cancel') continue;
    try {
      if (await recordVanished(deps.store, org, gone.id, last.referenceKey, now))
        outcomes.push({ warningId: gone.id, change: 'vanished' });
    } catch (error) {
      // Recorded next minute: the warning stays in the map as if it had not left yet.
      ingested.set(gone.id, last);
      next.set(gone.id, previous.get(gone.id) ?? '');
      outcomes.push({ warningId: gone.id, change: 'vanished', error: (error as Error).message });
    }
  }
  await writeState(deps.store, org, { hashes: next, ingested }, now);
  return { org, ars, outcomes };
}

/** A warning left the dashboard without a Cancel: recorded when Herold published an alert for it. */
async function recordVanished(store: Store, org: string, warningId: string, key: string, now: Date): Promise<boolean> {
  const alert = await getCapReference(store, org, key);
  if (!alert?.reference || alert.kind === 'all-clear') return false;
  const [primary] = Object.values(alert.messages);
  if (!primary) return false;
  return recordVanishedWarning(store, {
    org,
    warningId,
    reference: alert.reference,
    referenceKey: key,
    headline: alert.headline,
    messages: alert.messages,
    messageId: primary,
    vanishedAt: now.toISOString(),
  });
}

async function ingestWarning(
  principal: Principal,
  baseUrl: string,
  item: NinaDashboardItem,
  deps: FeedDeps,
): Promise<Pick<FeedOutcome, 'messages' | 'replayed'> & { alert: CapAlert }> {
  const detail = await fetchWarning(baseUrl, item.id, { fetch: deps.fetch });
  const converted = ninaWarningToCap(detail);
  if (!converted.ok)
    throw new ProblemError(
      422,
      `NINA warning ${item.id} is not a valid CAP alert: ${converted.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`,
    );
  const response = await publishAlert(
    principal,
    converted.alert,
    { idempotencyKey: ninaIdempotencyKey(item), source: FEED_SOURCE },
    deps,
  );
  const body = JSON.parse(response.body) as { messages?: { id: string }[] };
  return {
    alert: converted.alert,
    messages: (body.messages ?? []).map((message) => message.id),
    replayed: response.replayed,
  };
}

/** Key layout of the single table (design §3). Every key is built here and nowhere else. */
export const keys = {
  message: (messageId: string) => ({ PK: `MSG#${messageId}`, SK: 'MSG' }),
  /**
   * A delivery: under its message's own partition, or — for a message to more than
   * DELIVERIES_PER_PARTITION channels — under one of the message's `deliveryPartitions` partitions
   * `MSG#<id>#<n>`, n by a hash of the channel (see deliveryPartitionsFor).
   */
  delivery: (messageId: string, channelId: string, deliveryPartitions?: number) => ({
    PK: deliveryPartitionKey(messageId, channelId, deliveryPartitions),
    SK: `DLV#${channelId}`,
  }),
  channel: (channelId: string) => ({ PK: `CHANNEL#${channelId}`, SK: 'CHANNEL' }),
  /**
   * how the channel's last publish went, beside the channel item rather than on it: the channel item
   * is in GSI1 with every attribute, and a write to it is a second write to the index
   */
  channelLastPublish: (channelId: string) => ({ PK: `CHANNEL#${channelId}`, SK: 'LASTPUBLISH' }),
  /** GSI1: an organisation's messages by time */
  orgMessages: (org: string) => `ORG#${org}`,
  orgMessagesSort: (createdAt: string, messageId: string) => `${createdAt}#${messageId}`,
  /** GSI1: an organisation's channels */
  orgChannels: (org: string) => `ORGCHANNELS#${org}`,
  orgChannelsSort: (platform: string, channelId: string) => `${platform}#${channelId}`,
  /**
   * The OPEN index (OPEN_INDEX): deliveries that are not settled yet, sorted by when the reconciler
   * should next look at them. Sparse: the attributes are removed when a delivery settles, so the index
   * only ever holds work in flight. Spread over OPEN_SHARDS partitions (`OPEN#0` … `OPEN#15`) by a
   * hash of the delivery, so a state-wide alert's thousands of deliveries do not all write one index
   * partition.
   */
  openDeliveries: (messageId: string, channelId: string) => `OPEN#${openShard(messageId, channelId)}`,
  openDeliveriesSort: (checkAtMs: number, messageId: string, channelId: string) =>
    `${new Date(checkAtMs).toISOString()}#${messageId}#${channelId}`,
  /**
   * A message written in chunks, not visible yet: exists from the first chunk until the last small
   * transaction makes the message visible (shared/store/staged-write.ts). In the OPEN index under
   * its own check time, so the reconciler finds and removes a write that was abandoned.
   */
  stagedWrite: (messageId: string) => ({ PK: `MSG#${messageId}`, SK: STAGED_WRITE_SK }),
  /** a decision (approval, rejection) whose deliveries are still following it (shared/store/decision.ts) */
  releaseMarker: (messageId: string) => ({ PK: `MSG#${messageId}`, SK: RELEASE_SK }),
  /** a connection waiting for its callback, by the SHA-256 of its `state` (never the state itself) */
  connectAttempt: (stateHash: string) => ({ PK: `CONNECT#${stateHash}`, SK: 'ATTEMPT' }),
  /** who is renewing a channel's token right now (shared/tokens/refresh-lease.ts) */
  tokenRefreshLease: (channelId: string) => ({ PK: `TOKENLEASE#${channelId}`, SK: 'LEASE' }),
  /**
   * every organisation the deployment serves, in one partition of its own so they are listed with a
   * paginated Query (shared/organisations/organisations.ts); read through a per-instance cache
   */
  organisationsPartition: () => 'ORGANISATIONS',
  organisation: (org: string) => ({ PK: 'ORGANISATIONS', SK: `ORG#${org}` }),
} as const;

/**
 * The reconciler's index of open work: its own, projecting keys only, so that of a delivery's writes
 * only those that add, move or remove its check time write the index (design: docs/DECISIONS.md).
 */
export const OPEN_INDEX = { name: 'OPEN', partitionKey: 'OPENPK', sortKey: 'OPENSK' } as const;

export const DELIVERY_SK_PREFIX = 'DLV#';
export const STAGED_WRITE_SK = 'STAGED';
export const RELEASE_SK = 'RELEASE';

/**
 * How many partitions the OPEN index is spread over. Fixed: the reconciler queries each of them every
 * run (16 small queries a minute), and a delivery's shard must not change while it is open. 16 keeps
 * a state-wide alert to 5,500 channels below 1/10 of DynamoDB's 1,000 WCU/s per partition on average
 * (see docs/COST.md, Hot partitions), leaving the burst at ingest and claim room.
 */
export const OPEN_SHARDS = 16;

/** Every shard key of the OPEN index, for the reconciler's parallel queries. */
export const openDeliveryShards = (): string[] => Array.from({ length: OPEN_SHARDS }, (_, shard) => `OPEN#${shard}`);

/** The delivery's OPEN shard: FNV-1a of its ids, stable and even enough. */
export const openShard = (messageId: string, channelId: string): number =>
  fnv1a32(`${messageId}#${channelId}`) % OPEN_SHARDS;

/** FNV-1a, 32 bit, over UTF-16 code units: a tiny well-known hash, no dependency for it. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * How many deliveries a message keeps under one partition. A message's deliveries are written within
 * seconds and each is written some ten times more while it is published (claim, outcome, retries):
 * a state-wide alert to 5,500 channels under one partition would take DynamoDB's 1,000 WCU/s limit
 * per partition on average, and far more at ingest. With 100 a partition it takes about 17 WCU/s.
 * Messages up to this many channels keep the layout they always had: one partition, one Query.
 */
export const DELIVERIES_PER_PARTITION = 100;

/** The partitions a message to `deliveries` channels spreads its deliveries over; undefined: its own. */
export const deliveryPartitionsFor = (deliveries: number): number | undefined =>
  deliveries > DELIVERIES_PER_PARTITION ? Math.ceil(deliveries / DELIVERIES_PER_PARTITION) : undefined;

const deliveryPartitionKey = (messageId: string, channelId: string, deliveryPartitions?: number): string =>
  deliveryPartitions && deliveryPartitions > 1
    ? `MSG#${messageId}#${fnv1a32(channelId) % deliveryPartitions}`
    : `MSG#${messageId}`;

/** Every partition key that holds deliveries of the message (its own when it has no partitions of its own). */
export const messageDeliveryPartitions = (messageId: string, deliveryPartitions?: number): string[] =>
  deliveryPartitions && deliveryPartitions > 1
    ? Array.from({ length: deliveryPartitions }, (_, n) => `MSG#${messageId}#${n}`)
    : [`MSG#${messageId}`];

/** Scheduled and held messages, the crisis hold and organisation settings. */
export const schedulingKeys = {
  /** the partition of an organisation's own items (hold, settings, state pointers) */
  orgPartition: (org: string) => `ORG#${org}`,
  /** the organisation's crisis hold: manual switch and running emergencies */
  orgHold: (org: string) => ({ PK: schedulingKeys.orgPartition(org), SK: 'HOLD' }),
  /** organisation settings (time zone, whose holds it follows, display name, directory) */
  orgConfig: (org: string) => ({ PK: schedulingKeys.orgPartition(org), SK: 'CONFIG' }),
  /** when the organisation's public directory was last built, and from which request on */
  orgDirectory: (org: string) => ({ PK: schedulingKeys.orgPartition(org), SK: 'DIRECTORY' }),
  /** a pointer per SCHEDULED or HELD message, so those are listed without reading every message */
  orgMessageInState: (org: string, state: string, createdAt: string, messageId: string) => ({
    PK: schedulingKeys.orgPartition(org),
    SK: `STATE#${state}#${createdAt}#${messageId}`,
  }),
  orgMessagesInStatePrefix: (state: string) => `STATE#${state}#`,
  /** local stack only: a one-time schedule of the in-process scheduler */
  localSchedule: (name: string) => ({ PK: `LOCALSCHEDULE#${name}`, SK: 'SCHEDULE' }),
  /** GSI1: local schedules by due time */
  localSchedulesDue: () => 'LOCALSCHEDULES',
  localSchedulesDueSort: (dueMs: number, name: string) => `${new Date(dueMs).toISOString()}#${name}`,
} as const;

/** Key layout of the single table (design §3). Every key is built here and nowhere else. */
export const keys = {
  message: (messageId: string) => ({ PK: `MSG#${messageId}`, SK: 'MSG' }),
  delivery: (messageId: string, channelId: string) => ({ PK: `MSG#${messageId}`, SK: `DLV#${channelId}` }),
  channel: (channelId: string) => ({ PK: `CHANNEL#${channelId}`, SK: 'CHANNEL' }),
  /** GSI1: an organisation's messages by time */
  orgMessages: (org: string) => `ORG#${org}`,
  orgMessagesSort: (createdAt: string, messageId: string) => `${createdAt}#${messageId}`,
  /** GSI1: an organisation's channels */
  orgChannels: (org: string) => `ORGCHANNELS#${org}`,
  orgChannelsSort: (platform: string, channelId: string) => `${platform}#${channelId}`,
  /**
   * GSI1: deliveries that are not settled yet, sorted by when the reconciler should next look at
   * them. Sparse: the attributes are removed when a delivery settles, so the index only ever holds
   * work in flight.
   */
  openDeliveries: () => 'OPEN',
  openDeliveriesSort: (checkAtMs: number, messageId: string, channelId: string) =>
    `${new Date(checkAtMs).toISOString()}#${messageId}#${channelId}`,
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

export const DELIVERY_SK_PREFIX = 'DLV#';

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

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
} as const;

export const DELIVERY_SK_PREFIX = 'DLV#';

/**
 * What an organisation's public directory shows, read from the table:
 *   - its channels: active ones, frozen ones and those on a platform the deployment does not
 *     publish to (herold:platforms) as "not monitored"; retired ones and channels whose
 *     account was never connected are left out, as are channels without a public address;
 *   - its latest messages that reached at least one channel: never a dry run (CAP exercises and
 *     tests are dry runs), nothing awaiting approval, held, scheduled or cancelled;
 *   - the current emergency message while a crisis of the organisation runs (shared/scheduling/crisis.ts).
 */
import { isDeployed } from '../config';
import type { Channel, Message } from '../model/schemas';
import { readHold } from '../scheduling/crisis';
import { listChannels } from '../store/channels';
import type { Store } from '../store/client';
import { getMessageWithDeliveries, listMessages } from '../store/messages';
import { readOrgSettings } from './settings';

/** How many messages the page and the feed carry. */
export const LATEST_MESSAGES = 10;
/** How many of the newest messages are looked at to find them (most are published; a few are held or dry runs). */
const LOOKED_AT = 40;
/** Messages whose deliveries are read at once. */
const CHUNK = 12;

export interface DirectoryChannel {
  id: string;
  platform: Channel['platform'];
  handle: string;
  displayName?: string;
  url: string;
  monitored: boolean;
}

export interface DirectoryMessage {
  id: string;
  text: string;
  link?: string;
  /** when it first reached a channel */
  publishedAt: string;
  /** when it last reached one */
  updatedAt: string;
  language?: string;
  capIdentifier?: string;
  emergency: boolean;
}

export interface DirectoryContent {
  org: string;
  displayName: string;
  embedOrigins: string[];
  channels: DirectoryChannel[];
  messages: DirectoryMessage[];
  emergency?: DirectoryMessage;
}

export function listedChannels(channels: readonly Channel[]): DirectoryChannel[] {
  return channels
    .filter((channel) => channel.state !== 'retired' && channel.connection?.status !== 'not-connected')
    .filter((channel): channel is Channel & { profileUrl: string } => Boolean(channel.profileUrl))
    .map((channel) => ({
      id: channel.id,
      platform: channel.platform,
      handle: channel.handle,
      ...(channel.displayName ? { displayName: channel.displayName } : {}),
      url: channel.profileUrl,
      monitored: channel.state === 'active' && isDeployed(channel.platform),
    }))
    .sort((a, b) => Number(b.monitored) - Number(a.monitored) || a.platform.localeCompare(b.platform));
}

/** Never public: dry runs (CAP exercises and tests), and what is scheduled, held or cancelled. */
const mayBePublic = (message: Message): boolean =>
  message.dryRun === undefined &&
  message.state !== 'SCHEDULED' &&
  message.state !== 'HELD' &&
  message.state !== 'CANCELLED';

/** A message the public may see, with when it reached its first and last channel; undefined when it never did. */
export function publicMessage(message: Message, publishedAt: string[]): DirectoryMessage | undefined {
  if (!mayBePublic(message) || publishedAt.length === 0) return undefined;
  const sorted = [...publishedAt].sort();
  return {
    id: message.id,
    text: message.text,
    ...(message.link ? { link: message.link } : {}),
    publishedAt: sorted[0]!,
    updatedAt: sorted.at(-1)!,
    ...(message.language ? { language: message.language } : {}),
    ...(message.cap ? { capIdentifier: message.cap.identifier } : {}),
    emergency: message.priority === 'emergency',
  };
}

const startsCrisis = (message: Message) =>
  message.priority === 'emergency' && message.kind !== 'all-clear' && message.kind !== 'cancel';

export async function loadDirectoryContent(store: Store, org: string): Promise<DirectoryContent> {
  const [settings, channels, hold, page] = await Promise.all([
    readOrgSettings(store, org),
    listChannels(store, org),
    readHold(store, org),
    listMessages(store, org, { limit: LOOKED_AT }),
  ]);
  const running = new Set(hold.emergencyIds);
  const byId = new Map(page.messages.map((message) => [message.id, message]));
  const rootOf = (message: Message): string => {
    let current = message;
    for (let depth = 0; depth < 32 && current.replyTo; depth += 1) {
      const parent = byId.get(current.replyTo);
      if (!parent) return current.replyTo;
      current = parent;
    }
    return current.id;
  };
  const isCurrentEmergency = (message: Message) => startsCrisis(message) && running.has(rootOf(message));
  // deliveries are read a few messages at a time, newest first, until the page is full and the
  // current emergency (if one runs) is found: a build costs a handful of reads, not one per message looked at
  const candidates = page.messages.filter(mayBePublic);
  const published: { message: Message; shown: DirectoryMessage }[] = [];
  const enough = () =>
    published.length >= LATEST_MESSAGES &&
    (running.size === 0 || published.some(({ message }) => isCurrentEmergency(message)));
  for (let start = 0; start < candidates.length && !enough(); start += CHUNK) {
    const loaded = await Promise.all(
      candidates.slice(start, start + CHUNK).map((message) => getMessageWithDeliveries(store, message.id)),
    );
    for (const found of loaded) {
      if (!found) continue;
      const times = found.deliveries
        .filter((delivery) => delivery.state === 'PUBLISHED' && delivery.publishedAt)
        .map((delivery) => delivery.publishedAt!);
      const shown = publicMessage(found.message, times);
      if (shown) published.push({ message: found.message, shown });
    }
  }
  const emergency = published.find(({ message }) => isCurrentEmergency(message))?.shown;
  return {
    org,
    displayName: settings.displayName,
    embedOrigins: settings.embedOrigins,
    channels: listedChannels(channels),
    messages: published.slice(0, LATEST_MESSAGES).map(({ shown }) => shown),
    ...(emergency ? { emergency } : {}),
  };
}

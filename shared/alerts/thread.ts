/**
 * Answers on platforms without replies (Facebook, Instagram, LinkedIn): the update is a new post
 * that names the original and links to it, its own post where it was published, else the alert's
 * link. Computed when the update is created, as a per-platform text override, so the preview, the
 * stored rendering and the post agree.
 */
import type { Channel, CreateMessage, Message } from '../model/schemas';
import { PLATFORMS } from '../platforms/registry';
import type { MessageWithDeliveries } from '../store/messages';

type MessageKind = Message['kind'];

/** The first line of a message: its CAP headline, or the start of its text. */
export function headlineOf(text: string): string {
  const first =
    text
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim() ?? '';
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

export function originalReference(
  kind: MessageKind,
  headline: string,
  url: string | undefined,
  german: boolean,
): string {
  const label = german
    ? kind === 'all-clear'
      ? 'Entwarnung zu'
      : kind === 'cancel'
        ? 'Widerruf zu'
        : 'Aktualisierung zu'
    : kind === 'all-clear'
      ? 'All-clear for'
      : 'Update to';
  const quoted = german ? `„${headline}“` : `"${headline}"`;
  return url ? `${label} ${quoted}: ${url}` : `${label} ${quoted}`;
}

/**
 * Text overrides for the chosen channels that cannot reply: the message's text followed by a line
 * naming and linking the original. An override the caller gave for a platform is kept as is.
 */
export function quoteOriginalOverrides(
  input: Pick<CreateMessage, 'text' | 'overrides'>,
  kind: MessageKind,
  original: MessageWithDeliveries,
  channels: readonly Channel[],
  language = 'de',
): CreateMessage['overrides'] {
  const overrides: NonNullable<CreateMessage['overrides']> = { ...input.overrides };
  const headline = headlineOf(original.message.text);
  const german = language.toLowerCase().startsWith('de');
  for (const channel of channels) {
    if (PLATFORMS[channel.platform].replies || input.overrides?.[channel.platform]) continue;
    const delivery = original.deliveries.find((candidate) => candidate.channelId === channel.id);
    const url = (delivery?.state === 'PUBLISHED' ? delivery.remoteUrl : undefined) ?? original.message.link;
    overrides[channel.platform] = { text: `${input.text}\n\n${originalReference(kind, headline, url, german)}` };
  }
  return Object.keys(overrides).length > 0 ? overrides : undefined;
}

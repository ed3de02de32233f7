/**
 * Each selected channel's post as the platform will show it, computed in the browser on every
 * keystroke with the functions' own code: planDelivery decides (queued, skipped, handed off) and
 * renders exactly as ingest does, measureText counts the platform's way. Why a channel would be
 * skipped is worked out from the same renderer and media rules as data, so it can be said in German.
 */
import { channelSpec, mediaRuleProblem, planDelivery, renderInput, type MediaProblem } from '@shared/messages/plan';
import type { Media } from '@shared/model/schemas';
import type { PlatformId, TextCounting } from '@shared/platforms/registry';
import { measureText, renderForPlatform, textLimit, utf8ByteLength } from '@shared/render';
import type { ListedChannel } from '@/lib/session';

export interface ComposedMessage {
  text: string;
  link?: string;
  media: Media[];
  overrides: Partial<Record<PlatformId, string>>;
  /** `card: true`: an image-only platform gets a generated card (shared/cards/rule.ts decides where) */
  card?: boolean;
}

export type SkipCause =
  | { code: 'channel'; state: 'frozen' | 'retired'; reason?: string }
  | { code: 'override-too-long'; length: number; limit: number }
  | { code: 'link-too-long'; length: number; limit: number }
  | { code: 'no-room'; length: number; limit: number }
  | { code: 'media'; problem: MediaProblem };

export interface ChannelPreview {
  channelId: string;
  platform: PlatformId;
  handle: string;
  /** what the delivery would be: QUEUED, SKIPPED or HANDOFF */
  state: 'QUEUED' | 'SKIPPED' | 'HANDOFF';
  text: string;
  length: number;
  limit: number;
  counting: TextCounting;
  /** the limit is the caption limit under media (Telegram) */
  captionLimit: boolean;
  /** Bluesky also limits bytes of facets; shown beside its graphemes */
  bytes?: number;
  shortened: boolean;
  /** the link was put at the end of the text */
  linkAppended: boolean;
  usesOverride: boolean;
  skip?: SkipCause;
  /** the alert card this platform gets instead of skipping the text: its size, format and alt text */
  card?: { width: number; height: number; mime: string; altText: string };
}

export function previewChannel(message: ComposedMessage, channel: ListedChannel): ChannelPreview {
  const spec = channelSpec(channel);
  const override = message.overrides[channel.platform];
  const input = {
    text: message.text,
    link: message.link || undefined,
    media: message.media,
    overrides: overridesOf(message),
    // the composer sends routine messages; planDelivery gives a card where the shared rule says so
    priority: 'normal' as const,
    ...(message.card ? { card: true } : {}),
  };
  const rendered = renderForPlatform(spec, renderInput(input, channel));
  const planned = planDelivery(
    { ...input, id: 'preview', org: channel.org },
    { ...channel, credentialsRef: 'preview' },
    [],
    rendered,
  );
  // a card counts as the post's media: Telegram's caption limit and the like apply to it
  const limit = textLimit(spec, planned.card ? 1 : message.media.length);
  const text = planned.renderedText;
  const base: ChannelPreview = {
    channelId: channel.id,
    platform: channel.platform,
    handle: channel.handle,
    state: planned.state === 'PENDING' ? 'QUEUED' : (planned.state as ChannelPreview['state']),
    text,
    length: rendered.length,
    limit,
    counting: spec.text.counting,
    captionLimit: (planned.card !== undefined || message.media.length > 0) && spec.text.captionLimit !== undefined,
    ...(channel.platform === 'bluesky' ? { bytes: utf8ByteLength(text) } : {}),
    shortened: rendered.ok && rendered.shortened,
    linkAppended: Boolean(input.link) && rendered.ok && !(override ?? message.text).includes(input.link!),
    usesOverride: override !== undefined,
    ...(planned.card
      ? {
          card: {
            width: planned.card.width,
            height: planned.card.height,
            mime: planned.card.mime,
            altText: planned.card.altText,
          },
        }
      : {}),
  };
  if (planned.state !== 'SKIPPED') return base;
  return { ...base, skip: skipCause(message, channel, rendered, override) };
}

function skipCause(
  message: ComposedMessage,
  channel: ListedChannel,
  rendered: ReturnType<typeof renderForPlatform>,
  override: string | undefined,
): SkipCause {
  const spec = channelSpec(channel);
  if (channel.state !== 'active')
    return { code: 'channel', state: channel.state, ...(channel.stateReason ? { reason: channel.stateReason } : {}) };
  if (!rendered.ok) {
    if (override !== undefined) return { code: 'override-too-long', length: rendered.length, limit: rendered.limit };
    if (message.link && measureText(spec.text.counting, message.link) > rendered.limit)
      return { code: 'link-too-long', length: measureText(spec.text.counting, message.link), limit: rendered.limit };
    return { code: 'no-room', length: rendered.length, limit: rendered.limit };
  }
  return { code: 'media', problem: mediaRuleProblem(spec, message.media) ?? { code: 'needs-media' } };
}

export const overridesOf = (message: ComposedMessage) => {
  const entries = Object.entries(message.overrides).filter(([, text]) => text !== undefined);
  return entries.length
    ? (Object.fromEntries(entries.map(([platform, text]) => [platform, { text }])) as Record<
        PlatformId,
        { text: string }
      >)
    : undefined;
};

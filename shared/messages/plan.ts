/**
 * Deciding, per channel, what happens to a message: rendered and queued, skipped with a reason,
 * or handed off to a person. Pure: no I/O, so every rule is unit-tested directly.
 */
import type { Channel, CreateMessage, Delivery, Media, Message } from '../model/schemas';
import { PLATFORMS, type PlatformSpec } from '../platforms/registry';
import { renderForPlatform } from '../render/render';
import type { MediaFacts } from './media-check';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export type PlannedDelivery = Omit<Delivery, 'createdAt' | 'updatedAt'>;

/** The platform's rules for one channel: with the account's own text limit where it has one (a Mastodon instance's). */
export function channelSpec(channel: Pick<Channel, 'platform' | 'textLimit'>): PlatformSpec {
  const spec = PLATFORMS[channel.platform];
  return channel.textLimit ? { ...spec, text: { ...spec.text, limit: channel.textLimit } } : spec;
}

export function planDelivery(
  message: Pick<Message, 'id' | 'org' | 'priority'> & Pick<CreateMessage, 'text' | 'link' | 'media' | 'overrides'>,
  channel: Channel,
  mediaFacts: readonly MediaFacts[] = [],
): PlannedDelivery {
  const spec = channelSpec(channel);
  const rendered = renderForPlatform(spec, {
    text: message.text,
    link: message.link,
    override: message.overrides?.[channel.platform]?.text,
    mediaCount: message.media.length,
  });
  const base = {
    messageId: message.id,
    channelId: channel.id,
    org: message.org,
    platform: channel.platform,
    priority: message.priority,
    renderedText: rendered.ok ? rendered.text : '',
    attempts: 0,
    version: 0,
  };
  const skip = (reason: string): PlannedDelivery => ({ ...base, state: 'SKIPPED', reason });

  if (channel.state !== 'active') {
    return skip(`channel is ${channel.state}${channel.stateReason ? `: ${channel.stateReason}` : ''}`);
  }
  if (!rendered.ok) return skip(rendered.reason);
  const mediaProblem = mediaRuleViolation(spec, message.media, mediaFacts);
  if (mediaProblem) return skip(mediaProblem);
  if (spec.publishing === 'handoff') {
    return {
      ...base,
      state: 'HANDOFF',
      reason: `${spec.displayName} has no publishing API: post the rendered text by hand, then confirm it`,
    };
  }
  return { ...base, state: 'PENDING' };
}

/** Why a platform cannot take this media, or undefined when it can. */
export function mediaRuleViolation(
  spec: PlatformSpec,
  media: readonly Media[],
  facts: readonly MediaFacts[] = [],
): string | undefined {
  const videos = media.filter((item) => item.mime.startsWith('video/'));
  if (spec.media.required === 'video' && videos.length === 0)
    return `${spec.displayName} publishes videos only and the message has none`;
  if (spec.media.required === 'image-or-video' && media.length === 0)
    return `${spec.displayName} needs an image or a video and the message has none`;
  const usable = media.filter(
    (item) => spec.media.imageMimes.includes(item.mime) || spec.media.videoMimes.includes(item.mime),
  );
  if (usable.length < media.length) {
    const refused = media.find((item) => !usable.includes(item));
    return `${spec.displayName} does not accept ${refused?.mime}`;
  }
  if (media.length > spec.media.maxItems)
    return `${spec.displayName} takes at most ${spec.media.maxItems} media items per post`;
  const tooLarge = media.findIndex((item, index) => {
    const bytes = facts[index]?.bytes;
    const max = item.mime.startsWith('video/') ? spec.media.maxVideoBytes : spec.media.maxImageBytes;
    return bytes !== undefined && bytes > max;
  });
  if (tooLarge >= 0) {
    const item = media[tooLarge]!;
    const max = item.mime.startsWith('video/') ? spec.media.maxVideoBytes : spec.media.maxImageBytes;
    return `${spec.displayName} takes ${item.mime.startsWith('video/') ? 'videos' : 'images'} up to ${megabytes(max)}; media[${tooLarge}] is ${megabytes(facts[tooLarge]!.bytes!)}`;
  }
  if (spec.media.maxAltText > 0) {
    const longAlt = media.find((item) => [...item.altText].length > spec.media.maxAltText);
    if (longAlt) return `${spec.displayName} stores alt texts of at most ${spec.media.maxAltText} characters`;
  }
  return undefined;
}

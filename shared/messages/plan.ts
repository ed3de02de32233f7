/**
 * Deciding, per channel, what happens to a message: rendered and queued, skipped with a reason,
 * or handed off to a person. Pure: no I/O (the deployed platforms come from the environment), so
 * every rule is unit-tested directly.
 */
import { isDeployed, notDeployedReason } from '../config';
import type { Channel, CreateMessage, Delivery, Media, Message } from '../model/schemas';
import { PLATFORMS, type PlatformSpec } from '../platforms/registry';
import { renderForPlatform, type RenderOutcome } from '../render/render';
import { cardAltText, cardContent, cardFor, type CardCandidate } from '../cards/rule';
import type { MediaFacts } from './media-check';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export type PlannedDelivery = Omit<Delivery, 'createdAt' | 'updatedAt'>;

/** The platform's rules for one channel: with the account's own text limit where it has one (a Mastodon instance's). */
export function channelSpec(channel: Pick<Channel, 'platform' | 'textLimit'>): PlatformSpec {
  const spec = PLATFORMS[channel.platform];
  return channel.textLimit ? { ...spec, text: { ...spec.text, limit: channel.textLimit } } : spec;
}

/** The renderer's input for this message on this channel's platform; a generated alert card counts as its media. */
export const renderInput = (
  message: Pick<CreateMessage, 'text' | 'link' | 'media' | 'overrides'> & CardCandidate,
  channel: Pick<Channel, 'platform'>,
) => ({
  text: message.text,
  link: message.link,
  override: message.overrides?.[channel.platform]?.text,
  mediaCount: cardFor(PLATFORMS[channel.platform], message) ? 1 : message.media.length,
});

/** `rendered`: the outcome of renderForPlatform for renderInput(message, channel), when the caller has it already. */
export function planDelivery(
  message: Pick<Message, 'id' | 'org' | 'priority'> &
    Pick<CreateMessage, 'text' | 'link' | 'media' | 'overrides'> &
    Partial<Pick<Message, 'kind' | 'card' | 'cap' | 'language'>>,
  channel: Channel,
  mediaFacts: readonly MediaFacts[] = [],
  rendered: RenderOutcome = renderForPlatform(channelSpec(channel), renderInput(message, channel)),
): PlannedDelivery {
  const spec = channelSpec(channel);
  // An image-only platform gets a generated alert card where the message brings no media of its own.
  // An answer is a comment under a citizen's reply: never a card, and no media rule of the platform's posts.
  const answer = message.kind === 'answer';
  const card = answer ? undefined : cardFor(spec, message);
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

  // a channel on a platform the deployment has no lane for (herold:platforms) is reported, never queued
  if (!isDeployed(channel.platform)) return skip(notDeployedReason(channel.platform));
  if (channel.state !== 'active') {
    return skip(`channel is ${channel.state}${channel.stateReason ? `: ${channel.stateReason}` : ''}`);
  }
  if (!rendered.ok) return skip(rendered.reason);
  if (card) {
    const altText = cardAltText(cardContent({ kind: 'post', ...message }), spec);
    return {
      ...base,
      state: 'PENDING',
      card: { state: 'pending', width: card.width, height: card.height, mime: card.mime, altText },
    };
  }
  const mediaProblem = answer ? undefined : mediaRuleViolation(spec, message.media, mediaFacts);
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

/** Why a platform cannot take this media, as data (the workspace words it in its own language). */
export type MediaProblem =
  | { code: 'needs-video' }
  | { code: 'needs-media' }
  | { code: 'mime'; mime: string }
  | { code: 'too-many'; max: number }
  | { code: 'too-large'; index: number; kind: 'images' | 'videos'; max: number; bytes: number }
  | { code: 'alt-too-long'; max: number };

export function mediaRuleProblem(
  spec: PlatformSpec,
  media: readonly Pick<Media, 'mime' | 'altText'>[],
  facts: readonly MediaFacts[] = [],
): MediaProblem | undefined {
  const videos = media.filter((item) => item.mime.startsWith('video/'));
  if (spec.media.required === 'video' && videos.length === 0) return { code: 'needs-video' };
  if (spec.media.required === 'image-or-video' && media.length === 0) return { code: 'needs-media' };
  const refused = media.find(
    (item) => !spec.media.imageMimes.includes(item.mime) && !spec.media.videoMimes.includes(item.mime),
  );
  if (refused) return { code: 'mime', mime: refused.mime };
  if (media.length > spec.media.maxItems) return { code: 'too-many', max: spec.media.maxItems };
  const tooLarge = media.findIndex((item, index) => {
    const bytes = facts[index]?.bytes;
    const max = item.mime.startsWith('video/') ? spec.media.maxVideoBytes : spec.media.maxImageBytes;
    return bytes !== undefined && bytes > max;
  });
  if (tooLarge >= 0) {
    const video = media[tooLarge]!.mime.startsWith('video/');
    return {
      code: 'too-large',
      index: tooLarge,
      kind: video ? 'videos' : 'images',
      max: video ? spec.media.maxVideoBytes : spec.media.maxImageBytes,
      bytes: facts[tooLarge]!.bytes!,
    };
  }
  if (spec.media.maxAltText > 0 && media.some((item) => [...item.altText].length > spec.media.maxAltText))
    return { code: 'alt-too-long', max: spec.media.maxAltText };
  return undefined;
}

export function describeMediaProblem(spec: PlatformSpec, problem: MediaProblem): string {
  switch (problem.code) {
    case 'needs-video':
      return `${spec.displayName} publishes videos only and the message has none`;
    case 'needs-media':
      return `${spec.displayName} needs an image or a video and the message has none`;
    case 'mime':
      return `${spec.displayName} does not accept ${problem.mime}`;
    case 'too-many':
      return `${spec.displayName} takes at most ${problem.max} media items per post`;
    case 'too-large':
      return `${spec.displayName} takes ${problem.kind} up to ${megabytes(problem.max)}; media[${problem.index}] is ${megabytes(problem.bytes)}`;
    case 'alt-too-long':
      return `${spec.displayName} stores alt texts of at most ${problem.max} characters`;
  }
}

/** Why a platform cannot take this media, or undefined when it can. */
export function mediaRuleViolation(
  spec: PlatformSpec,
  media: readonly Media[],
  facts: readonly MediaFacts[] = [],
): string | undefined {
  const problem = mediaRuleProblem(spec, media, facts);
  return problem && describeMediaProblem(spec, problem);
}

/**
 * What a message would look like on each channel, by each platform's own count, and where an
 * image-only platform would get a generated alert card instead of skipping it. Writes nothing.
 * The workspace shows this before anything is sent.
 */
import type { CreateMessage, Message, Principal } from '../model/schemas';
import { countingUnit, measureText, textLimit } from '../render';
import { ProblemError } from '../api/problem';
import { hasRole } from '../api/auth';
import { checkMedia, chooseChannels, type PlanDeps } from './plan-message';
import { channelSpec, planDelivery } from './plan';

export interface PreviewOptions {
  /** an official (CAP) alert: what it is, in which language, and where it came from */
  alert?: Pick<Message, 'kind' | 'language' | 'cap'>;
  /** a dry run: every channel SKIPPED with this reason, rendered all the same */
  dryRunReason?: string;
}

export async function previewMessage(
  principal: Principal,
  input: CreateMessage,
  deps: Pick<PlanDeps, 'store' | 'fetch'>,
  options: PreviewOptions = {},
) {
  if (input.priority === 'emergency' && !hasRole(principal, 'emergency'))
    throw new ProblemError(403, 'emergency priority needs the "emergency" role');
  const channels = await chooseChannels(deps.store, principal.org, input.channels);
  const mediaFacts = await checkMedia(input.media, deps.fetch);
  return {
    deliveries: channels.map((channel) => {
      const spec = channelSpec(channel);
      const planned = planDelivery(
        { ...input, id: 'preview', org: principal.org, ...options.alert },
        channel,
        mediaFacts,
      );
      const dryRun = options.dryRunReason && ['PENDING', 'HANDOFF'].includes(planned.state);
      const wouldBe = dryRun ? 'SKIPPED' : planned.state === 'PENDING' ? 'QUEUED' : planned.state;
      const reason = dryRun ? options.dryRunReason : planned.reason;
      return {
        channelId: channel.id,
        platform: channel.platform,
        state: wouldBe,
        text: planned.renderedText,
        length: measureText(spec.text.counting, planned.renderedText),
        limit: textLimit(spec, planned.card ? 1 : input.media.length),
        unit: countingUnit(spec.text.counting),
        ...(reason ? { reason } : {}),
        /** a generated alert card instead of "skipped": its size, format and alt text */
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
    }),
  };
}

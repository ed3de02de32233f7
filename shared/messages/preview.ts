/** What a message would look like on each channel, by each platform's own count. Writes nothing. */
import type { CreateMessage, Principal } from '../model/schemas';
import { countingUnit, measureText, textLimit } from '../render';
import { ProblemError } from '../api/problem';
import { hasRole } from '../api/auth';
import { checkMedia, chooseChannels, type PlanDeps } from './plan-message';
import { channelSpec, planDelivery } from './plan';

export async function previewMessage(
  principal: Principal,
  input: CreateMessage,
  deps: Pick<PlanDeps, 'store' | 'fetch'>,
) {
  if (input.priority === 'emergency' && !hasRole(principal, 'emergency'))
    throw new ProblemError(403, 'emergency priority needs the "emergency" role');
  const channels = await chooseChannels(deps.store, principal.org, input.channels);
  const mediaFacts = await checkMedia(input.media, deps.fetch);
  return {
    deliveries: channels.map((channel) => {
      const spec = channelSpec(channel);
      const planned = planDelivery({ ...input, id: 'preview', org: principal.org }, channel, mediaFacts);
      const wouldBe = planned.state === 'PENDING' ? 'QUEUED' : planned.state;
      return {
        channelId: channel.id,
        platform: channel.platform,
        state: wouldBe,
        text: planned.renderedText,
        length: measureText(spec.text.counting, planned.renderedText),
        limit: textLimit(spec, input.media.length),
        unit: countingUnit(spec.text.counting),
        ...(planned.reason ? { reason: planned.reason } : {}),
      };
    }),
  };
}

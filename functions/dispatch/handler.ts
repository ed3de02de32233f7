/**
 * Invoked by a message's one-time EventBridge Scheduler schedule with `{ "messageId": … }`: send the
 * scheduled message out (or hold it during a crisis). A repeated or late invocation does nothing;
 * an error is thrown only when retrying can help, so Lambda's retries and dead-letter queue apply.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/observability/powertools';
import { dispatchScheduledMessage } from '../../shared/scheduling/dispatch';
import { DispatchEventSchema } from '../../shared/scheduling/schedules';
import { defaultStore } from '../../shared/store/client';

export const handler = middy(async (event: unknown) => {
  const parsed = DispatchEventSchema.safeParse(event);
  if (!parsed.success) {
    // A malformed event never becomes valid: drop it loudly instead of retrying it.
    logger.error('dispatch event without a valid messageId', { event });
    return { outcome: 'ignored', reason: 'invalid event' };
  }
  logger.appendKeys({ messageId: parsed.data.messageId });
  const outcome = await dispatchScheduledMessage(parsed.data.messageId, { store: defaultStore() });
  return outcome.outcome === 'ignored'
    ? outcome
    : { outcome: outcome.outcome, messageId: outcome.messageId, state: outcome.view.state };
}).use(injectLambdaContext(logger, { resetKeys: true }));

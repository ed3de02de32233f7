/**
 * At-least-once delivery made worst-case: every job Herold puts on a queue is sent twice, the
 * second copy at once or a little later, so two publishers hold the same job at the same time as
 * often as one finds it again after the first finished.
 */
import type { SendMessageBatchCommandInput, SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';

export interface DuplicateSends {
  /** jobs sent a second time so far */
  readonly duplicated: number;
  /** sends once again */
  remove(): void;
}

const MIDDLEWARE_NAME = 'heroldFaultSuiteDuplicateEverySend';

/** The longest extra delay of a second copy, in seconds. */
const MAX_EXTRA_DELAY_SECONDS = 3;
/** SQS's own limit for DelaySeconds. */
const MAX_DELAY_SECONDS = 900;

export function duplicateEverySend(client: SQSClient, random: () => number = Math.random): DuplicateSends {
  let duplicated = 0;
  client.middlewareStack.remove(MIDDLEWARE_NAME);
  const later = (delaySeconds: number | undefined) =>
    Math.min(MAX_DELAY_SECONDS, (delaySeconds ?? 0) + Math.floor(random() * (MAX_EXTRA_DELAY_SECONDS + 1)));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'SendMessageBatchCommand') {
        const input = args.input as SendMessageBatchCommandInput;
        const copy = {
          ...input,
          Entries: (input.Entries ?? []).map((entry) => ({ ...entry, DelaySeconds: later(entry.DelaySeconds) })),
        };
        // a copy that cannot be sent is a duplicate less, never a lost job: the original went out
        await next({ ...args, input: copy }).then(
          () => (duplicated += copy.Entries.length),
          () => undefined,
        );
      } else if (context.commandName === 'SendMessageCommand') {
        const input = args.input as SendMessageCommandInput;
        await next({ ...args, input: { ...input, DelaySeconds: later(input.DelaySeconds) } }).then(
          () => (duplicated += 1),
          () => undefined,
        );
      }
      return result;
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
  return {
    get duplicated() {
      return duplicated;
    },
    remove: () => void client.middlewareStack.remove(MIDDLEWARE_NAME),
  };
}

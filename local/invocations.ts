/**
 * Which function's invocation the code running now belongs to, for the local stack's handler calls:
 * each call site (API, SQS event source, schedules) runs the handler through `invoke`, so a
 * benchmark can attribute the AWS requests it sees to a function and learn each invocation's
 * duration (bench/cost). Without an observer it only keeps the name in an AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Invocation {
  functionName: string;
  /** what invoked it, as AWS bills it: an API Gateway request, an SQS event source, EventBridge */
  trigger: 'api' | 'sqs' | 'schedule' | 'scheduler';
  /** the records of an SQS batch */
  records?: number;
}

/** `invocation` is the object `currentInvocation()` returned while it ran */
export type InvocationObserver = (invocation: Invocation, durationMs: number) => void;

const current = new AsyncLocalStorage<Invocation>();
let observer: InvocationObserver | undefined;

/** The invocation the calling code runs in, if any. */
export const currentInvocation = (): Invocation | undefined => current.getStore();

/** Tells `observer` about every invocation that ends from now on (undefined: nobody). */
export function observeInvocations(next: InvocationObserver | undefined): void {
  observer = next;
}

export async function invoke<T>(invocation: Invocation, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await current.run(invocation, run);
  } finally {
    observer?.(invocation, performance.now() - started);
  }
}

/**
 * The SQS-compatible server (local-aws-sqs) as a process of its own, as SQS is a service of its own:
 * its long polls tick while they wait, and that work must not compete with the handlers' event loop.
 * Started by local/services.ts; exits when its parent goes away.
 */
import { createSqsServer } from 'local-aws-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws';

/**
 * SQS answers a long poll as soon as a message arrives; local-aws-sqs looks for one every 10 ms, so
 * each hop through a queue cost about 10 ms more than in AWS. Its 10 ms tick (the only interval of
 * that length in this process) is shortened to 2 ms, which brings a hop down to about 2.5 ms.
 */
const LIBRARY_POLL_TICK_MS = 10;
const POLL_TICK_MS = 2;
const nativeSetInterval = globalThis.setInterval;
globalThis.setInterval = ((callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
  nativeSetInterval(callback, delay === LIBRARY_POLL_TICK_MS ? POLL_TICK_MS : delay, ...args)) as typeof setInterval;

const port = Number(process.argv[2]);
await createSqsServer({
  port,
  hostname: '127.0.0.1',
  region: LOCAL_REGION,
  accountId: LOCAL_ACCOUNT_ID,
  emulateQueueCreationLifecycle: false,
});
process.send?.('ready');
process.on('disconnect', () => process.exit(0));

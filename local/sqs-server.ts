/**
 * The SQS-compatible server (local-aws-sqs) as a process of its own, as SQS is a service of its own:
 * its long polls tick every 10 ms, and that work must not compete with the handlers' event loop.
 * Started by local/services.ts; exits when its parent goes away.
 */
import { createSqsServer } from 'local-aws-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws';

const port = Number(process.argv[2]);
await createSqsServer({ port, hostname: '127.0.0.1', region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, emulateQueueCreationLifecycle: false });
process.send?.('ready');
process.on('disconnect', () => process.exit(0));

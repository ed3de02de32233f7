/**
 * The publisher worker as the fault suite runs it: the real worker (local/publisher-worker.ts)
 * with every job it puts back on a queue (requeues after a rate limit or an ambiguous answer) sent
 * twice. The suite forks this file and kills it with SIGKILL whenever it likes.
 */
import { runPublisherWorkerProcess } from '../../local/publisher-worker';
import { sqs } from '../../shared/queue/jobs';
import { duplicateEverySend } from './duplicate-jobs';

duplicateEverySend(sqs());
await runPublisherWorkerProcess();

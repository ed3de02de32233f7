/**
 * The publisher worker as the fault suite runs it: the real worker (local/publisher-worker.ts)
 * with every job it puts back on a queue (requeues after a rate limit or an ambiguous answer) sent
 * twice, and more pollers per lane. The suite forks this file and kills it with SIGKILL whenever it likes.
 */
import { runPublisherWorkerProcess } from '../../local/publisher-worker';
import { sqs } from '../../shared/queue/jobs';
import { duplicateEverySend } from './duplicate-jobs';

duplicateEverySend(sqs());
// More pollers than deployed: much of an attempt is waiting (timeouts, video containers), and more
// jobs in flight at once make a kill hit more of them.
await runPublisherWorkerProcess({ concurrency: { normal: 5, urgent: 5 } });

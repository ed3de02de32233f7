/**
 * npm run redrive -- --platform threads [--lane urgent|normal]
 * Moves the platform's dead-letter jobs back to their queues. Uses the same environment as the
 * functions (HEROLD_QUEUES; AWS credentials, or AWS_ENDPOINT_URL_SQS for the local stack).
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { isPlatformId, PLATFORM_IDS } from '../shared/platforms/registry';
import { redrivePlatform } from '../shared/queue/redrive';

const { values } = parseArgs({ options: { platform: { type: 'string' }, lane: { type: 'string' } } });
if (!values.platform || !isPlatformId(values.platform)) {
  console.error(`--platform must be one of: ${PLATFORM_IDS.join(', ')}`);
  process.exit(2);
}
if (values.lane && values.lane !== 'urgent' && values.lane !== 'normal') {
  console.error('--lane must be urgent or normal');
  process.exit(2);
}
const lanes = values.lane ? [values.lane as 'urgent' | 'normal'] : (['urgent', 'normal'] as const);
const results = await redrivePlatform(new SQSClient({}), values.platform, [...lanes]);
for (const result of results) {
  console.log(`${values.platform} ${result.lane}: ${result.messages === 0 ? 'dead-letter queue is empty' : `moving ${result.messages} job(s) back (task ${result.taskHandle ?? 'started'})`}`);
}

/**
 * npm run redrive -- --platform threads [--lane urgent|normal] [--actor name]
 * Moves the platform's dead-letter jobs back to their queues, and writes the audit record of it for
 * every organisation the deployment serves (a platform's queues carry all of them). Uses the same
 * environment as the functions (HEROLD_TABLE, HEROLD_QUEUES; AWS credentials, or the local stack's
 * AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditPut } from '../shared/audit/audit';
import { isDeployed, notDeployedReason } from '../shared/config';
import { isPlatformId, PLATFORM_IDS } from '../shared/platforms/registry';
import { redrivePlatform } from '../shared/queue/redrive';
import { organisationIds } from '../shared/organisations/organisations';
import { defaultStore } from '../shared/store/client';

const { values } = parseArgs({
  options: { platform: { type: 'string' }, lane: { type: 'string' }, actor: { type: 'string' } },
});
if (!values.platform || !isPlatformId(values.platform)) {
  console.error(`--platform must be one of: ${PLATFORM_IDS.join(', ')}`);
  process.exit(2);
}
if (!isDeployed(values.platform)) {
  console.error(notDeployedReason(values.platform));
  process.exit(2);
}
if (values.lane && values.lane !== 'urgent' && values.lane !== 'normal') {
  console.error('--lane must be urgent or normal');
  process.exit(2);
}
const lanes = values.lane ? [values.lane as 'urgent' | 'normal'] : (['urgent', 'normal'] as const);
const actor = values.actor ?? `operator:${userInfo().username}`;
const results = await redrivePlatform(new SQSClient({}), values.platform, [...lanes]);
for (const result of results) {
  console.log(
    `${values.platform} ${result.lane}: ${result.messages === 0 ? 'dead-letter queue is empty' : `moving ${result.messages} job(s) back (task ${result.taskHandle ?? 'started'})`}`,
  );
}
const moved = results.filter((result) => result.messages > 0);
if (moved.length > 0) {
  const store = defaultStore();
  const now = new Date();
  const orgs = await organisationIds(store);
  // a transaction takes at most 100 items: one per organisation, in batches
  for (let start = 0; start < orgs.length; start += 100)
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: orgs.slice(start, start + 100).map((org) =>
          auditPut(
            store,
            { org, sub: actor },
            {
              action: 'queue.redrive',
              target: `platform/${values.platform}`,
              after: moved.map(({ lane, messages, taskHandle }) => ({ lane, messages, taskHandle })),
            },
            now,
          ),
        ),
      }),
    );
  console.log(`audit: queue.redrive recorded by ${actor}`);
}

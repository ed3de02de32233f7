/**
 * A local stack of the test file's own on the shared DynamoDB Local and SQS server: table and queues
 * named after `label`, the API and the simulator on free ports, the stack's own log lines dropped.
 */
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/start';
import { localAwsEndpoints, uniqueName } from './local-aws';

export function startIsolatedStack(label: string, options: LocalStackOptions = {}): Promise<LocalStack> {
  const name = uniqueName(label);
  return startLocalStack({
    ...localAwsEndpoints(),
    tableName: name,
    queuePrefix: name,
    port: 0,
    simulatorPort: 0,
    log: () => undefined,
    ...options,
  });
}

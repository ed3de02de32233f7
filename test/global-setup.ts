/**
 * Starts one DynamoDB Local and one SQS server for the whole integration run, so test files do not
 * each pay for a Java start-up; files reach them through `inject()` (see test/support/local-aws.ts).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startSqs } from '../local/services';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqs()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

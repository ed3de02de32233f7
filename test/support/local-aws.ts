/**
 * Per-file isolation on the shared local servers of test/global-setup.ts: every call gets its own
 * table name and queue prefix, so test files can run in parallel without seeing each other's items.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { provisionQueues, provisionTable, type ProvisionedQueues, type QueueOptions } from '../../local/provision';

export interface LocalAwsEndpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
}

export function localAwsEndpoints(): LocalAwsEndpoints {
  const dynamoEndpoint = inject('dynamoEndpoint');
  const sqsEndpoint = inject('sqsEndpoint');
  if (!dynamoEndpoint || !sqsEndpoint)
    throw new Error('no shared DynamoDB/SQS: run integration tests through the "integration" vitest project');
  return { dynamoEndpoint, sqsEndpoint };
}

/** A name unique to this call, usable as table name and queue prefix. */
export const uniqueName = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

export async function isolatedTable(label = 'herold'): Promise<LocalAwsEndpoints & { tableName: string }> {
  const endpoints = localAwsEndpoints();
  const tableName = uniqueName(label);
  await provisionTable(endpoints.dynamoEndpoint, tableName);
  return { ...endpoints, tableName };
}

export async function isolatedQueues(
  label = 'herold',
  options: QueueOptions = {},
): Promise<LocalAwsEndpoints & ProvisionedQueues & { queuePrefix: string }> {
  const endpoints = localAwsEndpoints();
  const queuePrefix = uniqueName(label);
  return { ...endpoints, queuePrefix, ...(await provisionQueues(endpoints.sqsEndpoint, queuePrefix, options)) };
}

/** Publisher Lambda factory: one SQS-fed function per platform. (Implementation lands with the publisher.) */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { PlatformClient } from '../platforms/client';
import type { PlatformId } from '../platforms/registry';

export function createPublishHandler(platform: PlatformId, client?: PlatformClient): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async () => {
    throw new Error(`publisher for ${platform}${client ? '' : ' (no client)'} is not built yet`);
  };
}

/**
 * Moving jobs from a platform's dead-letter queues back to their source queues (SQS's own
 * StartMessageMoveTask). Redriven jobs meet the same claim as any other: a delivery that gave up
 * after its retries can be claimed again, a settled one cannot.
 */
import { GetQueueAttributesCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { queueUrl } from '../config';
import type { PlatformId } from '../platforms/registry';

const RedrivePolicySchema = z.object({ deadLetterTargetArn: z.string() });

export interface RedriveStarted {
  lane: 'normal' | 'urgent';
  from: string;
  to: string;
  messages: number;
  taskHandle?: string;
}

export async function redrivePlatform(
  sqs: SQSClient,
  platform: PlatformId,
  lanes: ('normal' | 'urgent')[] = ['urgent', 'normal'],
): Promise<RedriveStarted[]> {
  const started: RedriveStarted[] = [];
  for (const lane of lanes) {
    const source = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl(platform, lane),
        AttributeNames: ['QueueArn', 'RedrivePolicy'],
      }),
    );
    const sourceArn = source.Attributes?.QueueArn;
    const policy = source.Attributes?.RedrivePolicy;
    if (!sourceArn || !policy) throw new Error(`the ${lane} queue of ${platform} has no dead-letter queue`);
    const dlqArn = RedrivePolicySchema.parse(JSON.parse(policy)).deadLetterTargetArn;
    const dlqUrl = urlForArn(dlqArn, queueUrl(platform, lane));
    const depth = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const messages = Number(depth.Attributes?.ApproximateNumberOfMessages ?? 0);
    if (messages === 0) {
      started.push({ lane, from: dlqArn, to: sourceArn, messages });
      continue;
    }
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: sourceArn }));
    started.push({ lane, from: dlqArn, to: sourceArn, messages, taskHandle: task.TaskHandle });
  }
  return started;
}

/** A queue URL for an ARN in the same account and endpoint as a known queue URL. */
function urlForArn(arn: string, siblingUrl: string): string {
  const name = arn.split(':').pop() ?? '';
  return siblingUrl.replace(/[^/]+$/, name);
}

/** SQS queues as Herold uses them: TLS only, encrypted, and every work queue backed by its own DLQ. */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** After this many receives a job is parked in the DLQ (design §4: the delivery is then marked FAILED). */
export const MAX_RECEIVE_COUNT = 5;

/** SQS redelivers a message whose consumer is still running once visibility lapses: keep six timeouts of headroom. */
export const visibilityFor = (functionTimeout: Duration): Duration => Duration.seconds(functionTimeout.toSeconds() * 6);

const encryption = (key: kms.IKey | undefined) =>
  key
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };

/** A queue that receives what others gave up on; kept for the longest retention SQS allows. */
export function deadLetterQueue(scope: Construct, id: string, queueName: string, key: kms.IKey | undefined): sqs.Queue {
  return new sqs.Queue(scope, id, {
    queueName,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...encryption(key),
  });
}

export interface WorkQueueProps {
  queueName: string;
  deadLetterQueueName: string;
  visibilityTimeout: Duration;
  key: kms.IKey | undefined;
}

/** A work queue with its own DLQ. */
export function workQueue(scope: Construct, id: string, props: WorkQueueProps): { queue: sqs.Queue; dlq: sqs.Queue } {
  const dlq = deadLetterQueue(scope, `${id}Dlq`, props.deadLetterQueueName, props.key);
  const queue = new sqs.Queue(scope, id, {
    queueName: props.queueName,
    enforceSSL: true,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    ...encryption(props.key),
  });
  return { queue, dlq };
}

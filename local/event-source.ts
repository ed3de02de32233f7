/**
 * An SQS → handler poller that behaves like a Lambda event source mapping: it builds a real
 * SQSEvent, deletes the records the handler completed, and leaves failed ones (all of them when the
 * handler throws) to reappear after the visibility timeout, so the queue's redrive policy moves a
 * job to its DLQ after maxReceiveCount receives, as in AWS.
 *
 * The local SQS server answers a ReceiveMessage only when it has MaxNumberOfMessages messages or the
 * wait time is over. With batchSize 1 a long poll therefore returns within ~10 ms of a send, and
 * throughput comes from scaling out: a poller that receives something starts another one (up to
 * maxConcurrency, like the mapping's maximum concurrency), and a poller whose poll came back empty
 * retires unless it is the last. With batchSize > 1 the wait time acts as the batching window.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';
import { localRegion } from './aws';
import { invoke } from './invocations';
import { lambdaContext } from './lambda-context';
import { queueArn } from './provision';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

const LONG_POLL_SECONDS = 20;
const RETRY_AFTER_ERROR_MS = 1000;

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  functionName: string;
  maxConcurrency: number;
  /** records per event (1–10, default 1) */
  batchSize?: number;
  /** with batchSize > 1: how long to gather a batch (whole seconds, default 1) */
  batchingWindowSeconds?: number;
  /** the function's timeout (default 5 s, the publisher's: a sixth of the queue visibility) */
  timeoutSeconds?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface EventSource {
  readonly queueUrl: string;
  /** pollers running now (1 when idle) */
  readonly pollers: number;
  /** batches being handled now */
  readonly inFlight: number;
  /** stops polling and waits for the batches in flight */
  stop(): Promise<void>;
}

export async function startEventSource(options: EventSourceOptions): Promise<EventSource> {
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10)
    throw new Error(`batchSize must be 1-10, got ${batchSize}`);
  if (options.maxConcurrency < 1) throw new Error(`maxConcurrency must be at least 1, got ${options.maxConcurrency}`);
  const waitSeconds = batchSize === 1 ? LONG_POLL_SECONDS : (options.batchingWindowSeconds ?? 1);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 20)
    throw new Error(`batchingWindowSeconds must be 1-20, got ${waitSeconds}`);
  const sink = options.log ?? ((message: string, error?: unknown) => console.error(message, error ?? ''));
  const log = (message: string, error?: unknown) => sink(`[${options.functionName}] ${message}`, error);
  const { sqs, queueUrl } = options;
  const arn = await queueArn(sqs, queueUrl);

  let running = true;
  let inFlight = 0;
  const pollers = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();

  const receive = async (): Promise<Message[]> => {
    const abort = new AbortController();
    aborts.add(abort);
    try {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: waitSeconds,
          // the local server reads the older AttributeNames field, not MessageSystemAttributeNames
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      return latestPerMessage(Messages ?? []);
    } finally {
      aborts.delete(abort);
    }
  };

  const timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
  const handle = async (messages: Message[]): Promise<void> => {
    const event = toSqsEvent(messages, arn);
    let failed: Set<string>;
    let timer: NodeJS.Timeout | undefined;
    // Lambda ends an invocation at its timeout and the batch counts as failed. In process the
    // handler cannot be killed: it runs on, and its records come back after the visibility timeout.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([
        invoke({ functionName: options.functionName, trigger: 'sqs', records: messages.length }, () =>
          options.handler(event, lambdaContext(options.functionName, timeoutMs)),
        ),
        timedOut,
      ]);
      failed = failedMessageIds(event, result);
    } catch (error) {
      log(`invocation failed; all ${messages.length} record(s) stay on the queue`, error);
      failed = new Set(event.Records.map((record) => record.messageId));
    } finally {
      clearTimeout(timer);
    }
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (done.length === 0) return;
    const { Failed } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    if (Failed?.length)
      log(`could not delete ${Failed.length} record(s): ${Failed.map((entry) => entry.Message).join('; ')}`);
  };

  // Messages received while stopping are made visible again at once instead of after the timeout.
  const release = async (messages: Message[]): Promise<void> => {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  };

  const poll = async (): Promise<void> => {
    while (running) {
      let messages: Message[];
      try {
        messages = await receive();
      } catch (error) {
        if (!running) return;
        log('ReceiveMessage failed; retrying', error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS));
        continue;
      }
      if (!running) {
        if (messages.length > 0)
          await release(messages).catch((error: unknown) => log('could not release messages on stop', error));
        return;
      }
      if (messages.length === 0) {
        if (pollers.size > 1) return;
        continue;
      }
      if (pollers.size < options.maxConcurrency) spawn();
      inFlight++;
      try {
        await handle(messages);
      } catch (error) {
        log('batch not completed; its records will be received again', error);
      } finally {
        inFlight--;
      }
    }
  };

  const spawn = () => {
    const poller: Promise<void> = poll().finally(() => pollers.delete(poller));
    pollers.add(poller);
  };
  spawn();

  return {
    queueUrl,
    get pollers() {
      return pollers.size;
    },
    get inFlight() {
      return inFlight;
    },
    stop: async () => {
      running = false;
      // As with SQS itself, a message that reaches a poll whose connection was just closed stays
      // invisible until its visibility timeout ends; nothing is lost.
      for (const abort of aborts) abort.abort();
      while (pollers.size > 0) await Promise.all([...pollers]);
    },
  };
}

/** The SQSEvent Lambda hands to a function for these received messages. */
export function toSqsEvent(messages: Message[], eventSourceArn: string): SQSEvent {
  const awsRegion = eventSourceArn.split(':')[3] ?? localRegion();
  return {
    Records: messages.map((message): SQSRecord => {
      const attributes = message.Attributes ?? {};
      const record: SQSRecord = {
        messageId: required(message.MessageId, 'MessageId'),
        receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
        body: message.Body ?? '',
        attributes: {
          ...attributes,
          ApproximateReceiveCount: required(attributes.ApproximateReceiveCount, 'ApproximateReceiveCount'),
          SentTimestamp: required(attributes.SentTimestamp, 'SentTimestamp'),
          SenderId: attributes.SenderId ?? '',
          ApproximateFirstReceiveTimestamp: required(
            attributes.ApproximateFirstReceiveTimestamp,
            'ApproximateFirstReceiveTimestamp',
          ),
        } satisfies SQSRecordAttributes,
        messageAttributes: toRecordMessageAttributes(message),
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: eventSourceArn,
        awsRegion,
      };
      if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
      return record;
    }),
  };
}

function toRecordMessageAttributes(message: Message): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType ?? 'String',
      },
    ]),
  );
}

/**
 * Which records failed, by Lambda's rules for ReportBatchItemFailures: none when the result is
 * empty, the listed ones otherwise, and the whole batch when an identifier is empty or unknown.
 */
export function failedMessageIds(event: SQSEvent, result: SQSBatchResponse | void): Set<string> {
  const all = new Set(event.Records.map((record) => record.messageId));
  const failures = result?.batchItemFailures ?? [];
  const failed = new Set<string>();
  for (const { itemIdentifier } of failures) {
    if (!itemIdentifier || !all.has(itemIdentifier)) return all;
    failed.add(itemIdentifier);
  }
  return failed;
}

/**
 * The local server can hand out one message twice in a batch when its visibility timeout runs out
 * while the batch is still being gathered; SQS never does. Only the newest receipt is valid.
 */
function latestPerMessage(messages: Message[]): Message[] {
  return [...new Map(messages.map((message) => [message.MessageId, message])).values()];
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`received SQS message without ${name}`);
  return value;
}

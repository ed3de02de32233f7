import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { failedMessageIds, startEventSource, toSqsEvent } from '../../local/event-source';

const ARN = 'arn:aws:sqs:eu-central-1:123456789012:herold-threads-urgent';

const message = (id: string, extra: Partial<Message> = {}): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: `{"type":"publish","messageId":"${id}","channelId":"city-threads"}`,
  MD5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
  Attributes: {
    ApproximateReceiveCount: '2',
    SentTimestamp: '1700000000000',
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: '1700000000100',
  },
  ...extra,
});

describe('received messages → SQSEvent', () => {
  it('builds the records Lambda builds', () => {
    const event = toSqsEvent([message('m-1'), message('m-2')], ARN);
    expect(event.Records).toHaveLength(2);
    expect(event.Records[0]).toEqual({
      messageId: 'm-1',
      receiptHandle: 'rh-m-1',
      body: '{"type":"publish","messageId":"m-1","channelId":"city-threads"}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1700000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1700000000100',
      },
      messageAttributes: {},
      md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'eu-central-1',
    });
  });

  it('carries message attributes in Lambda casing, binary ones base64-encoded', () => {
    const [record] = toSqsEvent(
      [
        message('m-1', {
          MessageAttributes: {
            priority: { DataType: 'String', StringValue: 'emergency' },
            blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
          },
          MD5OfMessageAttributes: 'abc',
        }),
      ],
      ARN,
    ).Records;
    expect(record?.messageAttributes).toEqual({
      priority: { stringValue: 'emergency', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: 'AQI=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record?.md5OfMessageAttributes).toBe('abc');
  });

  it('refuses a message without the system attributes a record needs', () => {
    expect(() => toSqsEvent([message('m-1', { Attributes: {} })], ARN)).toThrow('ApproximateReceiveCount');
  });
});

describe('batch item failures', () => {
  const event = toSqsEvent([message('a'), message('b'), message('c')], ARN);

  it('fails nothing for an empty or missing response', () => {
    expect(failedMessageIds(event, undefined)).toEqual(new Set());
    expect(failedMessageIds(event, { batchItemFailures: [] })).toEqual(new Set());
  });

  it('fails the listed records', () => {
    expect(failedMessageIds(event, { batchItemFailures: [{ itemIdentifier: 'b' }] })).toEqual(new Set(['b']));
  });

  it('fails the whole batch when an identifier is empty or unknown', () => {
    expect(
      failedMessageIds(event, { batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'zzz' }] }),
    ).toEqual(new Set(['a', 'b', 'c']));
    expect(failedMessageIds(event, { batchItemFailures: [{ itemIdentifier: '' }] })).toEqual(new Set(['a', 'b', 'c']));
  });
});

describe('event source settings', () => {
  const base = {
    sqs: {} as SQSClient,
    queueUrl: 'http://127.0.0.1:1/123456789012/q',
    functionName: 'f',
    handler: async () => undefined,
    maxConcurrency: 1,
  };

  it.each([
    [{ batchSize: 0 }, 'batchSize must be 1-10'],
    [{ batchSize: 11 }, 'batchSize must be 1-10'],
    [{ batchSize: 10, batchingWindowSeconds: 0 }, 'batchingWindowSeconds must be 1-20'],
    [{ batchSize: 10, batchingWindowSeconds: 21 }, 'batchingWindowSeconds must be 1-20'],
    [{ maxConcurrency: 0 }, 'maxConcurrency must be at least 1'],
  ])('rejects %j before polling', async (settings, message) => {
    await expect(startEventSource({ ...base, ...settings })).rejects.toThrow(message);
  });
});

import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import {
  eventBridgeSchedules,
  ScheduleNotFoundError,
  scheduleConfigFromEnv,
  type ScheduleConfig,
} from '../../../shared/scheduling/schedules';

const config: ScheduleConfig = {
  group: 'herold',
  dispatchArn: 'arn:aws:lambda:eu-central-1:123456789012:function:herold-dispatch',
  roleArn: 'arn:aws:iam::123456789012:role/herold-scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-central-1:123456789012:herold-dispatch-dlq',
};

function fakeClient(fail?: Error) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      if (fail) throw fail;
      return {};
    },
  } as unknown as SchedulerClient;
  return { client, sent };
}

const notFound = () =>
  new ResourceNotFoundException({ message: 'Schedule not found', Message: 'Schedule not found', $metadata: {} });

describe('EventBridge Scheduler port', () => {
  it('creates a one-time UTC schedule that invokes the dispatch function with the message id', async () => {
    const { client, sent } = fakeClient();
    await eventBridgeSchedules(config, client).create({ messageId: '01JMSG', at: new Date('2027-05-01T07:30:00Z') });
    const command = sent[0] as CreateScheduleCommand;
    expect(command).toBeInstanceOf(CreateScheduleCommand);
    expect(command.input).toEqual({
      Name: '01JMSG',
      GroupName: 'herold',
      Description: 'Herold: dispatch scheduled message 01JMSG',
      ScheduleExpression: 'at(2027-05-01T07:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: config.dispatchArn,
        RoleArn: config.roleArn,
        Input: '{"messageId":"01JMSG"}',
        DeadLetterConfig: { Arn: config.deadLetterArn },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
  });

  it('updates with the full definition (UpdateSchedule replaces every field)', async () => {
    const { client, sent } = fakeClient();
    await eventBridgeSchedules(config, client).update({ messageId: '01JMSG', at: new Date('2027-05-02T08:00:00Z') });
    const command = sent[0] as UpdateScheduleCommand;
    expect(command).toBeInstanceOf(UpdateScheduleCommand);
    expect(command.input.ScheduleExpression).toBe('at(2027-05-02T08:00:00)');
    expect(command.input.Target?.Arn).toBe(config.dispatchArn);
    expect(command.input.ActionAfterCompletion).toBe('DELETE');
  });

  it('reports an update of a schedule that is gone as ScheduleNotFoundError', async () => {
    const { client } = fakeClient(notFound());
    await expect(
      eventBridgeSchedules(config, client).update({ messageId: '01JMSG', at: new Date() }),
    ).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('deletes by name and group, and a schedule already gone is fine', async () => {
    const { client, sent } = fakeClient(notFound());
    await eventBridgeSchedules(config, client).delete('01JMSG');
    expect(sent[0]).toBeInstanceOf(DeleteScheduleCommand);
    expect((sent[0] as DeleteScheduleCommand).input).toEqual({ Name: '01JMSG', GroupName: 'herold' });
  });

  it('passes other errors on', async () => {
    const { client } = fakeClient(new Error('throttled'));
    await expect(eventBridgeSchedules(config, client).delete('01JMSG')).rejects.toThrow('throttled');
  });

  it('reads its configuration from the environment and names what is missing', () => {
    expect(
      scheduleConfigFromEnv({
        HEROLD_SCHEDULE_GROUP: 'herold',
        HEROLD_DISPATCH_ARN: config.dispatchArn,
        HEROLD_SCHEDULER_ROLE_ARN: config.roleArn,
        HEROLD_SCHEDULE_DLQ_ARN: config.deadLetterArn,
      }),
    ).toEqual(config);
    expect(() => scheduleConfigFromEnv({ HEROLD_SCHEDULE_GROUP: 'herold' })).toThrow(/HEROLD_DISPATCH_ARN/);
  });
});

import { describe, expect, it } from 'vitest';
import { platformList, queueNames } from '../../shared/platforms/registry';
import { dailyCheckRenews } from '../../shared/tokens/policy';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { template } = synthHerold();
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const policies = resourcesOf(template, 'AWS::IAM::Policy');

type Statement = { Action: string | string[]; Resource: unknown };
const actionsOf = (statement: Statement) => [statement.Action].flat();
const roleOf = (name: string) =>
  referencedId(functions.find(([, fn]) => fn.Properties?.FunctionName === name)?.[1].Properties?.Role);
const statementsOf = (roleId: string | undefined): Statement[] =>
  policies
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);

const queues = resourcesOf(template, 'AWS::SQS::Queue');
const queueId = (name: string) => queues.find(([, queue]) => queue.Properties?.QueueName === name)?.[0];

describe('the token health function', () => {
  it('touches no secret: it lists the channels and sends check-token jobs to every platform’s normal queue, never the urgent lane', () => {
    const statements = statementsOf(roleOf('herold-token-health'));
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
    expect(
      statements
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(action)),
    ).toEqual([]);
    const sendsTo = statements
      .filter((statement) => actionsOf(statement).includes('sqs:SendMessage'))
      .map((statement) => referencedId(statement.Resource));
    for (const platform of platformList().filter((candidate) => candidate.publishing === 'api')) {
      expect(sendsTo).toContain(queueId(queueNames(platform.id).normal));
      expect(sendsTo).not.toContain(queueId(queueNames(platform.id).urgent));
    }
  });

  it('beside the connect function, only the publishers that renew their platform’s tokens (on use or in the daily check) may update a secret, each its own platform’s', () => {
    const writers = policies.filter(([, policy]) =>
      (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some((statement) =>
        actionsOf(statement).includes('secretsmanager:PutSecretValue'),
      ),
    );
    const renewing = platformList().filter(
      (platform) => platform.publisherRenewsTokens || dailyCheckRenews(platform.id),
    );
    expect(renewing.map((platform) => platform.id)).toContain('threads');
    expect(writers.flatMap(([, policy]) => (policy.Properties?.Roles as unknown[]).map(referencedId)).sort()).toEqual(
      [roleOf('herold-connect'), ...renewing.map((platform) => roleOf(`herold-publish-${platform.id}`))].sort(),
    );
    for (const platform of renewing) {
      const puts = statementsOf(roleOf(`herold-publish-${platform.id}`)).filter((statement) =>
        actionsOf(statement).includes('secretsmanager:PutSecretValue'),
      );
      expect(JSON.stringify(puts.map((statement) => statement.Resource))).toContain(`:secret:herold/${platform.id}/*`);
    }
  });

  it('counts the tokens needing a person per platform by the day’s sum of the per-channel records', () => {
    type MetricStat = { Metric: { MetricName: string }; Stat: string; Period: number };
    const stats = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .flatMap(([, alarm]) => (alarm.Properties?.Metrics ?? []) as { MetricStat?: MetricStat }[])
      .flatMap((metric) => (metric.MetricStat?.Metric.MetricName === 'TokenExpiringSoon' ? [metric.MetricStat] : []));
    expect(stats.length).toBeGreaterThan(0);
    for (const stat of stats) expect(stat).toMatchObject({ Stat: 'Sum', Period: 86_400 });
  });

  it('is scheduled daily, at 04:00 by default', () => {
    const [, fn] =
      functions.find(([, candidate]) => candidate.Properties?.FunctionName === 'herold-token-health') ?? [];
    expect(fn?.Properties?.Handler).toBe('index.handler');
    const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule').filter(([, schedule]) =>
      JSON.stringify(schedule.Properties?.Target).includes(functions.find(([, f]) => f === fn)![0]),
    );
    expect(schedules.map(([, schedule]) => schedule.Properties?.ScheduleExpression)).toEqual(['cron(0 4 * * ? *)']);
  });
});

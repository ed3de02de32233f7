import { describe, expect, it } from 'vitest';
import { platformList } from '../../shared/platforms/registry';
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

describe('the token health function', () => {
  it('reads and updates the channel secrets under herold/; beside the connect function and the publishers that renew tokens (test/infra/channels.test.ts), the only one that may update a secret', () => {
    const tokenHealthRole = roleOf('herold-token-health');
    const secretStatements = statementsOf(tokenHealthRole).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(1);
    expect(actionsOf(secretStatements[0]!).sort()).toEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    expect(JSON.stringify(secretStatements[0]!.Resource)).toContain(':secret:herold/*');

    const writers = policies.filter(([, policy]) =>
      (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some((statement) =>
        actionsOf(statement).includes('secretsmanager:PutSecretValue'),
      ),
    );
    expect(writers.flatMap(([, policy]) => (policy.Properties?.Roles as unknown[]).map(referencedId)).sort()).toEqual(
      [
        roleOf('herold-connect'),
        tokenHealthRole,
        ...platformList()
          .filter((platform) => platform.publisherRenewsTokens)
          .map((platform) => roleOf(`herold-publish-${platform.id}`)),
      ].sort(),
    );
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

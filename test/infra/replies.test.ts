import { describe, expect, it } from 'vitest';
import { ROUTES, routeFunction } from '../../shared/api/routes';
import { platformList } from '../../shared/platforms/registry';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { stack, template } = synthHerold();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const fnNamed = (name: string) => {
  const found = functions.find(([, fn]) => fn.Properties?.FunctionName === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
};
type Statement = { Action: string | string[]; Resource: unknown; Sid?: string };
const statementsOf = (fnName: string): Statement[] => {
  const role = referencedId(fnNamed(fnName)[1].Properties?.Role);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((r) => referencedId(r) === role))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
};
const actionsOf = (statement: Statement) => [statement.Action].flat();
const sendTargets = (fnName: string) =>
  statementsOf(fnName)
    .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
    .flatMap((s) => [s.Resource].flat().map(referencedId))
    .map((id) => resources[id as string]?.Properties?.QueueName)
    .sort();
const queueNameOf = (platform: string, lane: 'normal' | 'urgent') =>
  lane === 'urgent' ? `herold-${platform}-urgent` : `herold-${platform}`;

describe('replies inbox resources', () => {
  it('serves the replies routes from the replies function and the webhooks, without a token, from their own', () => {
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    const targetOf = (routeKey: string) => {
      const [, route] = routes.find(([, r]) => r.Properties?.RouteKey === routeKey) ?? [];
      const join = (route?.Properties?.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const [, integration] = integrations.find(([id]) => id === referencedId(join[1])) ?? [];
      return JSON.stringify(integration?.Properties?.IntegrationUri);
    };
    for (const route of ROUTES.filter((r) => ['replies', 'webhooks'].includes(routeFunction(r)))) {
      const key = `${route.method} ${route.path}`;
      const [fnId] = fnNamed(routeFunction(route) === 'replies' ? 'herold-replies' : 'herold-webhooks');
      expect(targetOf(key), key).toContain(fnId);
      const [, created] = routes.find(([, r]) => r.Properties?.RouteKey === key) ?? [];
      expect(created?.Properties?.AuthorizationType, key).toBe(routeFunction(route) === 'webhooks' ? 'NONE' : 'JWT');
    }
  });

  it('fans collection out every minute, to the normal queues only (reading is routine work)', () => {
    const [fnId] = fnNamed('herold-collect-replies');
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, rule]) =>
      JSON.stringify(rule.Properties?.Targets).includes(fnId),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties?.ScheduleExpression).toBe('rate(1 minute)');
    expect(sendTargets('herold-collect-replies')).toEqual(
      platformList()
        .map((p) => queueNameOf(p.id, 'normal'))
        .sort(),
    );
    // it reads the table, and writes nothing
    const writes = statementsOf('herold-collect-replies').filter((s) =>
      actionsOf(s).some((a) => /dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(a)),
    );
    expect(writes).toEqual([]);
  });

  it('lets the replies API queue answers on both lanes (an emergency message’s answers go urgent)', () => {
    expect(sendTargets('herold-replies')).toEqual(
      platformList()
        .flatMap((p) => [queueNameOf(p.id, 'normal'), queueNameOf(p.id, 'urgent')])
        .sort(),
    );
    expect(statementsOf('herold-replies').some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))).toBe(
      false,
    );
  });

  it('lets the webhooks read only the two Meta app secrets and the webhook secret', () => {
    const reads = statementsOf('herold-webhooks').filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(reads).toHaveLength(1);
    const text = JSON.stringify(reads[0]?.Resource);
    for (const name of ['herold-apps/facebook-??????', 'herold-apps/threads-??????', 'herold-webhooks-??????'])
      expect(text).toContain(`:secret:${name}`);
    expect(text).not.toContain('herold/');
    expect(sendTargets('herold-webhooks')).toEqual([]);
    const environment = fnNamed('herold-webhooks')[1].Properties?.Environment as { Variables: Record<string, string> };
    expect(environment.Variables.HEROLD_WEBHOOK_SECRET).toBe('herold-webhooks');
  });

  it('gives the Telegram publisher the webhook secret and the public API URL, and no other publisher', () => {
    for (const platform of platformList()) {
      const [, fn] = fnNamed(`herold-publish-${platform.id}`);
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect('HEROLD_WEBHOOK_SECRET' in variables, platform.id).toBe(platform.id === 'telegram');
      expect('HEROLD_PUBLIC_API_URL' in variables, platform.id).toBe(platform.id === 'telegram');
    }
  });

  it('keeps replies in the table whose TTL attribute is expiresAt, below CloudFormation’s resource limit', () => {
    const [table] = resourcesOf(template, 'AWS::DynamoDB::Table').map(([, resource]) => resource);
    expect(table?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(Object.keys(resources).length).toBeLessThan(500);
    expect(stack.stackName).toBe('Herold');
  });
});

/**
 * What invokes each function, read from the template, and the event each kind of trigger hands a
 * function in AWS. A function the template wires to something not listed here gets an `unknown`
 * trigger, which the artifact test refuses by name: a new kind of trigger needs a new event here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, SQSEvent } from 'aws-lambda';
import { toSqsEvent } from '../../local/event-source';
import { toApiGatewayEvent, toGatewayClaims } from '../../local/http-server';
import type { RouteSpec } from '../../shared/api/routes';
import type { CfnResource, CfnTemplate, CfnValue } from './lambda-artifacts';

export type Trigger =
  /** an SQS event source mapping */
  | { kind: 'sqs'; mapping: string; queue: string; batchSize: number }
  /** an HTTP API route integrated with the function */
  | { kind: 'http'; routeKey: string; authorization: string }
  /** an EventBridge Scheduler schedule in the template, or schedules created at run time with a role that may invoke it */
  | { kind: 'scheduler'; schedule: string | undefined; input: string | undefined }
  /** an EventBridge rule on a schedule */
  | { kind: 'eventbridge-rule'; rule: string; input: string | undefined }
  /** a Cognito user pool trigger, e.g. PreTokenGenerationConfig */
  | { kind: 'cognito'; userPool: string; trigger: string; version: string | undefined }
  /** CloudFormation calls it as a custom resource provider, at deploy time only */
  | { kind: 'custom-resource'; resource: string }
  | { kind: 'unknown'; what: string };

/** Does this value point at the resource (`Ref` or `Fn::GetAtt`, also inside a join)? */
export function pointsAt(value: CfnValue, logicalId: string): boolean {
  if (!value || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => pointsAt(item, logicalId));
  const record = value as Record<string, unknown>;
  if (record.Ref === logicalId) return true;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
  return Object.values(record).some((inner) => pointsAt(inner, logicalId));
}

const resourcesOf = (template: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const statements = (document: unknown): { Effect?: string; Action?: unknown; Resource?: unknown }[] =>
  ((document as { Statement?: unknown[] } | undefined)?.Statement ?? []) as {
    Effect?: string;
    Action?: unknown;
    Resource?: unknown;
  }[];

const allows = (statement: { Effect?: string; Action?: unknown }, action: string) =>
  statement.Effect === 'Allow' && [statement.Action].flat().includes(action);

/** Roles EventBridge Scheduler may assume. */
export function schedulerRoles(template: CfnTemplate): string[] {
  return resourcesOf(template, 'AWS::IAM::Role')
    .filter(([, role]) =>
      statements(role.Properties?.AssumeRolePolicyDocument).some(
        (statement) =>
          allows(statement, 'sts:AssumeRole') &&
          JSON.stringify((statement as { Principal?: unknown }).Principal).includes('scheduler.amazonaws.com'),
      ),
    )
    .map(([id]) => id);
}

/** The policies attached to a role. */
export function policyStatementsOf(template: CfnTemplate, roleId: string) {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => pointsAt(policy.Properties?.Roles, roleId))
    .flatMap(([, policy]) => statements(policy.Properties?.PolicyDocument));
}

export function triggersOf(template: CfnTemplate, fnId: string): Trigger[] {
  const triggers: Trigger[] = [];
  for (const [id, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
    if (!pointsAt(mapping.Properties?.FunctionName, fnId)) continue;
    const source = Object.keys(template.Resources).find((candidate) =>
      pointsAt(mapping.Properties?.EventSourceArn, candidate),
    );
    if (source && template.Resources[source]?.Type === 'AWS::SQS::Queue')
      triggers.push({
        kind: 'sqs',
        mapping: id,
        queue: source,
        batchSize: Number(mapping.Properties?.BatchSize ?? 10),
      });
    else
      triggers.push({
        kind: 'unknown',
        what: `event source mapping ${id} from ${JSON.stringify(mapping.Properties?.EventSourceArn)}`,
      });
  }

  const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration')
    .filter(([, integration]) => pointsAt(integration.Properties?.IntegrationUri, fnId))
    .map(([id]) => id);
  for (const [, route] of resourcesOf(template, 'AWS::ApiGatewayV2::Route')) {
    if (!integrations.some((integration) => pointsAt(route.Properties?.Target, integration))) continue;
    triggers.push({
      kind: 'http',
      routeKey: String(route.Properties?.RouteKey),
      authorization: String(route.Properties?.AuthorizationType ?? 'NONE'),
    });
  }

  const scheduled = resourcesOf(template, 'AWS::Scheduler::Schedule').filter(([, schedule]) =>
    pointsAt((schedule.Properties?.Target as { Arn?: unknown } | undefined)?.Arn, fnId),
  );
  for (const [id, schedule] of scheduled) {
    const input = (schedule.Properties?.Target as { Input?: unknown }).Input;
    triggers.push({ kind: 'scheduler', schedule: id, input: typeof input === 'string' ? input : undefined });
  }
  // one-time schedules created at run time: a scheduler role may invoke the function, and no schedule in the template does
  const runtimeSchedules = schedulerRoles(template).some((role) =>
    policyStatementsOf(template, role).some(
      (statement) => allows(statement, 'lambda:InvokeFunction') && pointsAt(statement.Resource, fnId),
    ),
  );
  if (runtimeSchedules && scheduled.length === 0)
    triggers.push({ kind: 'scheduler', schedule: undefined, input: undefined });

  for (const [id, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const targets = (rule.Properties?.Targets ?? []) as { Arn?: unknown; Input?: unknown }[];
    const target = targets.find((candidate) => pointsAt(candidate.Arn, fnId));
    if (!target) continue;
    if (rule.Properties?.ScheduleExpression)
      triggers.push({
        kind: 'eventbridge-rule',
        rule: id,
        input: typeof target.Input === 'string' ? target.Input : undefined,
      });
    else triggers.push({ kind: 'unknown', what: `EventBridge rule ${id} on an event pattern` });
  }

  for (const [id, pool] of resourcesOf(template, 'AWS::Cognito::UserPool')) {
    for (const [trigger, config] of Object.entries((pool.Properties?.LambdaConfig ?? {}) as Record<string, unknown>)) {
      if (!pointsAt(config, fnId)) continue;
      const version = (config as { LambdaVersion?: string }).LambdaVersion;
      triggers.push({ kind: 'cognito', userPool: id, trigger, version });
    }
  }

  for (const [id, resource] of Object.entries(template.Resources)) {
    const custom = resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource';
    if (custom && pointsAt(resource.Properties?.ServiceToken, fnId))
      triggers.push({ kind: 'custom-resource', resource: id });
  }

  // another function's role may invoke it through the Lambda API: its event is that function's own payload
  const functionRoles = resourcesOf(template, 'AWS::Lambda::Function').flatMap(([id, fn]) => {
    const role = Object.keys(template.Resources).find((candidate) => pointsAt(fn.Properties?.Role, candidate));
    return role && id !== fnId ? [{ id, role }] : [];
  });
  for (const caller of functionRoles) {
    const invokes = policyStatementsOf(template, caller.role).some(
      (statement) => allows(statement, 'lambda:InvokeFunction') && pointsAt(statement.Resource, fnId),
    );
    if (invokes) triggers.push({ kind: 'unknown', what: `function ${caller.id} invokes it through the Lambda API` });
  }

  // anything else that may invoke it: a permission for a service not read above
  const known = ['apigateway.amazonaws.com', 'events.amazonaws.com', 'cognito-idp.amazonaws.com'];
  for (const [id, permission] of resourcesOf(template, 'AWS::Lambda::Permission')) {
    if (!pointsAt(permission.Properties?.FunctionName, fnId)) continue;
    const principal = String(permission.Properties?.Principal);
    if (!known.includes(principal)) triggers.push({ kind: 'unknown', what: `permission ${id} for ${principal}` });
  }
  for (const [id, subscription] of resourcesOf(template, 'AWS::SNS::Subscription')) {
    if (pointsAt(subscription.Properties?.Endpoint, fnId))
      triggers.push({ kind: 'unknown', what: `SNS subscription ${id}` });
  }
  return triggers;
}

/** The batch Lambda's SQS poller hands the function for these received messages. */
export const sqsEvent = (messages: Message[], queueArn: string): SQSEvent => toSqsEvent(messages, queueArn);

/** The claims API Gateway's JWT authorizer passes on from a Cognito ID token (groups as `[a b]`). */
export function cognitoIdTokenClaims(options: {
  issuer: string;
  audience: string;
  sub: string;
  org: string;
  groups: string[];
}): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  return toGatewayClaims({
    sub: options.sub,
    iss: options.issuer,
    aud: options.audience,
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    email: `${options.sub}@dresden.example`,
    email_verified: true,
    'custom:org': options.org,
    'cognito:groups': options.groups,
    'cognito:username': options.sub,
  });
}

/** A payload-format-2.0 event for a route, as the HTTP API builds it after the JWT authorizer let it through. */
export function httpEvent(request: {
  routeKey: string;
  domainName: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  claims: Record<string, string> | undefined;
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', pattern = '/'] = request.routeKey.split(' ');
  const rawPath = pattern.replace(/\{([^}+]+)\+?\}/g, (_match, name: string) =>
    encodeURIComponent(request.pathParameters?.[name] ?? name),
  );
  const headers: Record<string, string[]> = { host: [request.domainName], 'user-agent': ['herold-artifact-test'] };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = [value];
  return toApiGatewayEvent({
    method,
    rawPath,
    rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
    headers,
    httpVersion: '1.1',
    sourceIp: '203.0.113.10',
    localPort: 443,
    body: Buffer.from(request.body ?? ''),
    route: { method, path: pattern } as RouteSpec,
    pathParameters: request.pathParameters ?? {},
    claims: request.claims,
  });
}

/**
 * What EventBridge Scheduler sends a Lambda target: the schedule's Input, or without one its default
 * notification, whose `detail` is the string "{}".
 */
export function schedulerEvent(options: {
  input: string | undefined;
  scheduleArn: string;
  region: string;
  accountId: string;
}): unknown {
  if (options.input !== undefined) return JSON.parse(options.input);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: options.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [options.scheduleArn],
    detail: '{}',
  };
}

/** What a scheduled EventBridge rule sends its target (without an Input of its own). */
export function eventBridgeRuleEvent(options: { ruleArn: string; region: string; accountId: string }): unknown {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: options.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [options.ruleArn],
    detail: {},
  };
}

/** Cognito's pre token generation event (trigger version 2 or 3) for a user signing in. */
export function preTokenGenerationEvent(options: {
  version: string;
  region: string;
  userPoolId: string;
  clientId: string;
  user: { sub: string; email: string; org: string; groups: string[] };
}): unknown {
  return {
    version: options.version.replace(/^V(\d)_0$/, '$1'),
    triggerSource: 'TokenGeneration_Authentication',
    region: options.region,
    userPoolId: options.userPoolId,
    userName: options.user.sub,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: options.clientId },
    request: {
      userAttributes: {
        sub: options.user.sub,
        email: options.user.email,
        email_verified: 'true',
        'cognito:user_status': 'CONFIRMED',
        'custom:org': options.user.org,
      },
      groupConfiguration: { groupsToOverride: options.user.groups, iamRolesToOverride: [], preferredRole: null },
      scopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

export const randomId = () => randomBytes(6).toString('hex');

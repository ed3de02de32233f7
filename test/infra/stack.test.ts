import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes';
import { platformList, queueNames } from '../../shared/platforms/registry';
import { MAX_RECEIVE_COUNT } from '../../infra/constructs/queues';
import { PUBLISHER_TIMEOUT } from '../../infra/constructs/platform-lane';
import { referencedId, resourcesOf, synthHerold } from './synth';

const { stack, template } = synthHerold();
// one stack with every optional setting changed (values as `-c` passes them where it matters)
const { template: configured } = synthHerold({
  'herold:jwtIssuer': 'https://id.dresden.example',
  'herold:jwtAudience': ['herold-api'],
  'herold:followerCollection': '{"hour":6,"minute":30,"timeZone":"America/New_York"}',
  'herold:ninaFeed': 'true',
  'herold:kmsKey': 'true',
});
const platforms = platformList();
// Herold's own functions (CDK adds one more that copies the workspace's files at deploy time)
const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) =>
  String(fn.Properties?.FunctionName ?? '').startsWith('herold-'),
);
const queues = resourcesOf(template, 'AWS::SQS::Queue');
const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
const policies = resourcesOf(template, 'AWS::IAM::Policy');

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
const statementsOf = (roleLogicalId: string): Statement[] =>
  policies
    .filter(([, policy]) =>
      (policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleLogicalId),
    )
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();
const functionLogicalId = (name: string) => {
  const found = functions.find(([, fn]) => fn.Properties?.FunctionName === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
};
const roleOf = (fnName: string) => referencedId(functionLogicalId(fnName)[1].Properties?.Role) as string;

describe('publishers', () => {
  it('has one publisher per registry platform, built from functions/publish/<platform>.ts', () => {
    const publishers = functions.filter(([, fn]) => String(fn.Properties?.FunctionName).startsWith('herold-publish-'));
    expect(publishers.map(([, fn]) => fn.Properties?.FunctionName).sort()).toEqual(
      platforms.map((p) => `herold-publish-${p.id}`).sort(),
    );
    expect(stack.lanes.map((lane) => lane.publisher.entry)).toEqual(
      platforms.map((p) => `functions/publish/${p.id}.ts`),
    );
    for (const [, fn] of publishers) expect(fn.Properties?.Handler).toBe('index.handler');
  });

  it('runs every function on nodejs24.x, arm64, with active tracing and a log group with retention', () => {
    // a publisher per platform, ingest, reconciler, dispatch, followers, token health, NINA feed, alert cards, pre-token,
    // connect, directory builder, the replies API, the reply webhooks, the reply collection schedule
    expect(functions.length).toBe(platforms.length + 13);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      const logGroupId = referencedId((fn.Properties?.LoggingConfig as { LogGroup: unknown }).LogGroup);
      expect(template.toJSON().Resources[logGroupId as string].Properties.RetentionInDays).toBe(90);
    }
  });

  it('gives every function the table, the queue map and the Powertools settings', () => {
    // the pre-token trigger reads only the event Cognito hands it
    for (const [, fn] of functions.filter(([, fn]) => fn.Properties?.FunctionName !== 'herold-pre-token')) {
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining([
          'HEROLD_TABLE',
          'HEROLD_QUEUES',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
        ]),
      );
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Herold');
    }
  });

  it('maps every platform to its own normal and urgent queue in HEROLD_QUEUES', () => {
    const variables = (
      functionLogicalId('herold-ingest')[1].Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    const [, parts] = (variables.HEROLD_QUEUES as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const queueMap = JSON.parse(
      parts.map((part) => (typeof part === 'string' ? part : `ref:${referencedId(part)}`)).join(''),
    ) as Record<string, { normal: string; urgent: string }>;
    const queueNameOf = (ref: string) => template.toJSON().Resources[ref.replace(/^ref:/, '')].Properties.QueueName;
    expect(Object.keys(queueMap)).toEqual(platforms.map((p) => p.id));
    for (const platform of platforms) {
      expect(queueNameOf(queueMap[platform.id]!.normal)).toBe(queueNames(platform.id).normal);
      expect(queueNameOf(queueMap[platform.id]!.urgent)).toBe(queueNames(platform.id).urgent);
    }
  });
});

describe('queues', () => {
  it('has an urgent and a normal queue per platform, named from the registry', () => {
    const names = queues.map(([, queue]) => queue.Properties?.QueueName);
    for (const platform of platforms) {
      const expected = queueNames(platform.id);
      expect(names).toEqual(
        expect.arrayContaining([expected.normal, expected.urgent, expected.normalDlq, expected.urgentDlq]),
      );
    }
  });

  it('backs every work queue with its own DLQ after at least five receives', () => {
    const workQueues = queues.filter(([, queue]) => !String(queue.Properties?.QueueName).endsWith('-dlq'));
    // two per platform lane, two for the alert-card function, one for the directory's build requests
    expect(workQueues.length).toBe(platforms.length * 2 + 3);
    const dlqIds = new Set<string>();
    for (const [, queue] of workQueues) {
      const redrive = queue.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
      dlqIds.add(referencedId(redrive.deadLetterTargetArn) as string);
    }
    expect(dlqIds.size).toBe(workQueues.length);
    expect(MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(5);
  });

  it('encrypts every queue and refuses plain HTTP', () => {
    for (const [, queue] of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    const queuePolicies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    expect(queuePolicies.length).toBe(queues.length);
    for (const [, policy] of queuePolicies) {
      expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('keeps each queue invisible for at least six times its consumer timeout', () => {
    expect(mappings.length).toBe(platforms.length * 2 + 3);
    for (const [, mapping] of mappings) {
      const queueId = referencedId(mapping.Properties?.EventSourceArn) as string;
      const fnId = referencedId(mapping.Properties?.FunctionName) as string;
      const resources = template.toJSON().Resources;
      expect(resources[queueId].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * resources[fnId].Properties.Timeout,
      );
    }
    expect(PUBLISHER_TIMEOUT.toSeconds()).toBeGreaterThan(0);
  });

  it('reports batch item failures and caps the normal queue below the urgent one, per platform', () => {
    const resources = template.toJSON().Resources;
    for (const platform of platforms) {
      const [fnId] = functionLogicalId(`herold-publish-${platform.id}`);
      const concurrency = (lane: 'normal' | 'urgent') => {
        const mapping = mappings.find(([, m]) => {
          const queue = resources[referencedId(m.Properties?.EventSourceArn) as string];
          return (
            referencedId(m.Properties?.FunctionName) === fnId &&
            queue.Properties.QueueName === queueNames(platform.id)[lane]
          );
        });
        expect(mapping?.[1].Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        return (mapping?.[1].Properties?.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
      };
      expect(concurrency('normal')).toBeLessThan(concurrency('urgent'));
    }
  });
});

describe('IAM', () => {
  it('has no policy statement with a wildcard action', () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const [id, policy] of policies) {
      for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(statement)) expect(action, id).not.toMatch(/^\*$|^[a-z0-9-]+:\*$/);
      }
    }
  });

  it('uses resource "*" only for the X-Ray statement tracing needs (the one acknowledged Resource::* finding)', () => {
    for (const [id, policy] of policies) {
      for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (![statement.Resource].flat().includes('*')) continue;
        // CloudFront invalidations name no resource: CDK's deployment of the workspace files asks for them
        if (actionsOf(statement).every((action) => action.startsWith('cloudfront:'))) {
          expect(actionsOf(statement).sort(), id).toEqual([
            'cloudfront:CreateInvalidation',
            'cloudfront:GetInvalidation',
          ]);
          continue;
        }
        expect(actionsOf(statement).sort(), id).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });

  it('lets a publisher read only its own platform’s secrets and send only to its own queues', () => {
    const statements = statementsOf(roleOf('herold-publish-threads'));
    const secretReads = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(1);
    expect(JSON.stringify(secretReads[0]?.Resource)).toContain(':secret:herold/threads/*');
    const sendTargets = statements
      .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
      .flatMap((s) => [s.Resource].flat().map(referencedId));
    // its own two queues, and the directory's build requests (a publish changes the public directory)
    expect(sendTargets.sort()).toEqual(
      queues
        .filter(([, q]) =>
          [queueNames('threads').normal, queueNames('threads').urgent, 'herold-directory'].includes(
            String(q.Properties?.QueueName),
          ),
        )
        .map(([id]) => id)
        .sort(),
    );
    expect(statements.some((s) => actionsOf(s).includes('sqs:ChangeMessageVisibility'))).toBe(true);
  });

  it('lets the scheduler role invoke the dispatch function and nothing else', () => {
    const schedulerRoleId = stack.getLogicalId(stack.jobs.schedulerRole.node.defaultChild as never);
    const statements = statementsOf(schedulerRoleId);
    const invokes = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invokes).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [functionLogicalId('herold-dispatch')[0], 'Arn'] },
      },
    ]);
    expect(statements.flatMap(actionsOf).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const trust = JSON.stringify(template.toJSON().Resources[schedulerRoleId].Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('scheduler.amazonaws.com');
    expect(trust).toContain(':schedule/herold/*');
  });

  it('lets ingest manage schedules of the herold group only and pass only the scheduler role', () => {
    const statements = statementsOf(roleOf('herold-ingest'));
    const scheduling = statements.find((s) => actionsOf(s).includes('scheduler:CreateSchedule'));
    expect(actionsOf(scheduling as Statement).sort()).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect(JSON.stringify(scheduling?.Resource)).toContain(':schedule/herold/*');
    const passRole = statements.find((s) => actionsOf(s).includes('iam:PassRole'));
    expect(referencedId(passRole?.Resource)).toBe(
      stack.getLogicalId(stack.jobs.schedulerRole.node.defaultChild as never),
    );
  });

  it('passes ingest what it needs to create one-time schedules', () => {
    const variables = (
      functionLogicalId('herold-ingest')[1].Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables).toMatchObject({ HEROLD_SCHEDULE_GROUP: 'herold' });
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['HEROLD_DISPATCH_ARN', 'HEROLD_SCHEDULER_ROLE_ARN', 'HEROLD_SCHEDULE_DLQ_ARN']),
    );
  });
});

describe('table', () => {
  it('is the design’s single table: keys, GSI1, the keys-only OPEN index, TTL, PITR, on-demand, deletion protection, encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'OPEN',
            KeySchema: [
              { AttributeName: 'OPENPK', KeyType: 'HASH' },
              { AttributeName: 'OPENSK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
  });
});

describe('HTTP API', () => {
  it('has a route per ROUTES entry, each behind the JWT authorizer unless public', () => {
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    const [[authorizerId]] = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer') as [[string, unknown]];
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const route of ROUTES) {
      const [, created] = routes.find(([, r]) => r.Properties?.RouteKey === `${route.method} ${route.path}`) ?? [];
      if ('public' in route && route.public) expect(created?.Properties?.AuthorizationType).toBe('NONE');
      else expect(created?.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it('uses a Cognito user pool as issuer when none is configured, with the role groups and the org attribute', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: [{ Ref: Match.stringLikeRegexp('ApiClient') }] },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'org', AttributeDataType: 'String' })]),
      MfaConfiguration: 'ON',
    });
    const groups = resourcesOf(template, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties?.GroupName);
    expect(groups.sort()).toEqual(['admin', 'editor', 'emergency']);
  });

  it('throttles and access-logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('throttles the expensive routes on their own, as the route table says', () => {
    const [, stage] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage')[0]!;
    const settings = stage.Properties?.RouteSettings as Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    >;
    const throttled = ROUTES.filter((route) => 'throttle' in route);
    expect(throttled.length).toBeGreaterThan(0);
    for (const route of throttled) {
      expect(settings[`${route.method} ${route.path}`]).toEqual({
        ThrottlingRateLimit: route.throttle.rateLimit,
        ThrottlingBurstLimit: route.throttle.burstLimit,
      });
    }
    expect(Object.keys(settings)).toHaveLength(throttled.length);
  });

  it('takes issuer and audience from context instead', () => {
    configured.resourceCountIs('AWS::Cognito::UserPool', 0);
    configured.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://id.dresden.example', Audience: ['herold-api'] },
    });
  });
});

describe('clocked jobs', () => {
  it('runs the reconciler every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId('herold-reconciler')[0], 'Arn'] } })],
    });
  });

  it('collects followers daily at 05:00 Europe/Berlin and checks tokens before that', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId('herold-collect-followers')[0], 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId('herold-token-health')[0], 'Arn'] } }),
    });
  });

  it('takes the collection time and zone from context', () => {
    configured.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 6 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
    });
  });

  it('hands no function the organisations or their emergency policy: they are items in the table', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      expect(Object.keys(variables ?? {}), id).not.toContain('HEROLD_ORGS');
      expect(Object.keys(variables ?? {}), id).not.toContain('HEROLD_ALERT_POLICY');
    }
  });

  it('keeps the NINA poller disabled unless herold:ninaFeed is set', () => {
    const feedRule = (t: typeof template) =>
      resourcesOf(t, 'AWS::Events::Rule').find(([, rule]) =>
        JSON.stringify(rule.Properties?.Targets).includes('AlertsFeed'),
      )?.[1];
    expect(feedRule(template)?.Properties?.State).toBe('DISABLED');
    expect(feedRule(configured)?.Properties?.State).toBe('ENABLED');
  });

  it('has the herold schedule group and a DLQ behind the dispatch function', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'herold' });
    const [, dispatch] = functionLogicalId('herold-dispatch');
    const dlqId = referencedId((dispatch.Properties?.DeadLetterConfig as { TargetArn: unknown }).TargetArn);
    expect(template.toJSON().Resources[dlqId as string].Properties.QueueName).toBe('herold-dispatch-dlq');
  });
});

describe('with a customer-managed key (herold:kmsKey)', () => {
  const keys = resourcesOf(configured, 'AWS::KMS::Key');
  const [keyId, key] = keys[0] ?? [];

  it('rotates the key and encrypts table, every queue and the alarm topic with it', () => {
    expect(keys).toHaveLength(1);
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    configured.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    const configuredQueues = resourcesOf(configured, 'AWS::SQS::Queue');
    expect(configuredQueues.length).toBe(queues.length);
    for (const [id, queue] of configuredQueues) expect(referencedId(queue.Properties?.KmsMasterKeyId), id).toBe(keyId);
    configured.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('still grants no wildcard action of the form * or service:*', () => {
    for (const [id, policy] of resourcesOf(configured, 'AWS::IAM::Policy')) {
      for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(statement)) expect(action, id).not.toMatch(/^\*$|^[a-z0-9-]+:\*$/);
      }
    }
  });
});

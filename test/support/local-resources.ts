/**
 * The local stand-in of every resource a template's functions reach: its DynamoDB tables in
 * DynamoDB Local and its SQS queues on the local SQS server, created from the template's own
 * properties (keys, indexes, TTL, visibility, redrive), and what every `Ref` / `Fn::GetAtt` a
 * function's environment may hold resolves to. A reference to a resource type without a stand-in
 * throws, naming it.
 */
import { CreateTableCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { queueArn } from '../../local/provision';
import type { CfnTemplate, Pseudo, ResolveResource } from './lambda-artifacts';

export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

export interface LocalResources {
  /** local table name by logical id */
  tables: Map<string, string>;
  queues: Map<string, LocalQueue>;
  resolve: ResolveResource;
}

export async function provisionFromTemplate(
  template: CfnTemplate,
  options: { dynamoEndpoint: string; sqsEndpoint: string; prefix: string; pseudo: Pseudo },
): Promise<LocalResources> {
  const resources = Object.entries(template.Resources);
  const tables = new Map<string, string>();
  const queues = new Map<string, LocalQueue>();

  const dynamo = localDynamoDocumentClient(options.dynamoEndpoint);
  try {
    for (const [id, table] of resources.filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')) {
      const name = `${options.prefix}-${String(table.Properties?.TableName ?? id)}`;
      const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, LocalSecondaryIndexes } = (table.Properties ??
        {}) as Partial<CreateTableCommandInput>;
      await dynamo.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema,
          AttributeDefinitions,
          GlobalSecondaryIndexes: GlobalSecondaryIndexes?.map(({ IndexName, KeySchema: keys, Projection }) => ({
            IndexName,
            KeySchema: keys,
            Projection,
          })),
          LocalSecondaryIndexes,
        }),
      );
      const ttl = table.Properties?.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
      if (ttl?.Enabled)
        await dynamo.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }));
      tables.set(id, name);
    }
  } finally {
    dynamo.destroy();
  }

  const sqs = localSqsClient(options.sqsEndpoint);
  try {
    const queueResources = resources.filter(([, resource]) => resource.Type === 'AWS::SQS::Queue');
    // dead-letter queues first: a work queue's redrive policy names its DLQ's ARN
    const ordered = [
      ...queueResources.filter(([, queue]) => !queue.Properties?.RedrivePolicy),
      ...queueResources.filter(([, queue]) => queue.Properties?.RedrivePolicy),
    ];
    for (const [id, queue] of ordered) {
      const name = `${options.prefix}-${String(queue.Properties?.QueueName ?? id)}`;
      const attributes: Record<string, string> = {};
      for (const attribute of [
        'VisibilityTimeout',
        'MessageRetentionPeriod',
        'DelaySeconds',
        'ReceiveMessageWaitTimeSeconds',
      ]) {
        const value = queue.Properties?.[attribute];
        if (value !== undefined) attributes[attribute] = String(value);
      }
      const redrive = queue.Properties?.RedrivePolicy as
        { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
      if (redrive) {
        const dlq = [...queues.entries()].find(([dlqId]) =>
          JSON.stringify(redrive.deadLetterTargetArn).includes(`"${dlqId}"`),
        );
        if (!dlq) throw new Error(`queue ${id}: its dead-letter queue is not in the template`);
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: dlq[1].arn,
          maxReceiveCount: redrive.maxReceiveCount,
        });
      }
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
      queues.set(id, { name, url: QueueUrl, arn: await queueArn(sqs, QueueUrl) });
    }
  } finally {
    sqs.destroy();
  }

  const resolve = templateResolver(template, options.pseudo, {
    table: (id) => tables.get(id) as string,
    queue: (id) => queues.get(id) as LocalQueue,
  });
  return { tables, queues, resolve };
}

/**
 * What a `Ref` / `Fn::GetAtt` stands for, by resource type: tables and queues as `locate` finds
 * them, everything else in the shape AWS gives it (ARNs in this region and account).
 */
export function templateResolver(
  template: CfnTemplate,
  pseudo: Pseudo,
  locate: { table(logicalId: string): string; queue(logicalId: string): LocalQueue },
): ResolveResource {
  const { region, accountId } = pseudo;
  return (logicalId, attribute) => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    const properties = resource.Properties ?? {};
    const unknown = () => new Error(`no local stand-in for ${attribute ?? 'Ref'} of ${resource.Type} ${logicalId}`);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = locate.table(logicalId);
        if (!attribute) return name;
        if (attribute === 'Arn') return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
        throw unknown();
      }
      case 'AWS::SQS::Queue': {
        const queue = locate.queue(logicalId);
        if (!attribute || attribute === 'QueueUrl') return queue.url;
        if (attribute === 'Arn') return queue.arn;
        if (attribute === 'QueueName') return queue.name;
        throw unknown();
      }
      case 'AWS::Lambda::Function': {
        const name = String(properties.FunctionName ?? logicalId);
        if (!attribute) return name;
        if (attribute === 'Arn') return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
        throw unknown();
      }
      case 'AWS::IAM::Role': {
        const name = String(properties.RoleName ?? logicalId);
        if (!attribute) return name;
        if (attribute === 'Arn') return `arn:aws:iam::${accountId}:role/${name}`;
        throw unknown();
      }
      case 'AWS::Scheduler::ScheduleGroup': {
        const name = String(properties.Name ?? logicalId);
        if (!attribute) return name;
        if (attribute === 'Arn') return `arn:aws:scheduler:${region}:${accountId}:schedule-group/${name}`;
        throw unknown();
      }
      case 'AWS::SNS::Topic': {
        const name = String(properties.TopicName ?? logicalId);
        if (!attribute || attribute === 'TopicArn') return `arn:aws:sns:${region}:${accountId}:${name}`;
        if (attribute === 'TopicName') return name;
        throw unknown();
      }
      case 'AWS::Cognito::UserPool': {
        const id = `${region}_${logicalId.slice(0, 9)}`;
        if (!attribute) return id;
        if (attribute === 'ProviderURL') return `cognito-idp.${region}.amazonaws.com/${id}`;
        if (attribute === 'Arn') return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${id}`;
        throw unknown();
      }
      case 'AWS::Cognito::UserPoolClient':
        if (!attribute) return logicalId.toLowerCase();
        throw unknown();
      case 'AWS::S3::Bucket': {
        const name = String(properties.BucketName ?? `${pseudo.stackName}-${logicalId}`).toLowerCase();
        if (!attribute) return name;
        if (attribute === 'Arn') return `arn:aws:s3:::${name}`;
        if (attribute === 'DomainName') return `${name}.s3.amazonaws.com`;
        if (attribute === 'RegionalDomainName') return `${name}.s3.${region}.amazonaws.com`;
        throw unknown();
      }
      case 'AWS::CloudFront::Distribution': {
        const id = `E${logicalId
          .replace(/[^A-Z0-9]/gi, '')
          .slice(-12)
          .toUpperCase()}`;
        if (!attribute || attribute === 'Id') return id;
        if (attribute === 'DomainName') return `${id.toLowerCase()}.cloudfront.net`;
        throw unknown();
      }
      case 'AWS::ApiGatewayV2::Api': {
        const id = logicalId
          .replace(/[^a-z0-9]/gi, '')
          .slice(-10)
          .toLowerCase();
        if (!attribute || attribute === 'ApiId') return id;
        if (attribute === 'ApiEndpoint') return `https://${id}.execute-api.${region}.amazonaws.com`;
        throw unknown();
      }
    }
    throw unknown();
  };
}

/** The names and URLs a deployed stack's tables and queues would have: for code that only loads, never calls. */
export function deployedLikeResolver(template: CfnTemplate, pseudo: Pseudo): ResolveResource {
  const named = (id: string, property: string) =>
    String(template.Resources[id]?.Properties?.[property] ?? `${pseudo.stackName}-${id}`);
  return templateResolver(template, pseudo, {
    table: (id) => named(id, 'TableName'),
    queue: (id) => {
      const name = named(id, 'QueueName');
      return {
        name,
        url: `https://sqs.${pseudo.region}.amazonaws.com/${pseudo.accountId}/${name}`,
        arn: `arn:aws:sqs:${pseudo.region}:${pseudo.accountId}:${name}`,
      };
    },
  });
}

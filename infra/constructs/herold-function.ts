/**
 * Every Herold Lambda function: Node.js 24 on arm64, one minified ESM bundle with the AWS SDK inside,
 * X-Ray tracing, its own log group with a retention, and its own role that may write only to that
 * log group (instead of the account-wide AWSLambdaBasicExecutionRole).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Powertools settings shared by every function; metrics carry the dimension `service=herold`. */
export const POWERTOOLS_SERVICE_NAME = 'herold';
export const METRICS_NAMESPACE = 'Herold';

/** ESM bundles have no `require`; some bundled CommonJS dependencies still call it. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as heroldCreateRequire } from 'node:module'; const require = heroldCreateRequire(import.meta.url);";

/**
 * Imports esbuild resolves to a package other than the one named.
 * - `punycode` is also the name of a deprecated Node built-in, which esbuild prefers for platform
 *   node: twitter-text would then print a DeprecationWarning at every cold start and break once Node
 *   drops the built-in. The trailing slash names the npm package.
 * - twitter-text's build imports core-js 2 polyfills for old browsers; each runs its feature checks
 *   at every cold start, and Node 24 has every feature they add. `herold-no-polyfills`
 *   (infra/bundling/no-polyfills) answers every `core-js/modules/*` with an empty module; any other
 *   core-js import would fail the build rather than go missing.
 */
export const ALIASES = { punycode: 'punycode/', 'core-js': 'herold-no-polyfills' } as const;

/** How every function is bundled (bench/cold-start.ts rebuilds bundles with these to see what is in them). */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // --enable-source-maps reads and parses the whole map at every cold start; stack traces need the
  // mappings, not the embedded sources, which are two thirds of it
  sourcesContent: false,
  banner: ESM_REQUIRE_SHIM,
  // the AWS SDK is bundled: a pinned, tree-shaken SDK instead of whatever the runtime ships
  externalModules: [],
  esbuildArgs: Object.fromEntries(Object.entries(ALIASES).map(([name, target]) => [`--alias:${name}`, target])),
} as const satisfies BundlingOptions;

export interface HeroldFunctionProps {
  /** path of the entry file relative to the repository root, e.g. `functions/publish/threads.ts` */
  entry: string;
  functionName: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** where failed asynchronous invocations go */
  deadLetterQueue?: sqs.IQueue;
  /** modules left out of the bundle and files added to it (the card function's native sharp, fonts and emoji) */
  bundling?: { externalModules: string[]; commandHooks: ICommandHooks };
}

export class HeroldFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** the entry file, relative to the repository root */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: HeroldFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: props.bundling?.externalModules ?? [],
        ...(props.bundling ? { commandHooks: props.bundling.commandHooks } : {}),
      },
    });

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'X-Ray (tracing: ACTIVE) accepts PutTraceSegments/PutTelemetryRecords only on resource "*"; CDK adds this statement itself.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /**
   * Allows reading every secret whose name starts with `namePrefix` (Secrets Manager appends `-` and
   * six random characters), and with `write` storing new versions of them (never creating or deleting one).
   */
  grantSecretsUnder(namePrefix: string, options: { write?: boolean } = {}): void {
    const secretArns = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${namePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', ...(options.write ? ['secretsmanager:PutSecretValue'] : [])],
        resources: [secretArns],
      }),
    );
  }
}

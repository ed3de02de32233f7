/**
 * Tested as deployed: the app is synthesised with bundling, and every AWS::Lambda::Function of the
 * template runs from its own bundle, in a fresh Node 24 process, from an empty directory (no
 * node_modules, no source tree), with the environment the template gives it. Each is invoked with
 * a real event of what the template wires it to, and must do its real work against DynamoDB Local,
 * the local SQS server and the platform simulator. Functions and triggers are read from the
 * template, so a function added later is covered without a change here; a trigger this test does
 * not know fails the first test, naming the function.
 *
 * How the template's environment is resolved (test/support/local-resources.ts): every table and
 * queue of the template is created locally from its own properties (keys, GSIs, TTL; visibility,
 * redrive), and a `Ref` / `Fn::GetAtt` to it becomes the local name, URL or ARN. A function's ARN is
 * `arn:aws:lambda:<region>:<account>:function:<name>`, a role's `arn:aws:iam::<account>:role/<id>`,
 * the user pool's issuer `https://cognito-idp.<region>.amazonaws.com/<id>`. Beside the template's
 * variables and the ones the Lambda runtime sets, a function gets only the local stand-ins:
 * - `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`: DynamoDB Local and the SQS server;
 * - `AWS_ENDPOINT_URL_SCHEDULER`: the local scheduler behind EventBridge Scheduler's own HTTP API
 *   (test/support/scheduler-endpoint.ts), which fires the schedule's target when the test moves its clock;
 * - `AWS_ENDPOINT_URL_S3`: PutObject/GetObject for the template's buckets, in memory (test/support/s3-endpoint.ts);
 * - `HEROLD_<PLATFORM>_BASE_URL`, `HEROLD_NINA_BASE_URL`: the simulator;
 * - `HEROLD_CREDENTIALS_FILE`: a working copy of local/seed/credentials.json. The seed channels'
 *   credentials are `local:` references, so the bundles' Secrets Manager calls (GetSecretValue in the
 *   publishers and the token check, PutSecretValue after a refresh) are NOT exercised here;
 * - `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`: dummies, where Lambda puts
 *   the role's credentials. IAM itself is not enforced locally; the schedule's role is checked
 *   against the template below.
 * A path under /var/task in the environment (the card function's fonts) points into the bundle's
 * copy. A native package built for linux-arm64 (sharp, in the card function's bundle) runs as this
 * machine's build of the same version (test/support/lambda-artifacts.ts, copyBundle).
 * Not covered either: arm64 itself (this machine is x86-64), X-Ray, the CloudWatch side of the logs and
 * metrics (they go to the process's stdout, as in Lambda), and API Gateway's own JWT check (the
 * events carry the claims it would pass on).
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localDynamoDocumentClient, localSqsClient } from '../../local/aws';
import { failedMessageIds } from '../../local/event-source';
import { LocalScheduler, ManualClock } from '../../local/scheduler';
import { SEED_CREDENTIALS_FILE, loadSeedChannels, seedChannels } from '../../local/seed';
import { seedOrganisations, type AlertPolicies } from '../../local/organisations';
import { simBaseUrlEnv, startSimulator, type RunningSimulator } from '../../local/simulator/server';
import { DRESDEN_ARS, NINA_BASE_URL_ENV } from '../../shared/cap/nina';
import { ENV } from '../../shared/config';
import type { Channel } from '../../shared/model/schemas';
import { PLATFORMS, type PlatformId } from '../../shared/platforms/registry';
import type { Store } from '../../shared/store/client';
import { queryFollowerSeries } from '../../shared/followers/store';
import { keys } from '../../shared/store/keys';
import { getChannel } from '../../shared/store/channels';
import type { TokenCheckRun } from '../../shared/tokens/schedule';
import { getMessageWithDeliveries } from '../../shared/store/messages';
import {
  invokeArtifact,
  lambdaArtifacts,
  resolveValue,
  synthesizeBundled,
  type AssemblyStack,
  type Invocation,
  type LambdaArtifact,
  type Pseudo,
} from '../support/lambda-artifacts';
import {
  cognitoIdTokenClaims,
  eventBridgeRuleEvent,
  httpEvent,
  pointsAt,
  policyStatementsOf,
  preTokenGenerationEvent,
  schedulerEvent,
  schedulerRoles,
  sqsEvent,
  triggersOf,
  type Trigger,
} from '../support/lambda-triggers';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';
import { provisionFromTemplate, type LocalResources } from '../support/local-resources';
import { startS3Endpoint, type S3Endpoint } from '../support/s3-endpoint';
import { startSchedulerEndpoint, type SchedulerEndpoint } from '../support/scheduler-endpoint';

/** The settings the bundles are built with: the NINA feed on, the fire brigade following Dresden's warnings. */
const CONTEXT = {
  'herold:ninaFeed': true,
  'herold:alarmEmail': 'leitstelle@dresden.example',
};
/** the organisations' emergency policies, items in the deployment's table */
const ALERT_POLICIES: AlertPolicies = {
  'fire-brigade': { singlePersonSeverities: ['Extreme', 'Severe'], ninaArs: DRESDEN_ARS },
  city: { singlePersonSeverities: [] },
};
const STACK = 'Herold';
const DOMAIN = 'api.herold.example';
const pseudo: Pseudo = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, stackName: STACK };

let outdir: string;
let stack: AssemblyStack;
let functions: LambdaArtifact[];
const triggers = new Map<string, Trigger[]>();
let local: LocalResources;
let store: Store;
let simulator: RunningSimulator;
let clock: ManualClock;
let scheduler: LocalScheduler;
let schedulerEndpoint: SchedulerEndpoint;
let s3: S3Endpoint;
let credentialsDir: string;
let standIns: Record<string, string>;
let channels: Channel[];
/** successful invocations per function (logical id) */
const invoked = new Map<string, number>();
/** what the local scheduler fired: the target function, the schedule's Input and the run */
const dispatched: { fn: LambdaArtifact; event: unknown; run: Invocation }[] = [];
const sqs = () => localSqsClient(localAwsEndpoints().sqsEndpoint);

const triggersOfKind = <K extends Trigger['kind']>(fn: LambdaArtifact, kind: K) =>
  (triggers.get(fn.logicalId) ?? []).filter(
    (trigger): trigger is Extract<Trigger, { kind: K }> => trigger.kind === kind,
  );
const functionsWith = (kind: Trigger['kind']) => functions.filter((fn) => triggersOfKind(fn, kind).length > 0);
/** A function by where it sits in the app, for the checks of its particular work. */
const functionAt = (constructPath: string) => {
  const found = functions.find((fn) => fn.path === `${STACK}/${constructPath}/Function`);
  if (!found) throw new Error(`no function at ${constructPath}`);
  return found;
};
const functionArn = (fn: LambdaArtifact) => local.resolve(fn.logicalId, 'Arn');

async function invoke(fn: LambdaArtifact, event: unknown): Promise<Invocation> {
  const environment = Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, resolveValue(value, local.resolve, pseudo)]),
  );
  const clash = Object.keys(standIns).filter((name) => name in environment);
  if (clash.length > 0) throw new Error(`${fn.path}: the template itself sets ${clash.join(', ')}`);
  const run = await invokeArtifact(fn, event, {
    env: { ...environment, ...standIns },
    pseudo,
    functionArn: functionArn(fn),
  });
  // a warning Node prints (a deprecated built-in, an experimental API) is a bundle problem waiting to break
  expect(run.logs, `${fn.path} made Node print a warning`).not.toMatch(/\(node:\d+\) (\[\w+\] )?\w*Warning/);
  invoked.set(fn.logicalId, (invoked.get(fn.logicalId) ?? 0) + 1);
  return run;
}

// ---- the HTTP API ----

const ingestRoutes = () => {
  const [fn] = functionsWith('http');
  if (!fn) throw new Error('no function serves the HTTP API');
  return fn;
};
/** The function the template routes this route key to (routes may be served by functions of their own). */
const routedTo = (routeKey: string) => {
  const fn = functionsWith('http').find((candidate) =>
    triggersOfKind(candidate, 'http').some((trigger) => trigger.routeKey === routeKey),
  );
  if (!fn) throw new Error(`no function serves ${routeKey}`);
  return fn;
};
const authorizer = () => {
  const resource = Object.values(stack.template.Resources).find(
    (candidate) => candidate.Type === 'AWS::ApiGatewayV2::Authorizer',
  );
  const jwt = resource?.Properties?.JwtConfiguration as { Issuer: unknown; Audience: unknown[] } | undefined;
  if (!jwt) throw new Error('the HTTP API has no JWT authorizer');
  return {
    issuer: resolveValue(jwt.Issuer, local.resolve, pseudo),
    audience: resolveValue(jwt.Audience[0], local.resolve, pseudo),
  };
};
const claimsFor = (org: string, groups: string[], sub = `${org}-user`) =>
  cognitoIdTokenClaims({ ...authorizer(), sub, org, groups });

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
async function request(
  routeKey: string,
  options: {
    claims?: Record<string, string>;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    contentType?: string;
    fn?: LambdaArtifact;
  } = {},
): Promise<HttpAnswer & { json: () => unknown }> {
  const fn = options.fn ?? routedTo(routeKey);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const event = httpEvent({
    routeKey,
    domainName: DOMAIN,
    pathParameters: options.pathParameters,
    query: options.query,
    headers: body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' },
    body,
    claims: options.claims,
  });
  const { result } = await invoke(fn, event);
  const answer = result as HttpAnswer;
  return { ...answer, headers: answer.headers ?? {}, json: () => JSON.parse(answer.body) as unknown };
}

// ---- SQS ----

/** A platform's queue, as the functions find it: through HEROLD_QUEUES in the template's environment. */
function platformQueue(platform: PlatformId, lane: 'normal' | 'urgent') {
  const variable = ingestRoutes().environment[ENV.queues];
  const urls = JSON.parse(resolveValue(variable, local.resolve, pseudo)) as Record<string, Record<string, string>>;
  const queue = [...local.queues.values()].find((candidate) => candidate.url === urls[platform]?.[lane]);
  if (!queue) throw new Error(`HEROLD_QUEUES names no local ${lane} queue for ${platform}`);
  return queue;
}

/** Jobs received for a look are made visible again at once, as if nobody had looked. */
async function release(queueUrl: string, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  await sqs().send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle!,
        VisibilityTimeout: 0,
      })),
    }),
  );
}

async function receiveAll(queueUrl: string, max: number): Promise<Message[]> {
  const { Messages } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs().send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return (
    [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ] as const
  )
    .map((name) => Number(Attributes[name] ?? 0))
    .reduce((a, b) => a + b, 0);
}

/** As the event source mappings do: hand each queue's jobs to its function in batches until every queue is empty. */
async function drainQueues(deadlineMs: number): Promise<Map<string, number>> {
  const batches = new Map<string, number>();
  const consumers = functionsWith('sqs').flatMap((fn) => triggersOfKind(fn, 'sqs').map((trigger) => ({ fn, trigger })));
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let handed = 0;
    for (const { fn, trigger } of consumers) {
      const queue = local.queues.get(trigger.queue)!;
      const messages = await receiveAll(queue.url, trigger.batchSize);
      if (messages.length === 0) continue;
      const event = sqsEvent(messages, queue.arn);
      const { result, logs } = await invoke(fn, event);
      const failed = failedMessageIds(event, result as SQSBatchResponse | undefined);
      expect([...failed], `${fn.path} reported failed records of ${queue.name}; its logs:\n${logs}`).toEqual([]);
      await sqs().send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
      batches.set(fn.logicalId, (batches.get(fn.logicalId) ?? 0) + 1);
      handed += 1;
    }
    if (handed > 0) continue;
    const waiting = (
      await Promise.all(consumers.map(({ trigger }) => queueDepth(local.queues.get(trigger.queue)!.url)))
    ).reduce((a, b) => a + b, 0);
    if (waiting === 0) return batches;
    if (Date.now() > deadline) throw new Error(`${waiting} jobs still waiting in the queues`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// ---- set-up ----

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'herold-assembly-'));
  const stacks = await synthesizeBundled({ outdir, context: CONTEXT });
  stack = stacks.find((candidate) => candidate.stackName === STACK)!;
  functions = lambdaArtifacts(outdir, stack);
  for (const fn of functions) triggers.set(fn.logicalId, triggersOf(stack.template, fn.logicalId));

  const { dynamoEndpoint, sqsEndpoint } = localAwsEndpoints();
  local = await provisionFromTemplate(stack.template, {
    dynamoEndpoint,
    sqsEndpoint,
    prefix: uniqueName('a'),
    pseudo,
  });
  const [table] = [...local.tables.values()];
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: table! };
  channels = await seedChannels(store.table, { dynamoEndpoint });
  // the organisations the deployment serves, as the operator's `npm run organisations` creates them
  await seedOrganisations(store, ALERT_POLICIES);

  simulator = await startSimulator({ port: 0 });
  credentialsDir = await mkdtemp(path.join(tmpdir(), 'herold-artifact-credentials-'));
  const credentialsFile = path.join(credentialsDir, 'credentials.json');
  await copyFile(SEED_CREDENTIALS_FILE, credentialsFile);

  clock = new ManualClock(Date.now());
  scheduler = new LocalScheduler({
    store,
    clock,
    retry: { attempts: 1, delayMs: 0 },
    // a due schedule invokes its target's bundle with the schedule's Input, as EventBridge Scheduler does
    dispatch: async ({ messageId }) => {
      const target = schedulerEndpoint.targets.get(messageId);
      if (!target) throw new Error(`schedule ${messageId} has no target`);
      const fn = functions.find((candidate) => functionArn(candidate) === target.Arn);
      if (!fn) throw new Error(`schedule ${messageId} targets ${target.Arn}, which is not a function of the template`);
      schedulerEndpoint.targets.delete(messageId);
      dispatched.push({
        fn,
        event: JSON.parse(target.Input ?? 'null'),
        run: await invoke(fn, JSON.parse(target.Input ?? 'null')),
      });
    },
  });
  const groups = Object.values(stack.template.Resources)
    .filter((resource) => resource.Type === 'AWS::Scheduler::ScheduleGroup')
    .map((resource) => String(resource.Properties?.Name));
  schedulerEndpoint = await startSchedulerEndpoint({
    scheduler,
    groups,
    region: pseudo.region,
    accountId: pseudo.accountId,
  });

  const buckets = Object.entries(stack.template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .map(([id]) => local.resolve(id, undefined));
  s3 = await startS3Endpoint({ buckets });

  standIns = {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_ENDPOINT_URL_SCHEDULER: schedulerEndpoint.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    [ENV.credentialsFile]: credentialsFile,
    [NINA_BASE_URL_ENV]: `${simulator.url}/nina`,
    ...simBaseUrlEnv(simulator.url),
  };
}, 600_000);

afterAll(async () => {
  await Promise.all([simulator?.stop(), schedulerEndpoint?.stop(), scheduler?.stop(), s3?.stop()]);
  store?.doc.destroy();
  await Promise.all([outdir, credentialsDir].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

const apiChannels = (org?: string) =>
  loadSeedChannels().filter(
    (channel) => PLATFORMS[channel.platform].publishing === 'api' && (!org || channel.org === org),
  );
const today = () => new Date().toISOString().slice(0, 10);
const ids: { message?: string; scheduled?: string; alert?: string[]; nina?: string[] } = {};

describe('every Lambda function, run from its bundle', () => {
  it('finds every function in the template and what invokes it, and knows every kind of trigger', () => {
    expect(functions.length).toBeGreaterThan(0);
    const problems = functions.flatMap((fn) => {
      const found = triggers.get(fn.logicalId) ?? [];
      if (found.length === 0) return [`${fn.path} (${fn.name}): nothing in the template invokes it`];
      return found
        .filter((trigger) => trigger.kind === 'unknown')
        .map((trigger) => `${fn.path} (${fn.name}): unknown trigger: ${(trigger as { what: string }).what}`);
    });
    expect(problems, 'add the event of this trigger to test/support/lambda-triggers.ts and drive it below').toEqual([]);
    for (const fn of functions.filter((candidate) => !triggersOfKind(candidate, 'custom-resource').length))
      expect(fn.assetDir, `${fn.path} has no bundle`).not.toBe('');
  });

  it('answers every route of the HTTP API from the bundle, none with a server error', async () => {
    const everyRole = claimsFor('city', ['editor', 'emergency', 'admin']);
    for (const fn of functionsWith('http')) {
      for (const { routeKey, authorization } of triggersOfKind(fn, 'http')) {
        const writes = /^(POST|PUT|PATCH)/.test(routeKey);
        const answer = await request(routeKey, {
          fn,
          claims: authorization === 'JWT' ? everyRole : undefined,
          pathParameters: { id: 'no-such-id', channel: 'no-such-channel', org: 'city', date: today() },
          ...(writes ? { body: {} } : {}),
        });
        expect(answer.statusCode, `${routeKey}: ${answer.body}`).toBeLessThan(500);
        if (/json/.test(answer.headers['content-type'] ?? '')) expect(() => answer.json(), routeKey).not.toThrow();
      }
    }
    const openApi = await request('GET /openapi.json');
    expect(openApi.statusCode).toBe(200);
    expect(openApi.json()).toMatchObject({
      openapi: expect.stringMatching(/^3\.1/),
      servers: [{ url: `https://${DOMAIN}` }],
    });
  });

  it('ingests a message: POST /messages writes it with its deliveries and queues them', async () => {
    // X is frozen in the seed; unfrozen, the X bundle (twitter-text inside) renders and publishes too
    const unfreeze = await request('PATCH /channels/{id}', {
      claims: claimsFor('city', ['admin']),
      pathParameters: { id: 'city-x' },
      body: { state: 'active' },
    });
    expect(unfreeze.statusCode, unfreeze.body).toBe(200);
    expect((await getChannel(store, 'city-x'))?.state).toBe('active');

    const created = await request('POST /messages', {
      claims: claimsFor('city', ['editor']),
      body: {
        text: 'Neue Kanäle: Die Stadtverwaltung ist jetzt auf Threads und WhatsApp.',
        link: 'https://www.dresden.de/',
        media: [{ url: `${simulator.url}/_sim/media/sample.jpg`, altText: 'Das Rathaus', mime: 'image/jpeg' }],
      },
    });
    expect(created.statusCode, created.body).toBe(202);
    ids.message = (created.json() as { id: string }).id;
    const stored = await getMessageWithDeliveries(store, ids.message);
    expect(stored?.message.org).toBe('city');
    const cityChannels = channels.filter((channel) => channel.org === 'city');
    expect(stored?.deliveries.map((delivery) => delivery.channelId).sort()).toEqual(
      cityChannels.map((c) => c.id).sort(),
    );
    // YouTube takes videos only: its delivery is skipped with the reason; the scheduled message below brings one
    const queued = stored!.deliveries
      .filter((delivery) => delivery.state === 'QUEUED')
      .map((delivery) => delivery.platform);
    expect(queued.sort()).toEqual(
      apiChannels('city')
        .map((channel) => channel.platform)
        .filter((platform) => platform !== 'youtube')
        .sort(),
    );
    expect(stored!.deliveries.find((delivery) => delivery.platform === 'whatsapp')?.state).toBe('HANDOFF');
  });

  it('takes the smoke-test event of docs/DEPLOY.md as it is written (a test message to one channel)', async () => {
    const event = JSON.parse(await readFile('examples/smoke-test-event.json', 'utf8')) as { body: string };
    // the document's test channel is one the operator adds; here it is the seed's Telegram channel
    event.body = event.body.replace('city-telegram-test', 'city-telegram');
    const { result } = await invoke(ingestRoutes(), event);
    const answer = result as HttpAnswer;
    expect(answer.statusCode, answer.body).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ deliveries: [{ channelId: 'city-telegram', state: 'QUEUED' }] });
  });

  it('schedules a message through EventBridge Scheduler and dispatches it from the bundle at its time', async () => {
    const at = new Date(Date.now() + 3_600_000);
    const created = await request('POST /messages', {
      claims: claimsFor('city', ['editor']),
      body: {
        text: 'Morgen: Tag der offenen Tür im Rathaus.',
        media: [
          { url: `${simulator.url}/_sim/media/sample.mp4`, altText: 'Ein Rundgang durchs Rathaus', mime: 'video/mp4' },
        ],
        scheduledAt: at.toISOString(),
      },
    });
    expect(created.statusCode, created.body).toBe(202);
    ids.scheduled = (created.json() as { id: string }).id;
    expect(created.json()).toMatchObject({ state: 'SCHEDULED' });

    // the schedule the ingest bundle created: its target is a function of the template, run by a
    // role the scheduler may assume and that may invoke exactly that function
    const target = schedulerEndpoint.targets.get(ids.scheduled);
    expect(target, 'no schedule was created').toBeDefined();
    const fn = functions.find((candidate) => functionArn(candidate) === target!.Arn);
    expect(fn, `the schedule targets ${target!.Arn}`).toBeDefined();
    const role = schedulerRoles(stack.template).find(
      (candidate) => local.resolve(candidate, 'Arn') === target!.RoleArn,
    );
    expect(role, `the schedule runs as ${target!.RoleArn}, which EventBridge Scheduler may not assume`).toBeDefined();
    expect(
      policyStatementsOf(stack.template, role!).some(
        (statement) =>
          [statement.Action].flat().includes('lambda:InvokeFunction') && pointsAt(statement.Resource, fn!.logicalId),
      ),
    ).toBe(true);
    expect([...local.queues.values()].map((queue) => queue.arn)).toContain(target!.DeadLetterConfig?.Arn);

    clock.advance(2 * 3_600_000);
    expect(await scheduler.tick()).toBe(1);
    const [dispatch] = dispatched;
    expect(dispatch?.event).toEqual({ messageId: ids.scheduled });
    expect(dispatch?.run.result).toMatchObject({ outcome: 'dispatched', messageId: ids.scheduled });
    const stored = await getMessageWithDeliveries(store, ids.scheduled);
    expect(stored?.message.state).toBe('DISPATCHED');
  });

  it('publishes a CAP alert: POST /alerts parses it with the lazily loaded CAP code and queues it as an emergency', async () => {
    const xml = await readFile(path.join('test/fixtures/cap/dresden-bombenfund-evakuierung.xml'), 'utf8');
    const answer = await request('POST /alerts', {
      claims: claimsFor('fire-brigade', ['emergency']),
      body: xml,
      contentType: 'application/cap+xml',
    });
    expect(answer.statusCode, answer.body).toBe(202);
    const { messages } = answer.json() as { messages: { id: string }[] };
    ids.alert = messages.map((message) => message.id);
    const stored = await getMessageWithDeliveries(store, ids.alert[0]!);
    expect(stored?.message).toMatchObject({ org: 'fire-brigade', priority: 'emergency', kind: 'alert' });
    expect(stored?.deliveries.filter((delivery) => delivery.state === 'QUEUED').length).toBeGreaterThan(0);
  });

  it('polls the NINA feed (EventBridge rule) and turns a new warning into an alert', async () => {
    simulator.nina.publish({
      headline: 'Bombenfund in der Neustadt',
      description: 'Bitte verlassen Sie das Gebiet um die Hansastraße.',
      severity: 'Extreme',
      urgency: 'Immediate',
    });
    const fn = functionAt('Jobs/AlertsFeed');
    const [rule] = triggersOfKind(fn, 'eventbridge-rule');
    const { result } = await invoke(
      fn,
      eventBridgeRuleEvent({
        ruleArn: `arn:aws:events:${pseudo.region}:${pseudo.accountId}:rule/${rule!.rule}`,
        ...pseudo,
      }),
    );
    const [report] = result as { org: string; outcomes: { change: string; messages?: string[]; error?: string }[] }[];
    expect(report).toMatchObject({ org: 'fire-brigade', outcomes: [{ change: 'new' }] });
    expect(report!.outcomes[0]!.error).toBeUndefined();
    ids.nina = report!.outcomes[0]!.messages;
    expect(ids.nina?.length).toBeGreaterThan(0);
    expect((await getMessageWithDeliveries(store, ids.nina![0]!))?.message.priority).toBe('emergency');
  });

  it('reconciles (EventBridge rule): a delivery whose job was lost goes back on its queue', async () => {
    const lost = { messageId: ids.message!, channelId: 'city-mastodon' };
    const queue = platformQueue('mastodon', 'normal');
    const jobs = await receiveAll(queue.url, 10);
    const job = jobs.find((message) => message.Body?.includes(lost.messageId));
    expect(job, 'the mastodon job of the message').toBeDefined();
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [{ Id: '0', ReceiptHandle: job!.ReceiptHandle! }],
      }),
    );
    await release(
      queue.url,
      jobs.filter((message) => message !== job),
    );
    // two minutes later, as far as the reconciler can tell: the delivery's next check is due
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keys.delivery(lost.messageId, lost.channelId),
        UpdateExpression: 'SET OPENSK = :due',
        ExpressionAttributeValues: {
          ':due': keys.openDeliveriesSort(Date.now() - 120_000, lost.messageId, lost.channelId),
        },
      }),
    );
    const fn = functionAt('Jobs/Reconciler');
    const [rule] = triggersOfKind(fn, 'eventbridge-rule');
    const { result } = await invoke(
      fn,
      eventBridgeRuleEvent({
        ruleArn: `arn:aws:events:${pseudo.region}:${pseudo.accountId}:rule/${rule!.rule}`,
        ...pseudo,
      }),
    );
    // at least the lost one; on a slow run others may be due too, and a needless job is harmless (the claim)
    expect((result as { requeued: number }).requeued).toBeGreaterThanOrEqual(1);
    const back = await receiveAll(queue.url, 10);
    expect(back.some((message) => message.Body?.includes(lost.messageId))).toBe(true);
    await release(queue.url, back);
  });

  it('sends a token check for every channel (EventBridge Scheduler, default notification)', async () => {
    const fn = functionAt('Jobs/TokenHealth');
    const [schedule] = triggersOfKind(fn, 'scheduler');
    const { result } = await invoke(
      fn,
      schedulerEvent({
        input: schedule!.input,
        scheduleArn: `arn:aws:scheduler:${pseudo.region}:${pseudo.accountId}:schedule/default/${schedule!.schedule}`,
        ...pseudo,
      }),
    );
    // the platforms' functions check them from their queues (the publishing test below drains them)
    const run = result as TokenCheckRun;
    expect(run.unsent).toBe(0);
    expect(run.channels).toBe(apiChannels().length);
    expect(Object.values(run.enqueued).reduce((sum, count) => sum + (count ?? 0), 0)).toBe(apiChannels().length);
  });

  it('collects follower counts (EventBridge Scheduler): one job per measurable channel', async () => {
    const fn = functionAt('Jobs/Followers');
    const [schedule] = triggersOfKind(fn, 'scheduler');
    const { result } = await invoke(
      fn,
      schedulerEvent({
        input: schedule!.input,
        scheduleArn: `arn:aws:scheduler:${pseudo.region}:${pseudo.accountId}:schedule/default/${schedule!.schedule}`,
        ...pseudo,
      }),
    );
    const measurable = loadSeedChannels().filter((channel) => PLATFORMS[channel.platform].followers === 'api');
    const { enqueued } = result as { enqueued: Record<string, number> };
    expect(Object.values(enqueued).reduce((a, b) => a + b, 0)).toBe(measurable.length);
  });

  it('publishes every queued job from each platform’s bundle (SQS batches), checks the tokens and writes the follower figures', async () => {
    // WhatsApp has no posting API, so nothing queues work for its function; a job that reaches it
    // anyway (a redrive) must leave the hand-off as it is, never fake a publish
    const handoffs = channels.filter(
      (channel) => channel.org === 'city' && PLATFORMS[channel.platform].publishing === 'handoff',
    );
    for (const channel of handoffs)
      await sqs().send(
        new SendMessageCommand({
          QueueUrl: platformQueue(channel.platform, 'normal').url,
          MessageBody: JSON.stringify({ type: 'publish', messageId: ids.message, channelId: channel.id }),
        }),
      );

    const batches = await drainQueues(120_000);
    const idle = functionsWith('sqs').filter((fn) => !batches.has(fn.logicalId));
    expect(
      idle.map((fn) => `${fn.path}: no job reached its queues`),
      'make the scenario above put work on these queues',
    ).toEqual([]);

    const published = new Set<string>();
    for (const messageId of [ids.message!, ids.scheduled!, ...(ids.alert ?? []), ...(ids.nina ?? [])]) {
      const stored = await getMessageWithDeliveries(store, messageId);
      for (const delivery of stored?.deliveries ?? []) {
        const expected = PLATFORMS[delivery.platform].publishing === 'api' ? ['PUBLISHED', 'SKIPPED'] : ['HANDOFF'];
        expect(expected, `${messageId} ${delivery.channelId}: ${delivery.state} ${delivery.reason ?? ''}`).toContain(
          delivery.state,
        );
        if (delivery.state === 'PUBLISHED') published.add(delivery.platform);
      }
    }
    // every platform with a posting API published at least once, and the simulator has exactly those posts
    expect([...published].sort()).toEqual([...new Set(apiChannels().map((channel) => channel.platform))].sort());
    const posts = (await (await fetch(`${simulator.url}/_sim/posts`)).json()) as { platform: string }[];
    expect([...new Set(posts.map((post) => post.platform))].sort()).toEqual([...published].sort());

    // where the template has buckets (alert cards), what was stored there is an image
    if (s3.objects.size > 0 || Object.values(stack.template.Resources).some((r) => r.Type === 'AWS::S3::Bucket')) {
      const images = [...s3.objects.values()].filter(({ bytes }) =>
        [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0x89, 0x50, 0x4e, 0x47])].some((magic) =>
          bytes.subarray(0, magic.length).equals(magic),
        ),
      );
      expect(images.length, 'images stored in the buckets').toBeGreaterThan(0);
    }

    for (const channel of loadSeedChannels().filter((candidate) => PLATFORMS[candidate.platform].followers === 'api')) {
      const figures = await queryFollowerSeries(store.doc, store.table, channel.id, today(), today());
      expect(figures.length, `follower figure of ${channel.id}`).toBe(1);
    }
    for (const channel of apiChannels())
      expect((await getChannel(store, channel.id))?.tokenCheckedAt, `token check of ${channel.id}`).toBeDefined();
  }, 240_000);

  it('shows the figures in the follower report from the bundle (lazily loaded report formats)', async () => {
    const answer = await request('GET /reports/followers', {
      claims: claimsFor('city', ['editor']),
      query: { from: today(), to: today(), format: 'csv' },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/csv/);
    expect(answer.body).toContain('Threads');
  });

  it('invokes every remaining function with its trigger’s event, and every function ran from its bundle', async () => {
    const remaining = functions.filter(
      (fn) => !invoked.has(fn.logicalId) && triggersOfKind(fn, 'custom-resource').length === 0,
    );
    for (const fn of remaining) {
      const [trigger] = triggers.get(fn.logicalId)!;
      if (trigger?.kind === 'scheduler')
        await invoke(
          fn,
          schedulerEvent({
            input: trigger.input,
            scheduleArn: `arn:aws:scheduler:${pseudo.region}:${pseudo.accountId}:schedule/default/${trigger.schedule ?? fn.name}`,
            ...pseudo,
          }),
        );
      else if (trigger?.kind === 'eventbridge-rule')
        await invoke(
          fn,
          eventBridgeRuleEvent({
            ruleArn: `arn:aws:events:${pseudo.region}:${pseudo.accountId}:rule/${trigger.rule}`,
            ...pseudo,
          }),
        );
      else if (trigger?.kind === 'cognito' && trigger.trigger === 'PreTokenGenerationConfig') {
        const { result } = await invoke(
          fn,
          preTokenGenerationEvent({
            version: trigger.version ?? 'V2_0',
            region: pseudo.region,
            userPoolId: local.resolve(trigger.userPool, undefined),
            clientId: authorizer().audience,
            user: { sub: 'anna-schmidt', email: 'anna.schmidt@dresden.example', org: 'city', groups: ['editor'] },
          }),
        );
        expect(
          (result as { response?: { claimsAndScopeOverrideDetails?: unknown } }).response
            ?.claimsAndScopeOverrideDetails,
          `${fn.path} returned no claims`,
        ).toEqual(expect.any(Object));
      } else throw new Error(`${fn.path}: the test has no event for its trigger ${JSON.stringify(trigger)}`);
    }
    const neverRun = functions
      .filter((fn) => triggersOfKind(fn, 'custom-resource').length === 0 && !invoked.has(fn.logicalId))
      .map((fn) => fn.path);
    expect(neverRun).toEqual([]);
  });
});

/**
 * `npm start`: Herold without an AWS account. Starts DynamoDB Local and the SQS server, creates the
 * table and queues from the registry, seeds the Dresden channels, starts the platform simulator,
 * and runs the real Lambda handlers in process behind a local API Gateway, SQS event sources and
 * a schedule loop. `startLocalStack()` is the same thing as a function, for tests and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { ENV, type QueueUrls } from '../shared/config';
import { tableRefFor } from '../shared/connect/refs';
import { CONNECT_ENV } from '../shared/connect/service';
import type { Channel } from '../shared/model/schemas';
import { platformList, type PlatformId } from '../shared/platforms/registry';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localDynamoDocumentClient } from './aws';
import type { EventSource } from './event-source';
import { forkPublisherWorker, startPublisherWorker } from './publisher-worker';
import { startHttpServer, type HttpHandler } from './http-server';
import { invoke } from './invocations';
import { lambdaContext } from './lambda-context';
import { credentialsItem } from '../shared/publishing/credentials-table';
import { CredentialsSchema } from '../shared/platforms/client';
import { provisionCredentialsTable, provisionQueues, provisionTable } from './provision';
import { reconcileIntervalMs, ScheduleLoop } from './schedules';
import { loadSeedChannels, SEED_CREDENTIALS_FILE, seedChannels } from './seed';
import { freePort, startDynamoDbLocal, startSqs } from './services';
import { startLocalScheduler } from './scheduler';
import { simBaseUrl, startSimulator, type SimulatorOptions } from './simulator/server';
import { localConnectEnv } from './connect-env';
import { startLocalDirectory, type LocalDirectory } from './directory';
import type { NinaSim } from './simulator/nina';
import { NINA_BASE_URL_ENV } from '../shared/cap/nina';
import { clearOrganisationCache } from '../shared/organisations/organisations';
import { seedOrganisations, type AlertPolicies } from './organisations';
import { forkCardWorker, provisionCardQueues, startCardServer, startCardWorker, type CardQueues } from './cards';
import { CARD_STORE_ENV } from '../shared/cards/config';
import { WEBHOOK_ENV } from '../shared/replies/webhook-secrets';

import { ensureWorkspaceBuilt, startWorkspaceServer } from './workspace';

export interface LocalStackOptions {
  /** HTTP API port; 0 = a free port (default 3000) */
  port?: number;
  /** simulator port; 0 = a free port (default 4010) */
  simulatorPort?: number;
  /** the public channel directory's port (default 0: a free port; `npm start` uses 3100) */
  directoryPort?: number;
  /** use a DynamoDB Local that is already running instead of starting one */
  dynamoEndpoint?: string;
  /** use an SQS server that is already running instead of starting one */
  sqsEndpoint?: string;
  tableName?: string;
  queuePrefix?: string;
  /** queue visibility timeout (default 30 s, as in AWS) */
  visibilityTimeoutSeconds?: number;
  /** maximum concurrency of each platform's pollers per lane (default LANE_CONCURRENCY, as deployed) */
  concurrency?: { normal: number; urgent: number };
  /** default: HEROLD_RECONCILE_INTERVAL_MS or one minute */
  reconcileIntervalMs?: number;
  /** channel credentials file to use as it is (default: a working copy of local/seed/credentials.json) */
  credentialsFile?: string;
  /**
   * where the channels' credentials are kept: in that file (default), or, as with `herold:secrets:
   * "table"` in AWS, in a credentials table beside the Herold table, filled from the file's entries
   */
  channelCredentials?: 'file' | 'table';
  /** where the stack's own messages and request lines go (default console) */
  log?: (line: string, error?: unknown) => void;
  /** simulator behaviour: a base response delay (a real API's latency), platform limits on, off or scaled, the seed of fault rates */
  simulator?: Pick<SimulatorOptions, 'responseDelayMs' | 'enforceQuotas' | 'quotaScale' | 'seed'>;
  /** default: HEROLD_ALERT_FEED_INTERVAL_MS or one minute */
  alertsFeedIntervalMs?: number;
  /** how often the reply collection schedule runs (default every minute, as in AWS) */
  collectRepliesIntervalMs?: number;
  /**
   * Where the publishers run (default 'in-process'): here, where tests can look at their pollers,
   * or in a process of their own ('own-process'), as in AWS each function has its own CPU; there
   * they do not wait for the API's, the simulator's and each other's work on one event loop.
   */
  publishers?: 'in-process' | 'own-process';
  /** where the alert-card function runs: a process of its own (default), or this one */
  cards?: 'own-process' | 'in-process';
  /** serve the workspace (web/, built when its sources changed) on this port (0 = a free one); default: not served */
  workspacePort?: number;
  /**
   * the organisations' emergency policies (an organisation left out gets the strict default);
   * default: local/seed/organisations.json's (docs/EMERGENCY.md): the fire brigade may send Extreme
   * alerts alone and follows Dresden's NINA feed, with an English second message
   */
  alertPolicies?: AlertPolicies;
}

export interface LocalStack {
  apiUrl: string;
  simulatorUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queues: QueueUrls;
  deadLetterQueues: QueueUrls;
  channels: Channel[];
  /** the publishers' pollers (none here when the publishers run in their own process) */
  eventSources: EventSource[];
  schedules: ScheduleLoop;
  /** the simulated NINA feed (also reachable at <simulatorUrl>/_sim/nina/warnings) */
  nina: NinaSim;
  /** alert cards: the card function's queues and where the rendered cards are served */
  cards: { queues: CardQueues; url: string; directory: string };
  /** the public channel directory: its static server, each organisation's address, its queue and folder */
  directory: LocalDirectory;
  /** the environment the handlers run with */
  env: Record<string, string>;
  /** the workspace's URL, when it is served */
  workspaceUrl?: string;
  /** stops everything this stack started and restores the environment */
  stop(): Promise<void>;
}

/** Function timeouts as deployed (the publishers' is local/publisher-worker.ts's). */
const RECONCILER_TIMEOUT_SECONDS = 60;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const ALERTS_FEED_TIMEOUT_SECONDS = 60;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log =
    options.log ?? ((line: string, error?: unknown) => (error ? console.error(line, error) : console.log(line)));
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log('stopping the local stack:', error));
    }
  };
  try {
    const dynamoEndpoint = options.dynamoEndpoint ?? (await started(startDynamoDbLocal(), cleanups));
    const sqsEndpoint = options.sqsEndpoint ?? (await started(startSqs(), cleanups));
    const tableName = options.tableName ?? 'herold';
    const [, { queues, deadLetterQueues }] = await Promise.all([
      provisionTable(dynamoEndpoint, tableName),
      provisionQueues(sqsEndpoint, options.queuePrefix ?? 'herold', {
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      }),
    ]);
    const credentialsTable = options.channelCredentials === 'table' ? `${tableName}-credentials` : undefined;
    const seeded = loadSeedChannels();
    const channels = await seedChannels(tableName, {
      dynamoEndpoint,
      channels: credentialsTable
        ? seeded.map((channel) => ({ ...channel, credentialsRef: tableRefFor(channel.platform, channel.id) }))
        : seeded,
    });
    // the organisations this stack serves, as an operator's seed creates them in AWS
    clearOrganisationCache();
    await seedOrganisations(
      { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName },
      options.alertPolicies,
    );
    // Alert cards: their function's own queues, and a server standing in for S3 + CloudFront.
    const cardQueues = await provisionCardQueues(sqsEndpoint, options.queuePrefix ?? 'herold');
    const cardServer = await startCardServer();
    cleanups.push(cardServer.stop);

    const simulator = await startSimulator({ ...options.simulator, port: options.simulatorPort ?? 4010 });
    cleanups.push(simulator.stop);

    const directory = await startLocalDirectory({
      dynamoEndpoint,
      sqsEndpoint,
      tableName,
      queuePrefix: options.queuePrefix ?? 'herold',
      port: options.directoryPort ?? 0,
      orgs: [...new Set(channels.map((channel) => channel.org))],
    });
    cleanups.push(directory.stop);

    // The API's port is known before the handlers' environment is set: Telegram's webhook points at it.
    const apiPort = options.port === 0 ? await freePort() : (options.port ?? 3000);

    // The token health check writes refreshed credentials back: to a working copy, never to the seed.
    const credentialsFile = options.credentialsFile ?? (await workingCopyOfSeedCredentials(cleanups));
    if (credentialsTable) await fillCredentialsTable(dynamoEndpoint, credentialsTable, credentialsFile, seeded);

    const env: Record<string, string> = {
      [ENV.table]: tableName,
      [ENV.queues]: JSON.stringify(queues),
      [ENV.credentialsFile]: credentialsFile,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      ...(credentialsTable ? { [ENV.secretsLayout]: 'table', [ENV.credentialsTable]: credentialsTable } : {}),
      [NINA_BASE_URL_ENV]: process.env[NINA_BASE_URL_ENV] ?? `${simulator.url}/nina`,
      [ENV.cardQueues]: JSON.stringify({ normal: cardQueues.normal, urgent: cardQueues.urgent }),
      [CARD_STORE_ENV.directory]: cardServer.directory,
      [CARD_STORE_ENV.baseUrl]: cardServer.url,
      // the reply webhooks' verify token and Telegram secret, from the credentials file
      [WEBHOOK_ENV.secret]: 'local:webhooks',
      // where the simulated Telegram bots send their updates (setWebhook), unless the developer points elsewhere
      [WEBHOOK_ENV.publicApiUrl]: process.env[WEBHOOK_ENV.publicApiUrl] ?? `http://127.0.0.1:${apiPort}`,
    };
    // a client pointed at a recorder or a sandbox by the developer stays pointed there
    for (const { id } of platformList())
      env[baseUrlVariable(id)] = process.env[baseUrlVariable(id)] ?? simBaseUrl(simulator.url, id);
    // connecting accounts: the simulator's sign-in pages and the platform apps in the credentials file
    Object.assign(env, localConnectEnv(simulator.url), directory.env);
    cleanups.push(applyEnv(env));

    // Imported only now: handlers may read the environment when their module loads, as on a cold start.
    const ingest = await loadHandler<HttpHandler>('../functions/ingest/handler');
    const connect = await loadHandler<HttpHandler>('../functions/connect/handler');
    const replies = await loadHandler<HttpHandler>('../functions/replies/api');
    const webhooks = await loadHandler<HttpHandler>('../functions/webhooks/handler');
    const collectReplies = await import('../functions/replies/schedule');
    await directory.startBuilder(log);
    const followers = await import('../functions/followers/schedule');
    const tokenHealth = await import('../functions/token-health/handler');
    const dispatch = await loadHandler<(event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>>(
      '../functions/dispatch/handler',
    );
    // EventBridge Scheduler's stand-in: one-time schedules kept in DynamoDB Local, fired at their time.
    const scheduler = startLocalScheduler({
      store: { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName },
      dispatch: (event) =>
        invoke({ functionName: 'herold-dispatch', trigger: 'scheduler' }, () =>
          dispatch(event, lambdaContext('herold-dispatch', 30_000)),
        ),
      log,
    });
    cleanups.push(async () => scheduler.stop());
    const reconciler = await loadHandler<
      (event: ScheduledEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>
    >('../functions/reconciler/handler');
    const alertsFeed = await loadHandler<
      (event: ScheduledEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>
    >('../functions/alerts-feed/handler');
    // Either way the publishers read the environment applied above: table, queues, endpoints, base URLs.
    const publishers =
      options.publishers === 'own-process'
        ? { eventSources: [], ...(await forkPublisherWorker({ concurrency: options.concurrency })) }
        : await startPublisherWorker({ concurrency: options.concurrency, log });
    cleanups.push(publishers.stop);
    // the card function in a process of its own, as it has its own CPU in AWS (in this one for the
    // cost benchmark, whose meter sees only this process's requests)
    const cardWorker =
      options.cards === 'in-process'
        ? await startCardWorker({ sqsEndpoint, queues: cardQueues, log })
        : await forkCardWorker();
    cleanups.push(cardWorker.stop);

    const schedules = new ScheduleLoop(
      [
        {
          name: 'reconciler',
          intervalMs: options.reconcileIntervalMs ?? reconcileIntervalMs(),
          run: () =>
            scheduled('herold-reconciler', () =>
              reconciler(
                scheduledEvent('herold-reconciler'),
                lambdaContext('herold-reconciler', RECONCILER_TIMEOUT_SECONDS * 1000),
              ),
            ),
        },
        {
          name: 'collect-followers',
          intervalMs: DAY_MS,
          run: () => scheduled('herold-collect-followers', async () => void (await followers.handler({}))),
        },
        {
          name: 'follower-ages',
          intervalMs: HOUR_MS,
          run: () => scheduled('herold-collect-followers', async () => void (await followers.checkFigureAges())),
        },
        {
          name: 'token-health',
          intervalMs: DAY_MS,
          run: () => scheduled('herold-token-health', async () => void (await tokenHealth.handler())),
        },
        {
          name: 'collect-replies',
          intervalMs: options.collectRepliesIntervalMs ?? intervalFromEnv('HEROLD_COLLECT_REPLIES_INTERVAL_MS', 60_000),
          run: () => scheduled('herold-collect-replies', async () => void (await collectReplies.handler())),
        },
        {
          name: 'alerts-feed',
          intervalMs: options.alertsFeedIntervalMs ?? intervalFromEnv('HEROLD_ALERT_FEED_INTERVAL_MS', 60_000),
          run: () =>
            scheduled('herold-alerts-feed', () =>
              alertsFeed(
                scheduledEvent('herold-alerts-feed'),
                lambdaContext('herold-alerts-feed', ALERTS_FEED_TIMEOUT_SECONDS * 1000),
              ),
            ),
        },
      ],
      log,
    );
    schedules.start();
    // As the daily schedule would have done this morning: the report has today's figures from the start.
    schedules.runNow('collect-followers').catch((error: unknown) => log('collecting follower counts failed', error));
    cleanups.push(() => schedules.stop());

    const api = await startHttpServer({
      handler: ingest,
      handlers: { ingest, connect, replies, webhooks },
      port: apiPort,
      schedules,
      functionName: 'herold-ingest',
      log,
    });
    cleanups.push(api.stop);

    let workspaceUrl: string | undefined;
    if (options.workspacePort !== undefined) {
      ensureWorkspaceBuilt(log);
      const workspace = await startWorkspaceServer({
        apiUrl: api.url,
        port: options.workspacePort,
        // the simulator's sample media, and the alert cards the console shows before and after approval
        imageSources: [simulator.url, cardServer.url],
      });
      cleanups.push(workspace.stop);
      workspaceUrl = workspace.url;
      // the connect handler runs in this process: its callback page links back to the workspace's Channels page
      cleanups.push(applyEnv({ [CONNECT_ENV.workspaceUrl]: process.env[CONNECT_ENV.workspaceUrl] ?? workspaceUrl }));
    }

    return {
      apiUrl: api.url,
      simulatorUrl: simulator.url,
      dynamoEndpoint,
      sqsEndpoint,
      tableName,
      queues,
      deadLetterQueues,
      channels,
      eventSources: publishers.eventSources,
      schedules,
      nina: simulator.nina,
      cards: { queues: cardQueues, url: cardServer.url, directory: cardServer.directory },
      directory,
      env,
      ...(workspaceUrl ? { workspaceUrl } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Each seeded channel's entry of the credentials file, as its item of the credentials table. */
async function fillCredentialsTable(
  dynamoEndpoint: string,
  table: string,
  credentialsFile: string,
  channels: Channel[],
): Promise<void> {
  await provisionCredentialsTable(dynamoEndpoint, table);
  const file = z.record(z.string(), CredentialsSchema).parse(JSON.parse(await readFile(credentialsFile, 'utf8')));
  const client = localDynamoDocumentClient(dynamoEndpoint);
  try {
    for (const channel of channels) {
      const credentials = file[channel.credentialsRef];
      if (!credentials) continue;
      await client.send(
        new PutCommand({
          TableName: table,
          Item: credentialsItem(tableRefFor(channel.platform, channel.id), credentials),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

async function workingCopyOfSeedCredentials(cleanups: (() => Promise<void>)[]): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'herold-credentials-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'credentials.json');
  await copyFile(SEED_CREDENTIALS_FILE, file);
  return file;
}

async function started(
  service: Promise<{ endpoint: string; stop(): Promise<void> }>,
  cleanups: (() => Promise<void>)[],
): Promise<string> {
  const running = await service;
  cleanups.push(running.stop);
  return running.endpoint;
}

export const baseUrlVariable = (id: PlatformId): string => `HEROLD_${id.toUpperCase()}_BASE_URL`;

/** Sets the variables and returns the undo. */
function applyEnv(env: Record<string, string>): () => Promise<void> {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return async () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

async function loadHandler<T>(specifier: string): Promise<T> {
  const module = (await import(specifier)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${specifier} exports no handler function`);
  return module.handler as T;
}

/** An EventBridge rule's invocation of a function. */
const scheduled = (functionName: string, run: () => Promise<void>): Promise<void> =>
  invoke({ functionName, trigger: 'schedule' }, run);

function scheduledEvent(ruleName: string): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

function intervalFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
  return value;
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const port = portFromEnv('HEROLD_PORT', 3000);
  const simulatorPort = portFromEnv('HEROLD_SIM_PORT', 4010);
  const workspacePort = portFromEnv('HEROLD_WEB_PORT', 3001);
  const directoryPort = portFromEnv('HEROLD_DIRECTORY_PORT', 3100);
  let stack: LocalStack | undefined;
  let stoppingSince: number | undefined;
  const stop = (running: LocalStack) =>
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stopping failed:', error);
        process.exit(1);
      },
    );
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      // npm and tsx relay the terminal's Ctrl-C, so one key press can arrive more than once
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${signal} again: exiting at once`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping Herold …`);
    // while starting, the stack is stopped as soon as it is up (or has cleaned up after a failure)
    if (stack) void stop(stack);
  };
  // installed before anything starts, so no signal can leave a Java process behind
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  console.log('Starting DynamoDB Local, SQS, the simulator and the handlers …');
  try {
    stack = await startLocalStack({ port, simulatorPort, workspacePort, directoryPort, publishers: 'own-process' });
  } catch (error) {
    if (stoppingSince !== undefined) process.exit(1);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `A port is taken (${(error as Error).message}). Set HEROLD_PORT / HEROLD_SIM_PORT / HEROLD_WEB_PORT / HEROLD_DIRECTORY_PORT to free ones.`,
      );
    } else {
      console.error('Herold could not start:', error);
    }
    process.exitCode = 1;
    return;
  }
  if (stoppingSince !== undefined) return void stop(stack);

  const tokenCommand = 'npm run -s token -- --org city --role editor';
  console.log(`
Herold is ready: API ${stack.apiUrl}, simulator ${stack.simulatorUrl}
workspace  ${stack.workspaceUrl}
  DynamoDB Local  ${stack.dynamoEndpoint} (table ${stack.tableName})
  SQS             ${stack.sqsEndpoint}
  channels        ${stack.channels.length} seeded (${[...new Set(stack.channels.map((channel) => channel.org))].join(', ')})
${Object.entries(stack.directory.urls)
  .map(([org, url]) => `directory  ${url}  (${org}; public, no sign-in)`)
  .join('\n')}

Open the workspace in a browser and sign in with the development sign-in (organisation, roles, a name).
Get a token for curl (roles: editor, emergency, admin; orgs: city, fire-brigade):
  ${tokenCommand}
Send a message:
  TOKEN=$(${tokenCommand})
  curl -sS -X POST ${stack.apiUrl}/messages -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"text":"Hallo Dresden!"}'
See what the platforms received:
  curl -sS ${stack.simulatorUrl}/_sim/posts
Run the reconciler now:
  curl -sS -X POST ${stack.apiUrl}/_local/schedules/reconciler/run
Send a CAP alert (fire brigade, emergency role; see docs/EMERGENCY.md):
  curl -sS -X POST ${stack.apiUrl}/alerts -H "Authorization: Bearer $(npm run -s token -- --org fire-brigade --role emergency)" -H 'Content-Type: application/cap+xml' --data-binary @test/fixtures/cap/dresden-bombenfund-evakuierung.xml
Issue a NINA warning for Dresden and poll the feed now:
  curl -sS -X POST ${stack.simulatorUrl}/_sim/nina/warnings -H 'Content-Type: application/json' -d '{"headline":"Bombenfund in der Neustadt","description":"Bitte verlassen Sie das Gebiet.","severity":"Extreme","urgency":"Immediate"}'
  curl -sS -X POST ${stack.apiUrl}/_local/schedules/alerts-feed/run

Ctrl-C stops everything.`);
}

if (import.meta.main) await main();

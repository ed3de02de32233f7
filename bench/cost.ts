/**
 * npm run bench:cost: what Herold costs to run in AWS (eu-central-1, on-demand, no free tier).
 * Runs each event once in the local stack under the meter (bench/cost/meter.ts), prices what it
 * counted, and scales it to the three profiles of docs/COST.md; the fixed monthly cost comes from
 * the synthesised template. The baseline beside each DynamoDB figure is what DynamoDB Local itself
 * reports (ReturnConsumedCapacity) for the same requests. The events run twice, each time in a stack
 * of their own: with the channels' credentials in Secrets Manager (the default) and in the
 * credentials table (`herold:secrets: "table"`). Exits 1 when a goal is missed, and 2
 * without any figure when a counted quantity has no price.
 *
 * npm run bench:cost -- --fixed: only the fixed monthly part, for every cheaper setting, from the
 * synthesised templates alone (seconds, no local stack).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { createHeroldApp } from '../infra/herold-app';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDocumentClient } from '../local/aws';
import { startDynamoDbLocal, startSqs } from '../local/services';
import { startLocalStack, type LocalStack } from '../local/start';
import { ENV } from '../shared/config';
import { PLATFORMS } from '../shared/platforms/registry';
import { ACCESS_CHECK_MINUTES } from '../shared/replies/cadence';
import { forgetCredentials } from '../shared/publishing/credentials';
import { startSecretsStandIn, type SecretsStandIn } from './cost/secrets-stand-in';
import { startMeter } from './cost/meter';
import {
  DAYS_PER_MONTH,
  DRESDEN_PLATFORMS,
  FIXED_LABELS,
  fixedMonthly,
  lambdaDuration,
  loadPrices,
  LOG_BYTES_PER_INVOCATION,
  MissingPriceError,
  monthlyEvents,
  monthlyReplyPolls,
  price,
  PROFILES,
  TEMPLATE_TYPES,
  type Priced,
  type Quantity,
  type TemplateCounts,
} from './cost/model';
import { measureEvents, type Measured } from './cost/scenarios';
import { deliveryPartitionsFor, OPEN_SHARDS } from '../shared/store/keys';

const GOAL_DRESDEN_MONTHLY_USD = 25;
const GOAL_PER_1000_MESSAGES_USD = 0.1;
const MEASURED = { channelsPerMessage: 10, channels: 15 };
const STATE_WIDE_CHANNELS = 5_500;
const EMERGENCY_WINDOW_S = 60;
const PARTITION_WCU_LIMIT = 1_000;
/** messages sent before the replies cycle is measured (bench/cost/scenarios.ts): their posts are all due */
const MESSAGES_BEFORE_REPLIES = 4;
const ACCESS_CHECKS_PER_MONTH = (DAYS_PER_MONTH * 24 * 60) / ACCESS_CHECK_MINUTES;
/** The publishers of push-only inboxes (Telegram): in a replies poll, they only run access checks. */
const PUSH_ONLY_PUBLISHERS = new Set(
  Object.values(PLATFORMS)
    .filter((platform) => platform.inbox.collect === 'push')
    .map((platform) => `herold-publish-${platform.id}`),
);

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const prices = loadPrices();
const { memoryMb, counts } = readTemplate();
/** the cheaper settings of docs/COST.md, each alone and all together */
const CHEAPER = {
  alarms: { 'herold:alarms': 'essential' },
  secrets: { 'herold:secrets': 'table' },
  cognito: { 'herold:cognitoPlan': 'essentials' },
  platforms: { 'herold:platforms': DRESDEN_PLATFORMS },
} as const;
const THREE = { ...CHEAPER.alarms, ...CHEAPER.secrets, ...CHEAPER.cognito };
interface Design {
  setting: string;
  counts: TemplateCounts;
  /** where its channels' credentials are read from, so which measured events price its messages */
  credentials: Credentials;
  givesUp: string;
  /** false: a setting for Dresden's deployment alone (a state runs every platform) */
  forState: boolean;
}
const designs: Design[] = [
  {
    setting: "herold:alarms 'essential'",
    counts: readTemplate(CHEAPER.alarms).counts,
    credentials: 'secrets-manager',
    givesUp: 'no page for throttles, quota below reserve, expiring tokens, stale follower figures',
    forState: true,
  },
  {
    setting: "herold:secrets 'per-organisation'",
    counts: readTemplate({ 'herold:secrets': 'per-organisation' }).counts,
    credentials: 'secrets-manager',
    givesUp:
      "every publisher may read every organisation's channel credentials; one channel's renewal rewrites its organisation's secret (under a lease)",
    forState: true,
  },
  {
    setting: "herold:secrets 'table'",
    counts: readTemplate(CHEAPER.secrets).counts,
    credentials: 'table',
    givesUp:
      "Secrets Manager's own audit of each read (CloudTrail logs DynamoDB reads only as paid data events), its versions and rotation; a deleted channel's credentials come back only by point-in-time recovery",
    forState: true,
  },
  {
    setting: "herold:cognitoPlan 'essentials'",
    counts: readTemplate(CHEAPER.cognito).counts,
    credentials: 'secrets-manager',
    givesUp: 'no threat protection (compromised-credential checks, adaptive authentication)',
    forState: true,
  },
  {
    setting: "all three (alarms, secrets 'table', Cognito)",
    counts: readTemplate(THREE).counts,
    credentials: 'table',
    givesUp: '',
    forState: true,
  },
  {
    setting: `herold:platforms (Dresden's ${DRESDEN_PLATFORMS.length})`,
    counts: readTemplate(CHEAPER.platforms).counts,
    credentials: 'secrets-manager',
    givesUp: 'channels on the other platforms cannot be added, and their messages are skipped until redeployed',
    forState: false,
  },
  {
    setting: `herold:platforms (Dresden's ${DRESDEN_PLATFORMS.length}) and the three`,
    counts: readTemplate({ ...THREE, ...CHEAPER.platforms }).counts,
    credentials: 'table',
    givesUp: '',
    forState: false,
  },
];
const describeTemplate = (template: TemplateCounts) =>
  `${template.alarms} alarms, ${template.dashboards} dashboards, ${template.kmsKeys} KMS keys, ${template.secrets} secrets, ${template.eventSourceMappings} SQS event source mappings, ${template.distributions} CloudFront distributions, Cognito ${template.cognitoPlan ?? 'none'}, PITR ${template.pointInTimeRecovery ? 'on' : 'off'}`;
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
if (process.argv.includes('--fixed')) {
  fixedReport();
  process.exit(0);
}
const loadAtStart = loadAverage();
type Credentials = 'secrets-manager' | 'table';
// one DynamoDB Local and SQS server for both passes: the functions' clients keep the endpoint they were made with
const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqs()]);
let measured: Record<Credentials, Measured[]>;
try {
  measured = {
    'secrets-manager': await measurePass('secrets-manager'),
    table: await measurePass('table'),
  };
} finally {
  await Promise.all([dynamo.stop(), sqs.stop()]);
}

try {
  report(measured);
} catch (error) {
  if (!(error instanceof MissingPriceError)) throw error;
  console.error(`\nno cost figure: ${error.message}`);
  process.exitCode = 2;
}

/** Every event once, in a local stack of its own, with the channels' credentials where `credentials` says. */
async function measurePass(credentials: Credentials): Promise<Measured[]> {
  const stack = await startLocalStack({
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    tableName: `herold-${credentials}`,
    queuePrefix: `herold-${credentials}`,
    port: 0,
    simulatorPort: 0,
    directoryPort: 0,
    log: () => undefined,
    simulator: { enforceQuotas: false },
    cards: 'in-process',
    reconcileIntervalMs: 3_600_000,
    alertsFeedIntervalMs: 3_600_000,
    channelCredentials: credentials === 'table' ? 'table' : 'file',
  });
  const secrets = credentials === 'secrets-manager' ? await startSecretsStandIn() : undefined;
  try {
    if (secrets) await moveCredentialsToSecrets(stack, secrets);
    const meter = await startMeter({ dynamoEndpoint: stack.dynamoEndpoint, tableName: stack.tableName });
    try {
      return await measureEvents(stack, meter, () => {
        for (const channel of stack.channels)
          forgetCredentials(secrets ? `herold/${channel.platform}/${channel.id}` : channel.credentialsRef);
      });
    } finally {
      meter.stop();
    }
  } finally {
    await stack.stop();
    await secrets?.stop();
  }
}

/** One secret per channel, as in AWS: the channels' `local:` credentials move into the stand-in. */
async function moveCredentialsToSecrets(running: LocalStack, standIn: SecretsStandIn): Promise<void> {
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.url;
  const file = JSON.parse(await readFile(running.env[ENV.credentialsFile]!, 'utf8')) as Record<string, unknown>;
  const doc = localDynamoDocumentClient(running.dynamoEndpoint);
  for (const channel of running.channels) {
    const name = `herold/${channel.platform}/${channel.id}`;
    standIn.put(name, JSON.stringify(file[channel.credentialsRef]));
    await doc.send(
      new UpdateCommand({
        TableName: running.tableName,
        Key: { PK: `CHANNEL#${channel.id}`, SK: 'CHANNEL' },
        UpdateExpression: 'SET credentialsRef = :ref',
        ExpressionAttributeValues: { ':ref': name },
      }),
    );
  }
  doc.destroy();
}

function quantitiesOf(event: Measured): Quantity[] {
  return [
    ...event.usages,
    ...lambdaDuration(event.invocations, memoryMb),
    {
      meter: 'cloudwatch.log-ingestion-gb',
      quantity: (event.invocations.length * LOG_BYTES_PER_INVOCATION) / 1024 ** 3,
    },
    // each card stored is an S3 PUT in AWS (locally a file the meter cannot see)
    ...(event.cardsStored > 0 ? [{ meter: 's3.put-request', quantity: event.cardsStored }] : []),
  ];
}

/**
 * A replies poll without the access checks of push-only inboxes, which the schedule sends every 10
 * minutes per such channel, or at once while its state is unknown, whatever posts are due (`checks`:
 * only them). They are not part of reading posts, and would otherwise count in every minute's run.
 */
function accessChecksApart(event: Measured, keep: 'reads' | 'checks'): Measured {
  const kept = (functionName: string) => PUSH_ONLY_PUBLISHERS.has(functionName) === (keep === 'checks');
  const invocations = event.invocations.filter((invocation) => kept(invocation.functionName));
  return {
    ...event,
    usages: event.usages.filter((usage) => kept(usage.functionName)),
    invocations,
    publisherRecords: invocations
      .filter((invocation) => invocation.functionName.startsWith('herold-publish-'))
      .reduce((sum, invocation) => sum + (invocation.records ?? 1), 0),
  };
}

function report(passes: Record<Credentials, Measured[]>): void {
  const pricedPass = (measured: Measured[]) => {
    const events = measured.map((event) => (event.replyReads ? accessChecksApart(event, 'reads') : event));
    return {
      events,
      priced: new Map<string, Priced>(events.map((event) => [event.event, price(quantitiesOf(event), prices)])),
    };
  };
  const measured = passes['secrets-manager'];
  const { events, priced } = pricedPass(measured);
  const table = pricedPass(passes.table);
  const usd = (value: number, digits = 2) => `${value.toFixed(digits)} USD`;
  const micro = (value: number) => `${(value * 1e6).toFixed(1)} µUSD`;
  console.log(`\nload average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${loadAverage()}`);

  for (const [pass, label] of [
    [{ events, priced }, 'credentials in Secrets Manager (default)'],
    [table, "credentials in the credentials table (herold:secrets 'table')"],
  ] as const) {
    console.log(
      `\nHerold cost per event, ${label}, ${prices.region} on-demand prices of ${prices.compiled} (no free tier)\n`,
    );
    console.log(
      '| event | Lambda invocations (GB-s) | DynamoDB RRU / WRU (billing rules) | DynamoDB Local reports RRU / WRU | SQS requests | API requests | Secrets Manager calls | cards stored (S3 PUT) | cost |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const event of pass.events) {
      const cost = pass.priced.get(event.event)!;
      const quantity = (meter: string) => cost.byMeter[meter]?.quantity ?? 0;
      const reported = event.crossChecks.reduce(
        (sum, check) => ({ read: sum.read + check.reportedRead, write: sum.write + check.reportedWrite }),
        { read: 0, write: 0 },
      );
      console.log(
        `| ${event.event} | ${event.invocations.length} (${quantity('lambda.gb-second').toFixed(3)}) | ${quantity('dynamodb.read-request-unit')} / ${quantity('dynamodb.write-request-unit')} | ${reported.read} / ${reported.write} | ${quantity('sqs.request')} | ${quantity('apigateway.http-request')} | ${quantity('secretsmanager.api-call')} | ${event.cardsStored} | ${micro(cost.usd)} |`,
      );
    }
  }

  const routine = priced.get('routine message')!;
  const per1000 = routine.usd * 1000;
  const tableRoutine = table.priced.get('routine message')!;
  const tablePer1000 = tableRoutine.usd * 1000;
  const warmPer1000 = priced.get('routine message, warm caches')!.usd * 1000;
  // the replies schedule: a run with nothing due, and what a collect-replies job and each post it reads add to it
  const idle = events.find((event) => event.event === 'replies poll, nothing published')!;
  const perRun = priced.get(idle.event)!.usd;
  const cycles = ['replies poll, one post per channel', 'replies poll, one cycle'].map((name) => {
    const event = events.find((candidate) => candidate.event === name)!;
    const { jobs, posts } = event.replyReads!;
    if (event.publisherRecords !== jobs)
      console.log(`note: ${name}: the publishers handled ${event.publisherRecords} jobs, the schedule planned ${jobs}`);
    return { jobs, posts, usd: priced.get(name)!.usd - perRun };
  });
  // cost = jobs × perJob + posts × perPost, once for each cycle: two equations, two unknowns
  const [few, many] = cycles as [(typeof cycles)[0], (typeof cycles)[0]];
  const determinant = few.jobs * many.posts - many.jobs * few.posts;
  const perJob = (few.usd * many.posts - many.usd * few.posts) / determinant;
  const perPost = (few.jobs * many.usd - many.jobs * few.usd) / determinant;
  const replies = {
    channelsPerMessage: MEASURED.channelsPerMessage,
    postsPerMessage: many.posts / MESSAGES_BEFORE_REPLIES,
  };
  const repliesMonthly = (profile: (typeof PROFILES)[number]) => {
    const { runs, jobs, polls } = monthlyReplyPolls(profile, replies);
    return runs * perRun + jobs * perJob + polls * perPost;
  };
  /** the baseline of the same run: one job per post read, as the schedule sent them before */
  const repliesMonthlyJobPerPost = (profile: (typeof PROFILES)[number]) => {
    const { runs, polls } = monthlyReplyPolls(profile, replies);
    return runs * perRun + polls * (perJob + perPost);
  };
  console.log(
    `\nreplies schedule: a run with nothing due ${micro(perRun)}; measured cycles: ${cycles.map((cycle) => `${cycle.jobs} collect-replies jobs reading ${cycle.posts} posts, ${micro(cycle.usd)} beyond the run`).join('; ')} (${replies.postsPerMessage.toFixed(2)} watched posts per message)`,
  );
  const checks = measured.filter((event) => event.replyReads?.accessChecks);
  const perCheck =
    checks.reduce((sum, event) => sum + price(quantitiesOf(accessChecksApart(event, 'checks')), prices).usd, 0) /
    Math.max(
      1,
      checks.reduce((sum, event) => sum + event.replyReads!.accessChecks, 0),
    );
  console.log(
    `a push-only channel's access check (Telegram, every 10 minutes: ${ACCESS_CHECKS_PER_MONTH.toLocaleString('en')} a month) ${micro(perCheck)}, ${usd(perCheck * ACCESS_CHECKS_PER_MONTH)} a month per such channel, not in the replies figures`,
  );
  console.log(
    `so a collect-replies job costs ${micro(perJob)} and each post it reads ${micro(perPost)}${perJob < 0 || perPost < 0 ? ' (NEGATIVE: the two cycles are too noisy to separate; run again)' : ''}`,
  );
  console.log(
    '\n| profile | watched channels | jobs a month | post reads a month | replies a month | one job per post (same run) | ratio |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const profile of PROFILES) {
    const { jobs, polls, watchedChannels } = monthlyReplyPolls(profile, replies);
    const now = repliesMonthly(profile);
    const before = repliesMonthlyJobPerPost(profile);
    console.log(
      `| ${profile.name} | ${watchedChannels.toFixed(1)} | ${Math.round(jobs).toLocaleString('en')} | ${Math.round(polls).toLocaleString('en')} | ${usd(now)} | ${usd(before)} | ${(now / before).toFixed(2)} |`,
    );
  }
  console.log(
    `variable cost per 1,000 routine messages with warm caches (credentials read within the hour): ${usd(warmPer1000, 3)}`,
  );
  console.log(
    `\nvariable cost per 1,000 routine messages to 10 channels: ${usd(per1000, 3)} (goal ≤ ${usd(GOAL_PER_1000_MESSAGES_USD)}); with the credentials table: ${usd(tablePer1000, 3)}`,
  );
  for (const [label, cost] of [
    ['Secrets Manager', routine],
    ['the credentials table', tableRoutine],
  ] as const) {
    console.log(`largest items of a routine message, credentials in ${label}:`);
    for (const [meter, entry] of Object.entries(cost.byMeter)
      .sort((a, b) => b[1].usd - a[1].usd)
      .slice(0, 5))
      console.log(
        `  ${meter}: ${entry.quantity.toFixed(3)} → ${micro(entry.usd)} (${((entry.usd / cost.usd) * 100).toFixed(0)} %)`,
      );
  }
  console.log(
    '\nwhere the write units of a routine message go (item kind PK/SK and request; a transaction counts twice)\n',
  );
  console.log('| item and request | requests | table WRU | index WRU |');
  console.log('|---|---|---|---|');
  const routineWrites = measured.find((result) => result.event === 'routine message')!.itemWrites;
  for (const [kind, entry] of Object.entries(routineWrites).sort(
    (a, b) => b[1].table + b[1].indexes - (a[1].table + a[1].indexes),
  ))
    console.log(`| ${kind} | ${entry.requests} | ${entry.table} | ${entry.indexes} |`);

  /** a month's variable cost: the profile's events priced as measured in one pass, and the replies schedule */
  const monthlyVariable = (profile: (typeof PROFILES)[number], pricedEvents: Map<string, Priced>) =>
    Object.entries(monthlyEvents(profile, MEASURED)).reduce(
      (sum, [event, times]) => sum + pricedEvents.get(event)!.usd * times,
      0,
    ) + repliesMonthly(profile);
  const variableOf = (credentials: Credentials, profile: (typeof PROFILES)[number]) =>
    monthlyVariable(profile, credentials === 'table' ? table.priced : priced);

  console.log(`\nPer month (${DAYS_PER_MONTH} days)\n`);
  console.log(
    '| profile | messages a day | variable | fixed | total | per 1,000 messages (all-in) | largest fixed items |',
  );
  console.log('|---|---|---|---|---|---|---|');
  let dresdenTotal = 0;
  for (const profile of PROFILES) {
    const variable = monthlyVariable(profile, priced);
    const fixed = price(fixedMonthly(profile, counts), prices);
    const total = variable + fixed.usd;
    if (profile.name === 'Dresden today') dresdenTotal = total;
    const largest = Object.entries(fixed.byMeter)
      .sort((a, b) => b[1].usd - a[1].usd)
      .slice(0, 3)
      .map(([meter, entry]) => `${FIXED_LABELS[meter] ?? meter} ${usd(entry.usd)}`)
      .join('; ');
    console.log(
      `| ${profile.name} | ${profile.messagesPerDay} | ${usd(variable)} | ${usd(fixed.usd)} | ${usd(total)} | ${usd((total / (profile.messagesPerDay * DAYS_PER_MONTH)) * 1000)} | ${largest} |`,
    );
  }
  const dresdenFixed = price(fixedMonthly(PROFILES[0]!, counts), prices);
  console.log(`\nfixed items, ${PROFILES[0]!.name}:`);
  for (const [meter, entry] of Object.entries(dresdenFixed.byMeter).sort((a, b) => b[1].usd - a[1].usd))
    console.log(`  ${FIXED_LABELS[meter] ?? meter}: ${entry.quantity.toFixed(2)} → ${usd(entry.usd)}`);
  console.log(`\ntemplate: ${describeTemplate(counts)}`);
  const dresden = PROFILES[0]!;
  const dresdenVariable = monthlyVariable(dresden, priced);
  console.log(`replies schedule in ${dresden.name}'s month: ${usd(repliesMonthly(dresden))}`);
  const fixedWith = (template: TemplateCounts, profile = dresden) => price(fixedMonthly(profile, template), prices).usd;
  const baseFixed = fixedWith(counts);
  console.log(`
Cheaper settings for ${dresden.name} (${usd(dresdenVariable + baseFixed)} a month as deployed by default)
`);
  console.log('| setting | saves a month | total then | state: total then | gives up |');
  console.log('|---|---|---|---|---|');
  const state = PROFILES.find((profile) => profile.name === 'state')!;
  const stateVariable = monthlyVariable(state, priced);
  let dresdenCheapest = Infinity;
  for (const design of designs) {
    const total = variableOf(design.credentials, dresden) + fixedWith(design.counts);
    dresdenCheapest = Math.min(dresdenCheapest, total);
    const stateTotal = design.forState
      ? usd(variableOf(design.credentials, state) + fixedWith(design.counts, state))
      : 'n/a (a state runs every platform)';
    console.log(
      `| ${design.setting} | ${usd(dresdenVariable + baseFixed - total)} | ${usd(total)} | ${stateTotal} | ${design.givesUp} |`,
    );
  }
  console.log(`(state as deployed by default: ${usd(stateVariable + fixedWith(counts, state))})`);

  // a state-wide alert: the measured alert's writes per delivery, times 5,500 deliveries within the 60 s emergency target
  const alert = events.find((event) => event.event === 'emergency alert with approval')!;
  const scale = STATE_WIDE_CHANNELS / MEASURED.channelsPerMessage;
  console.log(
    `\nHottest partitions of a state-wide alert to ${STATE_WIDE_CHANNELS.toLocaleString('en')} channels, published within ${EMERGENCY_WINDOW_S} s (limit ${PARTITION_WCU_LIMIT} WCU/s per partition)\n`,
  );
  console.log(
    '| partition | WRU measured (10 channels) | WRU at 5,500 channels | partitions sharing them | WCU/s per partition over the window | within the limit |',
  );
  console.log('|---|---|---|---|---|---|');
  // The OPEN index's shards take a hash-spread share each: measured together, divided by their number.
  // So do the deliveries: the measured alert's 10 are beside their message item, a state-wide alert's
  // are in partitions of their own (MSG#<id>#<n>, by a hash of the channel).
  const deliveryPartitions = deliveryPartitionsFor(STATE_WIDE_CHANNELS) ?? 1;
  const grouped = new Map<string, { units: number; partitions: number }>();
  for (const [partition, units] of Object.entries(alert.partitionWrites)) {
    const shard = /^(\S+) OPEN#\d+$/.exec(partition);
    const deliveries = /^table MSG#…(#n)? DLV#…$/.test(partition);
    const [name, partitions] = shard
      ? [`${shard[1]} OPEN#0…${OPEN_SHARDS - 1}`, OPEN_SHARDS]
      : deliveries
        ? [`table MSG#<id>#0…${deliveryPartitions - 1} (the deliveries)`, deliveryPartitions]
        : partition === 'table MSG#…'
          ? ['table MSG#<id> (the message item and its markers)', 1]
          : [partition, 1];
    grouped.set(name, { units: (grouped.get(name)?.units ?? 0) + units, partitions });
  }
  // the four hottest, and the spread partitions wherever they rank
  const ranked = [...grouped].sort((a, b) => b[1].units / b[1].partitions - a[1].units / a[1].partitions);
  for (const [partition, { units, partitions }] of ranked.filter(
    ([name, { partitions }], rank) => rank < 4 || partitions > 1 || name.startsWith('table MSG#'),
  )) {
    const perSecond = (units * scale) / partitions / EMERGENCY_WINDOW_S;
    console.log(
      `| ${partition} | ${units} | ${Math.round(units * scale).toLocaleString('en')} | ${partitions} | ${perSecond.toFixed(0)} | ${perSecond <= PARTITION_WCU_LIMIT ? 'yes' : 'NO'} |`,
    );
  }

  const met = dresdenTotal <= GOAL_DRESDEN_MONTHLY_USD && per1000 <= GOAL_PER_1000_MESSAGES_USD;
  console.log(
    `\ngoals as deployed by default: Dresden ≤ ${usd(GOAL_DRESDEN_MONTHLY_USD)} a month (${usd(dresdenTotal)}), variable ≤ ${usd(GOAL_PER_1000_MESSAGES_USD)} per 1,000 messages (${usd(per1000, 3)}): ${met ? 'met' : 'NOT met'}`,
  );
  console.log(
    `with the cheaper settings: Dresden ${usd(dresdenCheapest)} (${dresdenCheapest <= GOAL_DRESDEN_MONTHLY_USD ? 'met' : 'NOT met'}); cold caches with the credentials table ${usd(tablePer1000, 3)} per 1,000 messages (${tablePer1000 <= GOAL_PER_1000_MESSAGES_USD ? 'met' : 'NOT met'}); warm caches ${usd(warmPer1000, 3)} (${warmPer1000 <= GOAL_PER_1000_MESSAGES_USD ? 'met' : 'NOT met'})`,
  );
  process.exitCode = met ? 0 : 1;
}

/** The fixed part alone (--fixed): every cheaper setting's template, priced for Dresden, without the local stack. */
function fixedReport(): void {
  const dresden = PROFILES[0]!;
  const usd = (value: number) => `${value.toFixed(2)} USD`;
  const fixedOf = (template: TemplateCounts) => price(fixedMonthly(dresden, template), prices);
  const base = fixedOf(counts);
  console.log(`Fixed part a month, ${dresden.name}, ${prices.region} prices of ${prices.compiled} (no free tier)\n`);
  console.log('| setting | alarms | SQS event source mappings | fixed | saves |');
  console.log('|---|---|---|---|---|');
  console.log(`| none (default) | ${counts.alarms} | ${counts.eventSourceMappings} | ${usd(base.usd)} | |`);
  for (const design of designs) {
    const fixed = fixedOf(design.counts);
    console.log(
      `| ${design.setting} | ${design.counts.alarms} | ${design.counts.eventSourceMappings} | ${usd(fixed.usd)} | ${usd(base.usd - fixed.usd)} |`,
    );
  }
  for (const [label, template] of [
    ['default', counts],
    [designs.at(-1)!.setting, designs.at(-1)!.counts],
  ] as const) {
    console.log(`\nfixed items, ${dresden.name}, ${label} (${describeTemplate(template)}):`);
    for (const [meter, entry] of Object.entries(fixedOf(template).byMeter).sort((a, b) => b[1].usd - a[1].usd))
      console.log(`  ${FIXED_LABELS[meter] ?? meter}: ${entry.quantity.toFixed(2)} → ${usd(entry.usd)}`);
  }
}

function readTemplate(context: Record<string, unknown> = {}): {
  memoryMb: Record<string, number>;
  counts: TemplateCounts;
} {
  const { stack } = createHeroldApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const template = Template.fromStack(stack);
  type Resource = { Properties?: Record<string, unknown> };
  const of = (type: string) => Object.values(template.findResources(type) as Record<string, Resource>);
  const memoryMb = Object.fromEntries(
    of('AWS::Lambda::Function')
      .filter((fn) => typeof fn.Properties?.FunctionName === 'string')
      .map((fn) => [fn.Properties!.FunctionName as string, Number(fn.Properties!.MemorySize ?? 128)]),
  );
  const pool = of('AWS::Cognito::UserPool')[0];
  const counts: TemplateCounts = {
    alarms: of(TEMPLATE_TYPES.alarms).length,
    dashboards: of(TEMPLATE_TYPES.dashboards).length,
    kmsKeys: of(TEMPLATE_TYPES.kmsKeys).length,
    secrets: of(TEMPLATE_TYPES.secrets).length,
    eventSourceMappings: of(TEMPLATE_TYPES.eventSourceMappings).length,
    distributions: of(TEMPLATE_TYPES.distributions).length,
    pointInTimeRecovery: of('AWS::DynamoDB::Table').some(
      (table) =>
        (table.Properties?.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)
          ?.PointInTimeRecoveryEnabled === true,
    ),
    ...(pool ? { cognitoPlan: pool.Properties?.UserPoolTier as TemplateCounts['cognitoPlan'] } : {}),
    // the functions are told where new channels' credentials go only when it is not a secret per channel
    secretsLayout:
      of('AWS::Lambda::Function')
        .map(
          (fn) =>
            (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[
              ENV.secretsLayout
            ],
        )
        .find(
          (layout): layout is 'per-organisation' | 'table' => layout === 'per-organisation' || layout === 'table',
        ) ?? 'per-channel',
  };
  return { memoryMb, counts };
}

/**
 * Counts the billable AWS requests the handlers of the local stack make, per function invocation.
 * Installed by the cost benchmark only: it adds one middleware to every AWS SDK client the process
 * creates (through @smithy/core's Client.prototype.send), and counts only requests made inside an
 * invocation (local/invocations.ts), so the local stack's own pollers, seeders and stand-ins are not
 * counted; what AWS bills around an invocation (Lambda request and duration, the event source's
 * receive + delete, the API Gateway request, the Scheduler invocation) is added from the invocation.
 *
 * DynamoDB units are computed from the items by AWS's billing rules (dynamo-billing.ts): the meter
 * reads an item before and after each write with a client of its own, outside any invocation. Each
 * request also asks DynamoDB Local for ReturnConsumedCapacity=INDEXES; that figure is kept beside
 * the computed one as a cross-check, not used for prices (docs/COST.md says why).
 */
import { createRequire } from 'node:module';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from '@smithy/core/client';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { currentInvocation, observeInvocations } from '../../local/invocations';
import { indexWriteUnits, itemSize, itemWriteCost, readUnits, type Item, type TableDefinition } from './dynamo-billing';
import { DELIVERY_SK_PREFIX } from '../../shared/store/keys';

/** One billable quantity, on a price list meter (bench/cost/prices-eu-central-1.json). */
export interface Usage {
  functionName: string;
  meter: string;
  quantity: number;
  /** the request or event that caused it, for the report */
  operation: string;
}

export interface Invocation {
  functionName: string;
  trigger: string;
  durationMs: number;
  /** the records of an SQS batch */
  records?: number;
}

export interface CapacityCrossCheck {
  operation: string;
  computedRead: number;
  computedWrite: number;
  reportedRead: number;
  reportedWrite: number;
}

export interface Meter {
  usages: Usage[];
  invocations: Invocation[];
  crossChecks: CapacityCrossCheck[];
  /** write units per partition (`table PK prefix` or `index name = partition key`), to find hot keys */
  partitionWrites: Map<string, number>;
  /** write units by the kind of item written and the request (`MSG/DLV UpdateItem`), table and index apart */
  itemWrites: Map<string, { table: number; indexes: number; requests: number }>;
  /** forgets everything counted so far */
  reset(): void;
  stop(): void;
}

type Low = Record<string, unknown>;
interface MiddlewareStackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}
type Send = (this: { middlewareStack: MiddlewareStackLike }, ...args: unknown[]) => unknown;

const SQS_CHUNK = 64 * 1024;
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** requests the meter makes itself: never counted */
const own = new AsyncLocalStorage<true>();

export async function startMeter(options: { dynamoEndpoint: string; tableName: string }): Promise<Meter> {
  let stopped = false;
  const raw = new DynamoDBClient({
    endpoint: options.dynamoEndpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table = await tableDefinition(raw, options.tableName);
  const meter: Meter = {
    usages: [],
    invocations: [],
    crossChecks: [],
    partitionWrites: new Map(),
    itemWrites: new Map(),
    reset() {
      meter.partitionWrites.clear();
      meter.itemWrites.clear();
      meter.usages.length = 0;
      meter.invocations.length = 0;
      meter.crossChecks.length = 0;
    },
    stop() {
      // the middleware stays in the stacks of clients it has seen: it must pass everything on from now
      stopped = true;
      for (const restore of restores) restore();
      observeInvocations(undefined);
      raw.destroy();
    },
  };
  const use = (functionName: string, meterId: string, quantity: number, operation: string) => {
    if (quantity > 0) meter.usages.push({ functionName, meter: meterId, quantity, operation });
  };
  const dynamo = dynamoMeter(
    raw,
    options.tableName,
    table,
    (partition, units) => meter.partitionWrites.set(partition, (meter.partitionWrites.get(partition) ?? 0) + units),
    (kind, cost) => {
      const entry = meter.itemWrites.get(kind) ?? { table: 0, indexes: 0, requests: 0 };
      meter.itemWrites.set(kind, {
        table: entry.table + cost.table,
        indexes: entry.indexes + cost.indexes,
        requests: entry.requests + 1,
      });
    },
  );
  const overhead = new WeakMap<object, [number, number][]>();
  const measuring = async <T>(invocation: object, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await own.run(true, run);
    } finally {
      const intervals = overhead.get(invocation) ?? [];
      intervals.push([started, performance.now()]);
      overhead.set(invocation, intervals);
    }
  };

  const middleware =
    (next: (args: Low) => Promise<{ output: Low }>, context: { clientName?: string; commandName?: string }) =>
    async (args: Low) => {
      const invocation = currentInvocation();
      if (!invocation || stopped || own.getStore()) return next(args);
      const service = (context.clientName ?? 'unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = lowLevel(args.input ?? {}) as Low;
      const fn = invocation.functionName;
      if (service === 'DynamoDB') {
        askForConsumedCapacity(args);
        const before = await measuring(invocation, () => dynamo.before(operation, input));
        let result: { output: Low } | undefined;
        let failure: unknown;
        try {
          result = await next(args);
        } catch (error) {
          failure = error;
        }
        const cost = await measuring(invocation, () =>
          dynamo.cost(operation, input, result && (lowLevel(result.output) as Low), before, failure === undefined),
        );
        use(fn, 'dynamodb.read-request-unit', cost.read, `DynamoDB ${operation}`);
        use(fn, 'dynamodb.write-request-unit', cost.write, `DynamoDB ${operation}`);
        if (result) {
          const reported = consumedUnits(result.output);
          const write = cost.write > 0 || WRITE_OPERATIONS.has(operation);
          meter.crossChecks.push({
            operation,
            computedRead: cost.read,
            computedWrite: cost.write,
            reportedRead: write ? 0 : reported,
            reportedWrite: write ? reported : 0,
          });
        }
        if (failure !== undefined) throw failure;
        return result!;
      }
      if (service === 'SQS') use(fn, 'sqs.request', sqsRequests(operation, input), `SQS ${operation}`);
      else if (service === 'SecretsManager') use(fn, 'secretsmanager.api-call', 1, `Secrets Manager ${operation}`);
      else if (service === 'S3')
        use(fn, /^(Get|Head)/.test(operation) ? 's3.get-request' : 's3.put-request', 1, `S3 ${operation}`);
      // anything else is counted on a meter of its own name, which has no price until one is added
      else use(fn, `${service.toLowerCase()}.${operation}`, 1, `${service} ${operation}`);
      return next(args);
    };

  const restores = patchSend((stack) =>
    stack.add(middleware, { step: 'build', priority: 'high', name: 'heroldCostMeter', override: true }),
  );

  observeInvocations((invocation, durationMs) => {
    // the meter's own reads of items before and after a write are not the function's time
    meter.invocations.push({
      functionName: invocation.functionName,
      trigger: invocation.trigger,
      durationMs: Math.max(1, durationMs - unionLength(overhead.get(invocation) ?? [])),
      ...(invocation.records !== undefined ? { records: invocation.records } : {}),
    });
    const fn = invocation.functionName;
    use(fn, 'lambda.request', 1, 'Lambda invocation');
    if (invocation.trigger === 'api') use(fn, 'apigateway.http-request', 1, 'API Gateway HTTP API request');
    if (invocation.trigger === 'scheduler') use(fn, 'scheduler.invocation', 1, 'EventBridge Scheduler invocation');
    if (invocation.trigger === 'schedule') use(fn, 'events.scheduled-rule', 1, 'EventBridge rule trigger');
    // the event source mapping's ReceiveMessage that found the batch and its DeleteMessageBatch
    if (invocation.trigger === 'sqs') use(fn, 'sqs.request', 2, 'SQS receive + delete (event source mapping)');
  });
  return meter;
}

/** The time covered by a set of intervals that may overlap (requests made in parallel). */
export function unionLength(intervals: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

/** Adds the middleware once per middleware stack (a document client shares its client's stack). */
/** The kind of an item by its key: the prefixes of PK and SK (`MSG/DLV`), a time in a sort key as `<time>`. */
export function itemKind(key: Item): string {
  const prefix = (value: Item[string] | undefined) =>
    value && 'S' in value ? value.S.replace(/#.*$/, '').replace(/^\d{4}-\d{2}-\d{2}.*$/, '<time>') : '?';
  return `${prefix(key.PK)}/${prefix(key.SK)}`;
}

function patchSend(add: (stack: MiddlewareStackLike) => void): (() => void)[] {
  const require = createRequire(import.meta.url);
  const classes = new Set<{ prototype: { send: Send } }>([
    Client as unknown as { prototype: { send: Send } },
    (require('@smithy/core/client') as { Client: { prototype: { send: Send } } }).Client,
  ]);
  const seen = new WeakSet<MiddlewareStackLike>();
  return [...classes].map((clientClass) => {
    const original = clientClass.prototype.send;
    clientClass.prototype.send = function (this: { middlewareStack: MiddlewareStackLike }, ...args: unknown[]) {
      if (!seen.has(this.middlewareStack)) {
        seen.add(this.middlewareStack);
        add(this.middlewareStack);
      }
      return original.apply(this, args);
    };
    return () => {
      clientClass.prototype.send = original;
    };
  });
}

const TYPE_TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS']);
const ITEM_FIELDS = new Set(['Item', 'Key', 'Items', 'ExclusiveStartKey', 'LastEvaluatedKey', 'Keys']);

const isAttributeValue = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === 1 &&
  TYPE_TAGS.has(Object.keys(value)[0]!);

const isLowLevelItem = (item: Low) => Object.values(item).every(isAttributeValue);

/**
 * The document client marshals its input and unmarshals its output in middleware of its own; where
 * this meter sits it may see either form, so items are brought to the low-level form DynamoDB bills.
 */
function lowLevel(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((element) => lowLevel(element, field));
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const record = value as Low;
  if (ITEM_FIELDS.has(field) || field === 'ExpressionAttributeValues')
    return isLowLevelItem(record) ? record : marshall(record, MARSHALL_OPTIONS);
  // BatchGetItem answers with the items of each table under its name
  if (field === 'Responses')
    return Object.fromEntries(Object.entries(record).map(([table, items]) => [table, lowLevel(items, 'Items')]));
  return Object.fromEntries(Object.entries(record).map(([name, element]) => [name, lowLevel(element, name)]));
}

const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: true };

/** The build step sees the serialized JSON body (bytes): the cross-check's parameter goes in there. */
function askForConsumedCapacity(args: Low): void {
  const request = args.request as { body?: unknown; headers?: Record<string, string> } | undefined;
  if (!request || (typeof request.body !== 'string' && !(request.body instanceof Uint8Array))) return;
  const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
  const body = JSON.parse(text) as Low;
  body.ReturnConsumedCapacity ??= 'INDEXES';
  const serialized = new TextEncoder().encode(JSON.stringify(body));
  request.body = typeof request.body === 'string' ? new TextDecoder().decode(serialized) : serialized;
  if (request.headers?.['content-length'] !== undefined) request.headers['content-length'] = String(serialized.length);
}

/** DynamoDB Local answers with the total CapacityUnits only, table and indexes together. */
const consumedUnits = (output: Low): number =>
  ([] as Low[])
    .concat((output.ConsumedCapacity as Low | Low[] | undefined) ?? [])
    .reduce((sum, entry) => sum + Number(entry.CapacityUnits ?? 0), 0);

function sqsRequests(operation: string, input: Low): number {
  if (operation === 'SendMessage') return Math.max(1, Math.ceil(payloadBytes(input) / SQS_CHUNK));
  if (operation === 'SendMessageBatch') {
    const entries = (input.Entries as Low[] | undefined) ?? [];
    return Math.max(1, Math.ceil(entries.reduce((sum, entry) => sum + payloadBytes(entry), 0) / SQS_CHUNK));
  }
  return 1;
}

const payloadBytes = (message: Low) =>
  Buffer.byteLength(String(message.MessageBody ?? '')) +
  Buffer.byteLength(JSON.stringify(message.MessageAttributes ?? {}));

async function tableDefinition(client: DynamoDBClient, tableName: string): Promise<TableDefinition> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.KeySchema) throw new Error(`table ${tableName} has no key schema`);
  return {
    keys: Table.KeySchema.map((key) => key.AttributeName!),
    indexes: (Table.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName!,
      partitionKey: index.KeySchema!.find((key) => key.KeyType === 'HASH')!.AttributeName!,
      sortKey: index.KeySchema!.find((key) => key.KeyType === 'RANGE')?.AttributeName,
      projection: {
        type: (index.Projection?.ProjectionType ?? 'ALL') as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
        attributes: index.Projection?.NonKeyAttributes,
      },
    })),
  };
}

interface WriteTarget {
  tableName: string;
  key: Item;
  transactional: boolean;
  /** a ConditionCheck writes nothing */
  check: boolean;
}

/** The items each write touches, read before and after it, and the read sizes of each read. */
function dynamoMeter(
  client: DynamoDBClient,
  tableName: string,
  table: TableDefinition,
  onPartitionWrite: (partition: string, units: number) => void,
  onItemWrite: (kind: string, cost: { table: number; indexes: number }) => void,
) {
  /**
   * A table partition by its key's kind (MSG#…, CHANNEL#…). A message's deliveries are named apart
   * from its other items: a message to many channels keeps them in partitions of their own
   * (`MSG#<id>#<n>`), a small one beside the message item.
   */
  // any other table the functions write (the credentials table), by its own key schema
  const definitions = new Map<string, Promise<TableDefinition>>([[tableName, Promise.resolve(table)]]);
  const definitionOf = (name: string) => {
    let definition = definitions.get(name);
    if (!definition) definitions.set(name, (definition = tableDefinition(client, name)));
    return definition;
  };
  const tablePartition = (item: Item, writtenTable: string) => {
    if (writtenTable !== tableName) return `table ${writtenTable}`;
    const value = item[table.keys[0]!];
    const sort = item[table.keys[1]!];
    if (!value || !('S' in value)) return 'table ?';
    const delivery = sort && 'S' in sort && sort.S.startsWith(DELIVERY_SK_PREFIX);
    if (delivery) return `table ${/^MSG#[^#]+#\d+$/.test(value.S) ? 'MSG#…#n' : 'MSG#…'} ${DELIVERY_SK_PREFIX}…`;
    return `table ${value.S.replace(/#.*$/, '#…')}`;
  };
  const recordPartitions = (
    writtenTable: string,
    before: Item | undefined,
    after: Item | undefined,
    tableUnits: number,
  ) => {
    onPartitionWrite(tablePartition((after ?? before)!, writtenTable), tableUnits);
    if (writtenTable !== tableName) return;
    for (const index of table.indexes) {
      const units = indexWriteUnits(table, index, before, after);
      const entry = after?.[index.partitionKey] ? after : before;
      const value = entry?.[index.partitionKey];
      if (units > 0 && value)
        onPartitionWrite(`${index.name} ${'S' in value ? value.S : JSON.stringify(value)}`, units);
    }
  };
  const read = async ({ tableName: name, key }: WriteTarget): Promise<Item | undefined> =>
    (
      await client.send(
        new GetItemCommand({ TableName: name, Key: key as GetItemCommandInput['Key'], ConsistentRead: true }),
      )
    ).Item as Item | undefined;

  const targets = async (operation: string, input: Low): Promise<WriteTarget[]> => {
    const single = (name: string, transactional: boolean) => async (entry: Low) => {
      const { keys } = await definitionOf(name);
      const item = entry.Item as Item | undefined;
      return {
        tableName: name,
        key: (entry.Key as Item | undefined) ?? Object.fromEntries(keys.map((key) => [key, item![key]!])),
        transactional,
        check: false,
      };
    };
    if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem')
      return [await single(input.TableName as string, false)(input)];
    if (operation === 'BatchWriteItem')
      return Promise.all(
        Object.entries(input.RequestItems as Record<string, Low[]>).flatMap(([name, requests]) =>
          requests.map((request) =>
            single(name, false)((request.PutRequest as Low | undefined) ?? (request.DeleteRequest as Low)),
          ),
        ),
      );
    if (operation === 'TransactWriteItems')
      return Promise.all(
        (input.TransactItems as Low[]).map(async (entry) => {
          const [kind, body] = Object.entries(entry)[0] as [string, Low];
          return { ...(await single(body.TableName as string, true)(body)), check: kind === 'ConditionCheck' };
        }),
      );
    return [];
  };

  return {
    async before(operation: string, input: Low): Promise<(Item | undefined)[]> {
      return Promise.all((await targets(operation, input)).map(read));
    },

    async cost(
      operation: string,
      input: Low,
      output: Low | undefined,
      before: (Item | undefined)[],
      succeeded: boolean,
    ): Promise<{ read: number; write: number }> {
      const writes = await targets(operation, input);
      if (writes.length > 0) {
        let write = 0;
        for (const [index, target] of writes.entries()) {
          // a failed condition pays for the item as it is, and changes nothing
          const after = succeeded && !target.check ? await read(target) : before[index];
          const cost = itemWriteCost(await definitionOf(target.tableName), before[index], after, target.transactional);
          write += cost.table + (succeeded ? cost.indexes : 0);
          const kind = target.tableName === tableName ? itemKind(target.key) : `${target.tableName} item`;
          onItemWrite(`${kind} ${operation}`, {
            table: cost.table,
            indexes: succeeded ? cost.indexes : 0,
          });
          if (succeeded && (before[index] ?? after))
            recordPartitions(target.tableName, before[index], after, cost.table);
        }
        return { read: 0, write };
      }
      const consistent = input.ConsistentRead === true;
      if (operation === 'GetItem') {
        const item = output?.Item as Item | undefined;
        return { read: readUnits(item ? itemSize(item) : 0, consistent), write: 0 };
      }
      if (operation === 'BatchGetItem') {
        let units = 0;
        for (const [name, request] of Object.entries(input.RequestItems as Record<string, Low>)) {
          const found = ((output?.Responses as Record<string, Item[]> | undefined)?.[name] ?? []) as Item[];
          const asked = (request.Keys as Item[]).length;
          const requestConsistent = request.ConsistentRead === true;
          units += found.reduce((sum, item) => sum + readUnits(itemSize(item), requestConsistent), 0);
          units += Math.max(0, asked - found.length) * readUnits(0, requestConsistent);
        }
        return { read: units, write: 0 };
      }
      if (operation === 'TransactGetItems') {
        const found = ((output?.Responses as Low[] | undefined) ?? []).map(
          (response) => response.Item as Item | undefined,
        );
        return { read: found.reduce((sum, item) => sum + 2 * readUnits(item ? itemSize(item) : 0, true), 0), write: 0 };
      }
      if (operation === 'Query' || operation === 'Scan') {
        const items = await evaluatedItems(operation, input, output);
        return {
          read: readUnits(
            items.reduce((sum, item) => sum + itemSize(item), 0),
            consistent,
          ),
          write: 0,
        };
      }
      return { read: 0, write: 0 };
    },
  };

  /** A Query pays for what it read, not what it returned: filters and projections are undone for the count. */
  async function evaluatedItems(operation: string, input: Low, output: Low | undefined): Promise<Item[]> {
    const filtered =
      input.FilterExpression !== undefined ||
      input.ProjectionExpression !== undefined ||
      (input.Select !== undefined && input.Select !== 'ALL_ATTRIBUTES');
    if (!filtered) return (output?.Items as Item[] | undefined) ?? [];
    const keyCondition = String(input.KeyConditionExpression ?? '');
    const used = (names: Low | undefined) =>
      names && Object.keys(names).some((name) => keyCondition.includes(name))
        ? Object.fromEntries(Object.entries(names).filter(([name]) => keyCondition.includes(name)))
        : undefined;
    const plain = {
      TableName: input.TableName as string,
      IndexName: input.IndexName as string | undefined,
      ExclusiveStartKey: input.ExclusiveStartKey as GetItemCommandInput['Key'],
      Limit: input.Limit as number | undefined,
      ConsistentRead: input.ConsistentRead as boolean | undefined,
      ScanIndexForward: input.ScanIndexForward as boolean | undefined,
      ExpressionAttributeNames: used(input.ExpressionAttributeNames as Low | undefined) as
        Record<string, string> | undefined,
      ExpressionAttributeValues: used(input.ExpressionAttributeValues as Low | undefined) as GetItemCommandInput['Key'],
    };
    const page =
      operation === 'Query'
        ? await client.send(new QueryCommand({ ...plain, KeyConditionExpression: keyCondition }))
        : await client.send(
            new ScanCommand({
              TableName: plain.TableName,
              IndexName: plain.IndexName,
              ExclusiveStartKey: plain.ExclusiveStartKey,
              Limit: plain.Limit,
            }),
          );
    return (page.Items ?? []) as Item[];
  }
}

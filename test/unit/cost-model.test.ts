import { describe, expect, it } from 'vitest';
import {
  indexWriteUnits,
  itemSize,
  itemWriteCost,
  readUnits,
  writeUnits,
  type TableDefinition,
} from '../../bench/cost/dynamo-billing';
import { unionLength } from '../../bench/cost/meter';
import {
  fixedMonthly,
  lambdaDuration,
  loadPrices,
  MissingPriceError,
  monthlyEvents,
  monthlyReplyPolls,
  channelReplyJobs,
  pollsPerPost,
  price,
  PROFILES,
  type PriceList,
} from '../../bench/cost/model';

const table: TableDefinition = {
  keys: ['PK', 'SK'],
  indexes: [{ name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: { type: 'ALL' } }],
};

describe("DynamoDB's billing rules", () => {
  it('sizes an item by its attribute names and values', () => {
    // names 2 + 2 + 4, values 3 + 1 (number 5: one digit → 1 + 1 = 2) → PK "abc" 3, SK "d" 1, "n" 2
    expect(itemSize({ PK: { S: 'abc' }, SK: { S: 'd' }, num1: { N: '5' } })).toBe(2 + 3 + 2 + 1 + 4 + 2);
    expect(itemSize({ ü: { S: 'é' } })).toBe(4);
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('rounds writes up to 1 KB and reads up to 4 KB, halving eventually consistent reads', () => {
    expect(writeUnits(500)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1639)).toBe(2);
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
  });

  it('charges one index write for a new entry, two when the index key changes, none when nothing projected changes', () => {
    const index = table.indexes[0]!;
    const base = { PK: { S: 'MSG#1' }, SK: { S: 'DLV#a' } };
    const open = { ...base, GSI1PK: { S: 'OPEN' }, GSI1SK: { S: '1' } };
    expect(indexWriteUnits(table, index, undefined, base)).toBe(0);
    expect(indexWriteUnits(table, index, undefined, open)).toBe(1);
    expect(indexWriteUnits(table, index, open, { ...open, GSI1SK: { S: '2' } })).toBe(2);
    expect(indexWriteUnits(table, index, open, base)).toBe(1);
    expect(indexWriteUnits(table, index, open, { ...open })).toBe(0);
    expect(indexWriteUnits(table, index, open, { ...open, state: { S: 'PUBLISHED' } })).toBe(1);
  });

  it('writes a keys-only index only when its keys come, go or change, whatever else the item does', () => {
    const keysOnly = {
      name: 'OPEN',
      partitionKey: 'OPENPK',
      sortKey: 'OPENSK',
      projection: { type: 'KEYS_ONLY' },
    } as const;
    const withOpen = { keys: ['PK', 'SK'], indexes: [keysOnly] };
    const open = { PK: { S: 'MSG#1' }, SK: { S: 'DLV#a' }, OPENPK: { S: 'OPEN#3' }, OPENSK: { S: '1' } };
    // a claim or a checkpoint: the delivery changes, its entry does not
    expect(
      indexWriteUnits(withOpen, keysOnly, open, { ...open, state: { S: 'PUBLISHING' }, leaseUntil: { N: '9' } }),
    ).toBe(0);
    expect(indexWriteUnits(withOpen, keysOnly, open, { ...open, OPENSK: { S: '2' } })).toBe(2);
    expect(indexWriteUnits(withOpen, keysOnly, open, { PK: open.PK, SK: open.SK, state: { S: 'PUBLISHED' } })).toBe(1);
  });

  it('pays the larger of the sizes before and after, and twice in a transaction', () => {
    const small = { PK: { S: 'a' }, SK: { S: 'b' } };
    const large = { ...small, text: { S: 'x'.repeat(2000) } };
    expect(itemWriteCost(table, large, small)).toEqual({ table: 2, indexes: 0 });
    expect(itemWriteCost(table, undefined, large, true)).toEqual({ table: 4, indexes: 0 });
  });
});

describe('the cost model', () => {
  const prices = loadPrices();

  it('keeps every price with its source and the date it was read', () => {
    for (const entry of Object.values(prices.prices)) {
      expect(entry.source.length).toBeGreaterThan(10);
      expect(entry.seen).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('refuses to price a quantity whose meter has no price, naming every such meter', () => {
    const withoutSqs: PriceList = {
      ...prices,
      prices: Object.fromEntries(Object.entries(prices.prices).filter(([meter]) => meter !== 'sqs.request')),
    };
    const quantities = [
      { meter: 'sqs.request', quantity: 2 },
      { meter: 'scheduler.CreateSchedule', quantity: 1 },
      { meter: 'lambda.request', quantity: 1 },
    ];
    expect(() => price(quantities, withoutSqs)).toThrow(MissingPriceError);
    expect(() => price(quantities, withoutSqs)).toThrow(/scheduler\.CreateSchedule, sqs\.request/);
  });

  it('prices quantities by the unit each price is given per', () => {
    const priced = price(
      [
        { meter: 'dynamodb.write-request-unit', quantity: 1_000_000 },
        { meter: 'sqs.request', quantity: 500_000 },
      ],
      prices,
    );
    expect(priced.byMeter['dynamodb.write-request-unit']!.usd).toBeCloseTo(
      prices.prices['dynamodb.write-request-unit']!.usd,
    );
    expect(priced.usd).toBeCloseTo(
      prices.prices['dynamodb.write-request-unit']!.usd + prices.prices['sqs.request']!.usd / 2,
    );
  });

  it('bills Lambda by the configured memory and refuses a function the template does not have', () => {
    expect(lambdaDuration([{ functionName: 'f', durationMs: 99.2 }], { f: 512 })).toEqual([
      { meter: 'lambda.gb-second', quantity: 0.05 },
    ]);
    expect(() => lambdaDuration([{ functionName: 'g', durationMs: 1 }], { f: 512 })).toThrow(/no function g/);
  });

  it('scales per-channel jobs by channels and polls by organisations following NINA', () => {
    const state = PROFILES.find((profile) => profile.name === 'state')!;
    const events = monthlyEvents(state, { channelsPerMessage: 10, channels: 15 });
    expect(events['follower collection (day)']).toBeCloseTo((30 * 5500) / 15);
    expect(events['NINA poll']).toBe(30 * 24 * 60 * 500);
    expect(events['routine message']! + events['scheduled message']!).toBeCloseTo(2000 * 30 * 1.1);
  });

  it('counts one secret per channel and every alarm of the template as fixed cost', () => {
    const dresden = PROFILES[0]!;
    const fixed = fixedMonthly(dresden, {
      alarms: 124,
      dashboards: 1,
      kmsKeys: 0,
      secrets: 0,
      eventSourceMappings: 25,
      distributions: 1,
      pointInTimeRecovery: true,
      cognitoPlan: 'PLUS',
      secretsLayout: 'per-channel',
    });
    expect(fixed).toContainEqual({ meter: 'secretsmanager.secret-month', quantity: 15 });
    expect(fixed).toContainEqual({ meter: 'cloudwatch.alarm-month', quantity: 124 });
    expect(fixed).toContainEqual({ meter: 'cognito.plus-mau', quantity: dresden.monthlyActiveUsers });
    expect(() => price(fixed, prices)).not.toThrow();
  });

  it('counts one secret per organisation with herold:secrets "per-organisation"', () => {
    const state = PROFILES.find((profile) => profile.name === 'state')!;
    const template = {
      alarms: 70,
      dashboards: 1,
      kmsKeys: 0,
      secrets: 0,
      eventSourceMappings: 25,
      distributions: 1,
      pointInTimeRecovery: true,
      cognitoPlan: 'ESSENTIALS' as const,
      secretsLayout: 'per-organisation' as const,
    };
    const fixed = fixedMonthly(state, template);
    expect(fixed).toContainEqual({ meter: 'secretsmanager.secret-month', quantity: 500 });
    expect(fixed).toContainEqual({ meter: 'cognito.essentials-mau', quantity: 0 });
    // the credentials table: no secret per channel or organisation, only the template's own
    expect(fixedMonthly(state, { ...template, secrets: 2, secretsLayout: 'table' })).toContainEqual({
      meter: 'secretsmanager.secret-month',
      quantity: 2,
    });
  });

  it("reads a post's replies by the cadence: 60 times in its first hour, hourly after three days", () => {
    // first hour every minute, then 23 h every 5 min, 2 days every 15 min, 11 days hourly
    expect(pollsPerPost(false, 14)).toBe(60 + 23 * 12 + 2 * 24 * 4 + 11 * 24);
    // an emergency message's first day every minute
    expect(pollsPerPost(true, 14)).toBe(24 * 60 + 2 * 24 * 4 + 11 * 24);
    expect(pollsPerPost(false, 3)).toBe(60 + 23 * 12 + 2 * 24 * 4);
    const dresden = PROFILES[0]!;
    const { runs, polls } = monthlyReplyPolls(dresden, { channelsPerMessage: 10, postsPerMessage: 8 });
    expect(runs).toBe(30 * 24 * 60);
    expect(polls).toBeCloseTo(15 * 30 * 8 * pollsPerPost(false) + 4 * 8 * pollsPerPost(true));
  });

  it('sends one job per watched channel and minute with posts due, one more per 25 posts', () => {
    // 10 posts a day, 144 minutes apart: 600 minutes with a post in its first hour, 168 more every
    // 5 minutes; in the 24 hourly minutes 140 posts are due (6 jobs), in the 72 other quarter hours 30 (2)
    const tenADay = channelReplyJobs(10);
    expect(tenADay.readsPerDay).toBe(10 * pollsPerPost(false));
    expect(tenADay.jobsPerDay).toBe(600 + 168 + 24 * 5 + 72 * 1);
    // one emergency post adds its first day's every-minute reads, less the minutes read anyway
    expect(tenADay.jobsPerEmergencyPost).toBe(1440 - 600 - 168);
    const dresden = PROFILES[0]!;
    const { jobs, watchedChannels } = monthlyReplyPolls(dresden, { channelsPerMessage: 10, postsPerMessage: 8 });
    expect(watchedChannels).toBe(12);
    // 15 messages a day to 10 of 15 channels: 10 posts a day on each; 4 alerts: 8/3 emergency posts a month each
    expect(jobs).toBeCloseTo(12 * (30 * tenADay.jobsPerDay + (4 * 10 * tenADay.jobsPerEmergencyPost) / 15));
  });
});

describe('the meter', () => {
  it('subtracts overlapping intervals of its own work once', () => {
    expect(unionLength([])).toBe(0);
    expect(
      unionLength([
        [0, 10],
        [5, 12],
        [20, 25],
        [21, 22],
      ]),
    ).toBe(17);
  });
});

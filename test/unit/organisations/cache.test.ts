import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from '../../../shared/organisations/cache';
import {
  clearOrganisationCache,
  getOrganisation,
  isServedOrganisation,
  listOrganisations,
  ORGANISATION_CACHE_TTL_MS,
  organisationAlertPolicy,
  writeOrganisation,
  type Organisation,
} from '../../../shared/organisations/organisations';
import type { Store } from '../../../shared/store/client';

describe('TtlCache', () => {
  it('answers from memory until the lifetime ends, then loads again', async () => {
    let now = 0;
    const cache = new TtlCache<number>(1000, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    now = 999;
    expect(await cache.get('a', load)).toBe(1);
    now = 1000;
    expect(await cache.get('a', load)).toBe(2);
    cache.set('a', 7);
    expect(await cache.get('a', load)).toBe(7);
    cache.delete('a');
    expect(await cache.get('a', load)).toBe(3);
  });
});

/** A table of organisation items in memory that counts the reads it answers. */
function fakeStore(items: Organisation[]) {
  const table = new Map(items.map((item) => [item.org, item]));
  const reads = { get: 0, query: 0 };
  const send = vi.fn(async (command: unknown) => {
    if (command instanceof GetCommand) {
      reads.get += 1;
      const org = String(command.input.Key?.SK).replace(/^ORG#/, '');
      const item = table.get(org);
      return { Item: item ? { PK: 'ORGANISATIONS', SK: `ORG#${org}`, ...item } : undefined };
    }
    if (command instanceof QueryCommand) {
      reads.query += 1;
      return { Items: [...table.values()].map((item) => ({ PK: 'ORGANISATIONS', SK: `ORG#${item.org}`, ...item })) };
    }
    if (command instanceof TransactWriteCommand) {
      const put = command.input.TransactItems?.[0]?.Put?.Item as Organisation & { PK: string; SK: string };
      const { PK: _pk, SK: _sk, ...organisation } = put;
      table.set(organisation.org, organisation);
      return {};
    }
    throw new Error(`unexpected command ${String(command)}`);
  });
  const store = { doc: { send }, table: `cache-test-${Math.random()}` } as unknown as Store;
  return { store, reads, table };
}

const city: Organisation = {
  org: 'city',
  name: 'Landeshauptstadt Dresden',
  alertPolicy: { singlePersonSeverities: [], languages: ['de-DE'] },
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'herold',
};

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('the organisation cache of an instance', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    clearOrganisationCache();
  });
  afterEach(() => vi.useRealTimers());

  it('reads an organisation once per lifetime, however many requests ask', async () => {
    const { store, reads } = fakeStore([city]);
    for (let request = 0; request < 50; request += 1) expect(await isServedOrganisation(store, 'city')).toBe(true);
    expect(reads.get).toBe(1);
    advance(ORGANISATION_CACHE_TTL_MS - 1);
    await getOrganisation(store, 'city');
    expect(reads.get).toBe(1);
    advance(1);
    await getOrganisation(store, 'city');
    expect(reads.get).toBe(2);
  });

  it('remembers that an organisation does not exist, for the same lifetime', async () => {
    const { store, reads } = fakeStore([city]);
    expect(await isServedOrganisation(store, 'nachbarstadt')).toBe(false);
    expect(await isServedOrganisation(store, 'nachbarstadt')).toBe(false);
    expect(reads.get).toBe(1);
    expect(await organisationAlertPolicy(store, 'nachbarstadt')).toEqual({
      singlePersonSeverities: [],
      languages: ['de-DE'],
    });
  });

  it("sees another instance's change only when its entry expires", async () => {
    const { store, table } = fakeStore([city]);
    expect((await organisationAlertPolicy(store, 'city')).singlePersonSeverities).toEqual([]);
    // written by another instance, straight into the table
    table.set('city', {
      ...city,
      version: 2,
      alertPolicy: { singlePersonSeverities: ['Extreme'], languages: ['de-DE'] },
    });
    expect((await organisationAlertPolicy(store, 'city')).singlePersonSeverities).toEqual([]);
    advance(ORGANISATION_CACHE_TTL_MS);
    expect((await organisationAlertPolicy(store, 'city')).singlePersonSeverities).toEqual(['Extreme']);
  });

  it('sees its own change at once, in the organisation and in the list', async () => {
    const { store, reads } = fakeStore([city]);
    expect((await listOrganisations(store)).map((organisation) => organisation.version)).toEqual([1]);
    expect(await organisationAlertPolicy(store, 'city')).toEqual(city.alertPolicy);
    expect(reads.get).toBe(0); // the list filled the organisation's entry too

    await writeOrganisation(
      store,
      { sub: 'bernd' },
      'city',
      { name: city.name, alertPolicy: { singlePersonSeverities: ['Extreme'], languages: ['de-DE', 'en'] } },
      1,
    );
    const getsAfterWrite = reads.get;
    expect(await organisationAlertPolicy(store, 'city')).toEqual({
      singlePersonSeverities: ['Extreme'],
      languages: ['de-DE', 'en'],
    });
    expect(reads.get).toBe(getsAfterWrite);
    expect((await listOrganisations(store)).map((organisation) => organisation.version)).toEqual([2]);
    expect(reads.query).toBe(2);
  });
});

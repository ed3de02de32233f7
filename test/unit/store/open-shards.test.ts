/** The OPEN index's shard of a delivery: fixed, stable and spread evenly. */
import { describe, expect, it } from 'vitest';
import { fnv1a32, keys, OPEN_SHARDS, openDeliveryShards, openShard } from '../../../shared/store/keys';

describe('the OPEN index shards', () => {
  it('are OPEN#0 … OPEN#15, every one a key the deliveries use', () => {
    expect(OPEN_SHARDS).toBe(16);
    expect(openDeliveryShards()).toEqual(Array.from({ length: 16 }, (_, n) => `OPEN#${n}`));
    const used = new Set(Array.from({ length: 200 }, (_, n) => keys.openDeliveries('M1', `channel-${n}`)));
    expect([...used].sort()).toEqual([...openDeliveryShards()].sort());
  });

  it('gives a delivery the same shard every time, from its message and channel', () => {
    expect(openShard('01JABCDEF', 'city-mastodon')).toBe(openShard('01JABCDEF', 'city-mastodon'));
    expect(keys.openDeliveries('01JABCDEF', 'city-mastodon')).toBe(`OPEN#${openShard('01JABCDEF', 'city-mastodon')}`);
    expect(openShard('foo', 'bar')).toBe(fnv1a32('foo#bar') % 16);
  });

  it('hashes with FNV-1a as published (the reference test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('spreads a state-wide alert to 5,500 channels evenly: no shard takes more than 1.25 × its share', () => {
    const counts = new Array<number>(OPEN_SHARDS).fill(0);
    for (let n = 0; n < 5500; n += 1) counts[openShard('01JSTATEWIDE', `ch-${n}`)]! += 1;
    expect(Math.max(...counts)).toBeLessThanOrEqual((5500 / OPEN_SHARDS) * 1.25);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual((5500 / OPEN_SHARDS) * 0.75);
  });
});

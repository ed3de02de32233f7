/** A big message's delivery partitions: only above 100 channels, fixed per channel, spread evenly. */
import { describe, expect, it } from 'vitest';
import {
  DELIVERIES_PER_PARTITION,
  deliveryPartitionsFor,
  keys,
  messageDeliveryPartitions,
} from '../../../shared/store/keys';

describe('the delivery partitions of a message', () => {
  it('are its own partition up to 100 channels, and one more per 100 channels above that', () => {
    expect(DELIVERIES_PER_PARTITION).toBe(100);
    expect([1, 10, 98, 100].map(deliveryPartitionsFor)).toEqual([undefined, undefined, undefined, undefined]);
    expect([101, 200, 201, 5500].map(deliveryPartitionsFor)).toEqual([2, 2, 3, 55]);
    expect(keys.delivery('M1', 'city-x')).toEqual({ PK: 'MSG#M1', SK: 'DLV#city-x' });
    expect(messageDeliveryPartitions('M1')).toEqual(['MSG#M1']);
    expect(messageDeliveryPartitions('M1', 3)).toEqual(['MSG#M1#0', 'MSG#M1#1', 'MSG#M1#2']);
  });

  it('give a delivery the same partition every time, one of its message’s', () => {
    const { PK } = keys.delivery('M1', 'city-x', 55);
    expect(keys.delivery('M1', 'city-x', 55).PK).toBe(PK);
    expect(messageDeliveryPartitions('M1', 55)).toContain(PK);
  });

  it('spread a state-wide alert to 5,500 channels over 55 partitions: none takes more than 1.5 × its share', () => {
    const partitions = deliveryPartitionsFor(5500)!;
    const counts = new Map<string, number>();
    for (let n = 0; n < 5500; n += 1) {
      const { PK } = keys.delivery('01JSTATEWIDE', `org-${n % 500}-channel-${n}`, partitions);
      counts.set(PK, (counts.get(PK) ?? 0) + 1);
    }
    expect(counts.size).toBe(partitions);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(100 * 1.5);
  });
});

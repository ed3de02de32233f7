import { describe, expect, it } from 'vitest';
import { overallState, type SummarisedMessage } from '../../../web/src/lib/message-status';

const outcome = (parts: Partial<SummarisedMessage['outcome']>): SummarisedMessage['outcome'] => ({
  published: [],
  failed: [],
  handoff: [],
  skipped: [],
  underWay: [],
  waiting: [],
  ...parts,
});

describe('the overall state of a message', () => {
  it('is never one green tick over a failure: partly published, naming the failed channels', () => {
    expect(
      overallState({
        status: 'needs-attention',
        outcome: outcome({ published: ['city-threads'], failed: ['city-mastodon'] }),
      }),
    ).toEqual({ key: 'partlyPublished', channels: ['city-mastodon'] });
    expect(overallState({ status: 'needs-attention', outcome: outcome({ failed: ['city-mastodon'] }) })).toEqual({
      key: 'failed',
      channels: ['city-mastodon'],
    });
  });

  it('waits for a hand-off only once nothing is under way any more', () => {
    const handoff = outcome({ published: ['city-threads'], handoff: ['city-whatsapp'] });
    expect(overallState({ status: 'needs-attention', outcome: handoff }).key).toBe('handoff');
    expect(overallState({ status: 'in-progress', outcome: { ...handoff, underWay: ['city-x'] } }).key).toBe(
      'inProgress',
    );
  });

  it('says published with the number of channels, and tells scheduled, held, approval and cancelled apart', () => {
    expect(overallState({ status: 'complete', outcome: outcome({ published: ['a', 'b'], skipped: ['c'] }) })).toEqual({
      key: 'published',
      channels: ['a', 'b'],
      skipped: 1,
    });
    expect(overallState({ state: 'SCHEDULED', status: 'in-progress', outcome: outcome({}) }).key).toBe('scheduled');
    expect(overallState({ state: 'HELD', status: 'in-progress', outcome: outcome({}) }).key).toBe('held');
    expect(overallState({ status: 'awaiting-approval', outcome: outcome({}) }).key).toBe('awaitingApproval');
    expect(overallState({ state: 'CANCELLED', status: 'cancelled', outcome: outcome({}) }).key).toBe('cancelled');
    expect(overallState({ status: 'complete', outcome: outcome({ skipped: ['a'] }) }).key).toBe('skipped');
  });
});

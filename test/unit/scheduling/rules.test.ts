import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../shared/api/problem';
import type { Channel, Delivery } from '../../../shared/model/schemas';
import { holdIsOn, holdReason, isRoutine } from '../../../shared/scheduling/crisis';
import { waitingDeliveries } from '../../../shared/scheduling/defer';
import { readyToGo } from '../../../shared/scheduling/dispatch';

const delivery = (
  channelId: string,
  platform: Delivery['platform'],
  state: Delivery['state'],
  reason?: string,
): Delivery => ({
  messageId: '01JTEST',
  channelId,
  org: 'city',
  platform,
  priority: 'normal',
  state,
  renderedText: 'Museumsnacht',
  ...(reason ? { reason } : {}),
  attempts: 0,
  createdAt: '2027-03-20T10:00:00.000Z',
  updatedAt: '2027-03-20T10:00:00.000Z',
  version: 0,
});

const channel = (
  id: string,
  platform: Channel['platform'],
  state: Channel['state'] = 'active',
  stateReason?: string,
): Channel => ({
  id,
  org: 'city',
  platform,
  handle: `@${id}`,
  state,
  account: id,
  credentialsRef: `local:${id}`,
  ...(stateReason ? { stateReason } : {}),
});

describe('what a hold keeps back', () => {
  it('holds normal posts and updates only', () => {
    expect(isRoutine({ priority: 'normal', kind: 'post' })).toBe(true);
    expect(isRoutine({ priority: 'normal', kind: 'update' })).toBe(true);
    expect(isRoutine({ priority: 'emergency', kind: 'post' })).toBe(false);
    expect(isRoutine({ priority: 'normal', kind: 'alert' })).toBe(false);
    expect(isRoutine({ priority: 'normal', kind: 'all-clear' })).toBe(false);
    expect(isRoutine({ priority: 'normal', kind: 'cancel' })).toBe(false);
  });

  it('is on while switched on by hand or while an emergency runs, and says why', () => {
    expect(holdIsOn({ org: 'city', emergencyIds: [] })).toBe(false);
    expect(holdIsOn({ org: 'city', emergencyIds: ['01JALERT'] })).toBe(true);
    const manual = {
      org: 'city',
      emergencyIds: [],
      manual: { by: 'boss', since: '2027-03-20T10:00:00.000Z', reason: 'Hochwasser' },
    };
    expect(holdIsOn(manual)).toBe(true);
    expect(holdReason(manual)).toBe('crisis hold of city switched on by boss: Hochwasser');
    expect(holdReason({ org: 'fire-brigade', emergencyIds: ['01JALERT'] })).toBe(
      'emergency of fire-brigade in progress (message 01JALERT)',
    );
  });
});

describe('deliveries of a waiting message', () => {
  it('wait instead of being queued or handed off; skipped ones stay skipped', () => {
    const planned = [
      delivery('m', 'mastodon', 'PENDING'),
      delivery('w', 'whatsapp', 'HANDOFF', 'post by hand'),
      delivery('y', 'youtube', 'SKIPPED', 'needs a video'),
    ];
    expect(waitingDeliveries(planned, 'SCHEDULED').map((item) => item.state)).toEqual([
      'SCHEDULED',
      'SCHEDULED',
      'SKIPPED',
    ]);
    expect(waitingDeliveries(planned, 'HELD').map((item) => item.state)).toEqual(['HELD', 'HELD', 'SKIPPED']);
  });

  it('are limited to what one transaction can move', () => {
    const many = Array.from({ length: 98 }, (_, index) => delivery(`c${index}`, 'mastodon', 'PENDING'));
    expect(() => waitingDeliveries(many, 'SCHEDULED')).toThrow(ProblemError);
    expect(waitingDeliveries(many.slice(0, 97), 'SCHEDULED')).toHaveLength(97);
  });

  it('go out by the channel as it is at dispatch time', () => {
    expect(readyToGo(delivery('m', 'mastodon', 'SCHEDULED'), channel('m', 'mastodon'))).toMatchObject({
      state: 'PENDING',
      renderedText: 'Museumsnacht',
    });
    expect(readyToGo(delivery('w', 'whatsapp', 'HELD', 'post by hand'), channel('w', 'whatsapp'))).toMatchObject({
      state: 'HANDOFF',
      reason: 'post by hand',
    });
    expect(
      readyToGo(delivery('m', 'mastodon', 'SCHEDULED'), channel('m', 'mastodon', 'frozen', 'token revoked')),
    ).toMatchObject({ state: 'SKIPPED', reason: 'channel is frozen: token revoked' });
    expect(readyToGo(delivery('m', 'mastodon', 'SCHEDULED'), channel('m', 'mastodon', 'retired'))).toMatchObject({
      state: 'SKIPPED',
      reason: 'channel is retired',
    });
    expect(readyToGo(delivery('m', 'mastodon', 'SCHEDULED'), undefined)).toMatchObject({
      state: 'SKIPPED',
      reason: 'the channel no longer exists',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../../../web/src/features/compose/schedule';

const now = new Date('2027-03-20T12:00:00Z');

describe("the composer's reading of a scheduled time (Europe/Berlin)", () => {
  it('takes a normal local time with its offset, as the API will', () => {
    expect(checkSchedule('2027-03-22T09:30', 'Europe/Berlin', undefined, now)).toMatchObject({
      ok: true,
      scheduledAt: '2027-03-22T09:30:00+01:00',
    });
  });

  it('refuses a time the clocks skip and suggests the first one after it', () => {
    expect(checkSchedule('2027-03-28T02:30', 'Europe/Berlin', undefined, now)).toEqual({
      ok: false,
      code: 'gap',
      suggestion: '2027-03-28T03:30:00+02:00',
    });
  });

  it('asks which of the two times the clocks repeat, and takes the chosen one', () => {
    const autumn = new Date('2027-10-20T12:00:00Z');
    expect(checkSchedule('2027-10-31T02:30', 'Europe/Berlin', undefined, autumn)).toMatchObject({
      ok: false,
      code: 'repeated',
    });
    expect(checkSchedule('2027-10-31T02:30', 'Europe/Berlin', 'second', autumn)).toMatchObject({
      ok: true,
      scheduledAt: '2027-10-31T02:30:00+01:00',
    });
  });

  it('refuses the past, a year ahead, and what is not a date', () => {
    expect(checkSchedule('2027-03-19T09:00', 'Europe/Berlin', undefined, now)).toMatchObject({ code: 'past' });
    expect(checkSchedule('2028-03-25T09:00', 'Europe/Berlin', undefined, now)).toMatchObject({ code: 'too-far' });
    expect(checkSchedule('morgen', 'Europe/Berlin', undefined, now)).toMatchObject({ code: 'invalid' });
    expect(checkSchedule('', 'Europe/Berlin', undefined, now)).toMatchObject({ code: 'missing' });
  });
});

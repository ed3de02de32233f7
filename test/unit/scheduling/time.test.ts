import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../shared/api/problem';
import {
  atExpression,
  formatInZone,
  instantsForWallTime,
  offsetAt,
  parseScheduledAt,
} from '../../../shared/scheduling/time';

const now = new Date('2027-01-10T12:00:00Z');
const context = { now, orgTimeZone: 'Europe/Berlin' };
const parse = (scheduledAt: string, timeZone?: string) =>
  parseScheduledAt({ scheduledAt, ...(timeZone ? { timeZone } : {}) }, context).toISOString();

function refusal(scheduledAt: string, timeZone?: string): { field: string; message: string } {
  let caught: unknown;
  try {
    parseScheduledAt({ scheduledAt, ...(timeZone ? { timeZone } : {}) }, context);
  } catch (error) {
    caught = error;
  }
  expect(caught, `${scheduledAt} was accepted`).toBeInstanceOf(ProblemError);
  const problem = caught as ProblemError;
  expect(problem.status).toBe(422);
  const [first] = problem.errors ?? [];
  expect(first, 'a refusal names its field').toBeDefined();
  return first as { field: string; message: string };
}

describe('offsets and instants', () => {
  it('knows Berlin winter and summer time, and New York', () => {
    expect(offsetAt(Date.parse('2027-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3_600_000);
    expect(offsetAt(Date.parse('2027-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(7_200_000);
    expect(offsetAt(Date.parse('2027-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
  });

  it('finds no instant in the spring gap and two in the autumn overlap', () => {
    expect(instantsForWallTime(Date.UTC(2027, 2, 28, 2, 30), 'Europe/Berlin')).toEqual([]);
    expect(instantsForWallTime(Date.UTC(2027, 9, 31, 2, 30), 'Europe/Berlin')).toEqual([
      Date.parse('2027-10-31T00:30:00Z'),
      Date.parse('2027-10-31T01:30:00Z'),
    ]);
    expect(instantsForWallTime(Date.UTC(2027, 9, 31, 3, 30), 'Europe/Berlin')).toEqual([
      Date.parse('2027-10-31T02:30:00Z'),
    ]);
  });

  it('shows an instant in a zone with the offset in force then', () => {
    expect(formatInZone(new Date('2027-03-28T00:59:59Z'), 'Europe/Berlin')).toBe('2027-03-28T01:59:59+01:00');
    expect(formatInZone(new Date('2027-03-28T01:00:00Z'), 'Europe/Berlin')).toBe('2027-03-28T03:00:00+02:00');
    expect(formatInZone(new Date('2027-06-01T03:30:00Z'), 'Asia/Kolkata')).toBe('2027-06-01T09:00:00+05:30');
    expect(formatInZone(new Date('2027-06-01T12:00:00Z'), 'UTC')).toBe('2027-06-01T12:00:00+00:00');
  });

  it('writes EventBridge at() expressions in UTC to the second', () => {
    expect(atExpression(new Date('2027-05-01T07:30:05Z'))).toBe('at(2027-05-01T07:30:05)');
  });
});

describe('parseScheduledAt: accepted', () => {
  it('takes an offset or Z', () => {
    expect(parse('2027-05-01T09:30:00+02:00')).toBe('2027-05-01T07:30:00.000Z');
    expect(parse('2027-05-01T09:30Z')).toBe('2027-05-01T09:30:00.000Z');
    expect(parse('2027-05-01T09:30:00-04:00')).toBe('2027-05-01T13:30:00.000Z');
    expect(parse('2027-05-01T09:30:00+05:45')).toBe('2027-05-01T03:45:00.000Z');
  });

  it('takes a local time with an IANA zone', () => {
    expect(parse('2027-05-01T09:30', 'Europe/Berlin')).toBe('2027-05-01T07:30:00.000Z');
    expect(parse('2027-01-20T09:30', 'Europe/Berlin')).toBe('2027-01-20T08:30:00.000Z');
    expect(parse('2027-06-01T09:00', 'America/New_York')).toBe('2027-06-01T13:00:00.000Z');
    expect(parse('2027-06-01T09:00', 'Asia/Kolkata')).toBe('2027-06-01T03:30:00.000Z');
    expect(parse('2027-06-01T09:00', 'Australia/Lord_Howe')).toBe('2027-05-31T22:30:00.000Z');
  });

  it('takes the last second before and the first after the spring gap', () => {
    expect(parse('2027-03-28T01:59:59', 'Europe/Berlin')).toBe('2027-03-28T00:59:59.000Z');
    expect(parse('2027-03-28T03:00', 'Europe/Berlin')).toBe('2027-03-28T01:00:00.000Z');
  });

  it('lets the offset decide an autumn time that happens twice', () => {
    expect(parse('2027-10-31T02:30+02:00', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
    expect(parse('2027-10-31T02:30+01:00', 'Europe/Berlin')).toBe('2027-10-31T01:30:00.000Z');
    expect(parse('2027-10-31T02:30+01:00')).toBe('2027-10-31T01:30:00.000Z');
  });

  it('takes the leap day of a leap year', () => {
    const leapContext = { now: new Date('2027-06-01T00:00:00Z'), orgTimeZone: 'Europe/Berlin' };
    expect(
      parseScheduledAt({ scheduledAt: '2028-02-29T12:00', timeZone: 'Europe/Berlin' }, leapContext).toISOString(),
    ).toBe('2028-02-29T11:00:00.000Z');
  });

  it('rounds fractional seconds up, never earlier than asked', () => {
    expect(parse('2027-06-01T09:00:00.001Z')).toBe('2027-06-01T09:00:01.000Z');
    expect(parse('2027-06-01T09:00:00.000Z')).toBe('2027-06-01T09:00:00.000Z');
  });

  it('takes a time up to a minute in the past and exactly one year ahead', () => {
    expect(parse('2027-01-10T11:59:00Z')).toBe('2027-01-10T11:59:00.000Z');
    expect(parse('2028-01-10T12:00:00Z')).toBe('2028-01-10T12:00:00.000Z');
  });
});

describe('parseScheduledAt: refused with the field and what to send instead', () => {
  it('refuses a local time in the spring-forward gap and names a time that exists', () => {
    const { field, message } = refusal('2027-03-28T02:30', 'Europe/Berlin');
    expect(field).toBe('scheduledAt');
    expect(message).toContain('does not exist in Europe/Berlin');
    expect(message).toContain('2027-03-28T03:30:00+02:00');
  });

  it('refuses an autumn local time without offset and offers both', () => {
    const { field, message } = refusal('2027-10-31T02:30', 'Europe/Berlin');
    expect(field).toBe('scheduledAt');
    expect(message).toContain('happens twice');
    expect(message).toContain('2027-10-31T02:30:00+02:00');
    expect(message).toContain('2027-10-31T02:30:00+01:00');
  });

  it('refuses an offset the zone does not use at that time', () => {
    expect(refusal('2027-07-01T12:00+01:00', 'Europe/Berlin').message).toContain('Europe/Berlin is at +02:00');
  });

  it('refuses a time without offset or zone, suggesting both', () => {
    const { field, message } = refusal('2027-05-01T09:30');
    expect(field).toBe('scheduledAt');
    expect(message).toContain('no offset and no time zone');
    expect(message).toContain('"2027-05-01T09:30+02:00"');
    expect(message).toContain('"timeZone": "Europe/Berlin"');
  });

  it('refuses what is not a date', () => {
    expect(refusal('tomorrow morning').message).toContain('not an ISO 8601 date-time');
    expect(refusal('2027-02-29T12:00Z').message).toContain('has no day 29');
    expect(refusal('2027-13-01T12:00Z').message).toContain('no month 13');
    expect(refusal('2027-04-31T12:00Z').message).toContain('has no day 31');
    expect(refusal('2027-05-01T24:00Z').message).toContain('not a time of day');
    expect(refusal('2027-05-01T12:00+15:00').message).toContain('not a UTC offset');
    expect(refusal('2027-05-01').message).toContain('needs a time of day');
  });

  it('refuses an unknown zone on the timeZone field', () => {
    expect(refusal('2027-05-01T09:30', 'Europe/Dresden').field).toBe('timeZone');
  });

  it('refuses more than a minute in the past and more than a year ahead', () => {
    expect(refusal('2027-01-10T11:58:59Z').message).toContain('in the past');
    expect(refusal('2028-01-10T12:00:01Z').message).toContain('more than a year ahead');
    expect(refusal('2026-12-31T23:00', 'Europe/Berlin').message).toContain('in the past');
  });
});

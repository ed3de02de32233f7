import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readHeroldConfig } from '../../infra/config';

const configFrom = (context: Record<string, unknown>) => readHeroldConfig(new App({ context }).node);

describe('Herold context', () => {
  it('falls back to the documented defaults', () => {
    expect(configFrom({})).toEqual({
      jwtIssuer: '',
      jwtAudience: ['herold'],
      alarmEmail: '',
      followerCollection: { hour: 5, minute: 0, timeZone: 'Europe/Berlin' },
      tokenHealth: { hour: 4, minute: 0, timeZone: 'Europe/Berlin' },
      kmsKey: false,
      ninaFeed: false,
      alertPolicy: {},
      apiThrottle: { rateLimit: 20, burstLimit: 40 },
      queueConcurrency: { normal: 2, urgent: 10 },
      logRetentionDays: 90,
      appSecrets: {},
    });
  });

  it('reads values given on the command line, which arrive as strings', () => {
    const config = configFrom({
      'herold:kmsKey': 'true',
      'herold:ninaFeed': 'false',
      'herold:queueConcurrency': '{"normal":3,"urgent":20}',
      'herold:logRetentionDays': '30',
      'herold:jwtAudience': '["a","b"]',
      'herold:alertPolicy': '{"fire-brigade":{"singlePersonSeverities":["Extreme"],"ninaArs":"146120000000"}}',
    });
    expect(config).toMatchObject({
      kmsKey: true,
      ninaFeed: false,
      queueConcurrency: { normal: 3, urgent: 20 },
      logRetentionDays: 30,
      jwtAudience: ['a', 'b'],
    });
    expect(config.alertPolicy).toEqual({
      'fire-brigade': { singlePersonSeverities: ['Extreme'], languages: ['de-DE'], ninaArs: '146120000000' },
    });
  });

  it.each([
    [{ 'herold:queueConcurrency': { normal: 10, urgent: 10 } }, 'herold:queueConcurrency: normal must be below urgent'],
    [{ 'herold:queueConcurrency': { normal: 1, urgent: 10 } }, 'herold:queueConcurrency.normal'],
    [
      { 'herold:followerCollection': { hour: 5, minute: 0, timeZone: 'Europe/Dresden' } },
      'herold:followerCollection.timeZone: not an IANA time zone',
    ],
    [
      { 'herold:followerCollection': { hour: 24, minute: 0, timeZone: 'Europe/Berlin' } },
      'herold:followerCollection.hour',
    ],
    [{ 'herold:alarmEmail': 'not-an-address' }, 'herold:alarmEmail'],
    [{ 'herold:logRetentionDays': 42 }, 'herold:logRetentionDays'],
    [
      { 'herold:alertPolicy': { city: { singlePersonSeverities: ['Huge'] } } },
      'herold:alertPolicy.city.singlePersonSeverities',
    ],
    [{ 'herold:kmsKey': 'yes' }, 'herold:kmsKey'],
  ])('refuses %j, naming the key', (context, message) => {
    expect(() => configFrom(context)).toThrow(message);
  });
});

import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { laneConcurrency, readHeroldConfig } from '../../infra/config';
import { PLATFORM_IDS } from '../../shared/platforms/registry';

const configFrom = (context: Record<string, unknown>) => readHeroldConfig(new App({ context }).node);

describe('Herold context', () => {
  it('falls back to the documented defaults', () => {
    expect(configFrom({})).toEqual({
      stage: '',
      jwtIssuer: '',
      jwtAudience: ['herold'],
      alarmEmail: '',
      alarms: 'full',
      secrets: 'per-channel',
      cognitoPlan: 'plus',
      platforms: [...PLATFORM_IDS],
      followerCollection: { hour: 5, minute: 0, timeZone: 'Europe/Berlin' },
      tokenHealth: { hour: 4, minute: 0, timeZone: 'Europe/Berlin' },
      kmsKey: false,
      ninaFeed: false,
      apiThrottle: { rateLimit: 20, burstLimit: 40 },
      queueConcurrency: { normal: 2, urgent: 10, platforms: {} },
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
      'herold:stage': 'staging',
    });
    expect(config).toMatchObject({
      kmsKey: true,
      ninaFeed: false,
      queueConcurrency: { normal: 3, urgent: 20 },
      logRetentionDays: 30,
      jwtAudience: ['a', 'b'],
      stage: 'staging',
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
    [{ 'herold:kmsKey': 'yes' }, 'herold:kmsKey'],
    [{ 'herold:alarmEmail': 'leitstelle@' }, 'herold:alarmEmail: Invalid email address'],
    // the organisations and their policy are items in the table now: an old context says where they went
    [
      { 'herold:alertPolicy': { police: { singlePersonSeverities: ['Extreme'] } } },
      'herold:alertPolicy: organisations and their emergency policy are items in the table now',
    ],
    [
      { 'herold:queueConcurrency': { normal: 2, urgent: 10, platforms: { tiktok: { normal: 2, urgent: 3 } } } },
      'herold:queueConcurrency.platforms: Unrecognized key: "tiktok"',
    ],
    [
      { 'herold:queueConcurrency': '{"normal":2,"urgent":10,"platforms":{"x":{"normal":3,"urgent":3}}}' },
      'herold:queueConcurrency.platforms.x: normal must be below urgent',
    ],
    [{ 'herold:stage': 'Test' }, 'herold:stage: a stage is 1 to 20 lower-case letters'],
    [{ 'herold:stage': '1st' }, 'herold:stage: a stage is'],
    [{ 'herold:stage': 'blue_green' }, 'herold:stage: a stage is'],
    [{ 'herold:stage': 'staging-' }, 'herold:stage: a stage is'],
    [{ 'herold:stage': 'a-stage-name-too-long' }, 'herold:stage: a stage is'],
    [{ 'herold:jwtIssuer': 'http://login.dresden.example/realms/herold' }, 'herold:jwtIssuer: an https URL'],
    [{ 'herold:jwtIssuer': 'login.dresden.example' }, 'herold:jwtIssuer: an https URL'],
    [{ 'herold:organisations': ['city'] }, 'herold:organisations: organisations and their emergency policy are items'],
    [{ 'herold:alarmEmial': 'ops@dresden.example' }, 'herold:alarmEmial: not a Herold setting'],
  ])('refuses %j, naming the key', (context, message) => {
    expect(() => configFrom(context)).toThrow(message);
  });

  it('takes a platform’s own lane concurrency over the default', () => {
    const config = configFrom({
      'herold:queueConcurrency': { normal: 2, urgent: 10, platforms: { x: { normal: 2, urgent: 3 } } },
    });
    expect(laneConcurrency(config, 'x')).toEqual({ normal: 2, urgent: 3 });
    expect(laneConcurrency(config, 'threads')).toEqual({ normal: 2, urgent: 10 });
  });
});

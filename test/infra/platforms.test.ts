/**
 * herold:platforms (docs/COST.md "Cheaper designs"): only the listed platforms get a lane and
 * everything derived from it; the functions learn the list from HEROLD_QUEUES.
 */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DRESDEN_PLATFORMS } from '../../bench/cost/model';
import { readHeroldConfig } from '../../infra/config';
import { PLATFORM_IDS, PLATFORMS, type PlatformId } from '../../shared/platforms/registry';
import { resourcesOf, synthHerold } from './synth';

const ABSENT = ['mastodon', 'bluesky', 'telegram'] as const;

type Template = ReturnType<typeof synthHerold>['template'];
const count = (template: Template, type: string) => resourcesOf(template, type).length;
const functionNames = (template: Template) =>
  resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) => String(fn.Properties?.FunctionName));
const queueNamesOf = (template: Template) =>
  resourcesOf(template, 'AWS::SQS::Queue').map(([, queue]) => String(queue.Properties?.QueueName));
const alarmNames = (template: Template) =>
  resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => String(alarm.Properties?.AlarmName));
const routeKeys = (template: Template) =>
  resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => String(route.Properties?.RouteKey));
const queuesVariable = (template: Template) =>
  resourcesOf(template, 'AWS::Lambda::Function')
    .map(([, fn]) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables)
    .map((variables) => variables?.HEROLD_QUEUES)
    .filter((value) => value !== undefined);
/** The platforms a HEROLD_QUEUES value names (a Fn::Join of the queue map's JSON) */
const platformsIn = (value: unknown) =>
  PLATFORM_IDS.filter((id) => JSON.stringify(value).includes(`\\"${id}\\":{\\"normal\\"`));

// synthesized once, outside the tests: each synth takes several seconds on a busy machine
const all = synthHerold().template;
const dresden = synthHerold({ 'herold:platforms': DRESDEN_PLATFORMS }).template;
// no Meta platform and none with an app of its own to sign in with
const telegramAndMastodon = synthHerold({ 'herold:platforms': ['telegram', 'mastodon'] }).template;

describe('herold:platforms', () => {
  it('defaults to every platform in registry order, keeps registry order, and names a wrong value', () => {
    const configFrom = (context: Record<string, unknown>) => readHeroldConfig(new App({ context }).node);
    expect(configFrom({}).platforms).toEqual([...PLATFORM_IDS]);
    expect(configFrom({ 'herold:platforms': '["x","threads"]' }).platforms).toEqual(['threads', 'x']);
    expect(() => configFrom({ 'herold:platforms': ['threads', 'tiktok'] })).toThrow(/herold:platforms\.1/);
    expect(() => configFrom({ 'herold:platforms': [] })).toThrow('herold:platforms: at least one platform');
    expect(() => configFrom({ 'herold:platforms': ['x', 'x'] })).toThrow('herold:platforms: each platform once');
  });

  it("builds Dresden's 8 lanes: 12 queues, 3 functions, 6 event source mappings and 27 alarms fewer", () => {
    expect([count(all, 'AWS::SQS::Queue'), count(dresden, 'AWS::SQS::Queue')]).toEqual([51, 39]);
    expect([count(all, 'AWS::Lambda::Function'), count(dresden, 'AWS::Lambda::Function')]).toEqual([25, 22]);
    expect([count(all, 'AWS::Lambda::EventSourceMapping'), count(dresden, 'AWS::Lambda::EventSourceMapping')]).toEqual([
      25, 19,
    ]);
    expect([count(all, 'AWS::CloudWatch::Alarm'), count(dresden, 'AWS::CloudWatch::Alarm')]).toEqual([130, 103]);
    // 9 alarms per lane: two DLQs, errors, throttles, emergency latency, auth, quota reserve, token expiry, stale followers
    expect(alarmNames(all).filter((name) => name.startsWith('Herold-mastodon-'))).toHaveLength(9);
  });

  it('leaves out everything of the absent platforms: queues, functions, alarms, widgets, secret grants', () => {
    const policies = JSON.stringify(resourcesOf(dresden, 'AWS::IAM::Policy'));
    const dashboard = JSON.stringify(resourcesOf(dresden, 'AWS::CloudWatch::Dashboard'));
    // each lane's section of the dashboard starts with the platform's name as a heading
    const hasSection = (platform: PlatformId) => dashboard.includes(`# ${PLATFORMS[platform].displayName}\\"`);
    for (const platform of ABSENT) {
      expect(functionNames(dresden)).not.toContain(`herold-publish-${platform}`);
      expect(queueNamesOf(dresden).filter((name) => name.startsWith(`herold-${platform}`))).toEqual([]);
      expect(alarmNames(dresden).filter((name) => name.startsWith(`Herold-${platform}-`))).toEqual([]);
      expect(policies.includes(`:secret:herold/${platform}/`), platform).toBe(false);
      expect(hasSection(platform), platform).toBe(false);
    }
    for (const platform of DRESDEN_PLATFORMS) {
      expect(functionNames(dresden)).toContain(`herold-publish-${platform}`);
      expect(alarmNames(dresden)).toContain(`Herold-${platform}-publisher-errors`);
      expect(policies.includes(`:secret:herold/${platform}/`), platform).toBe(true);
      expect(hasSection(platform), platform).toBe(true);
    }
  });

  it('tells every function the deployed platforms through HEROLD_QUEUES, the one list they act on', () => {
    const values = queuesVariable(dresden);
    expect(values.length).toBeGreaterThan(10);
    for (const value of values) expect(platformsIn(value)).toEqual(DRESDEN_PLATFORMS);
    for (const value of queuesVariable(all)) expect(platformsIn(value)).toEqual([...PLATFORM_IDS]);
  });

  it("creates a platform's webhook routes only where it is deployed", () => {
    expect(routeKeys(all)).toContain('POST /webhooks/telegram/{channel}');
    expect(routeKeys(dresden)).not.toContain('POST /webhooks/telegram/{channel}');
    expect(routeKeys(dresden)).toEqual(expect.arrayContaining(['POST /webhooks/meta', 'POST /webhooks/threads']));
    expect(routeKeys(telegramAndMastodon)).toContain('POST /webhooks/telegram/{channel}');
    expect(routeKeys(telegramAndMastodon).filter((key) => /webhooks\/(meta|threads)/.test(key))).toEqual([]);
    expect(routeKeys(all).length - routeKeys(dresden).length).toBe(1);
  });

  it("reads only the deployed platforms' app secrets", () => {
    const variablesOf = (template: Template, name: string) =>
      (
        resourcesOf(template, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties?.FunctionName === name)?.[1]
          .Properties?.Environment as { Variables: Record<string, unknown> }
      ).Variables;
    const appVariables = (template: Template, name: string) =>
      Object.keys(variablesOf(template, name)).filter((key) => key.endsWith('_APP_SECRET'));
    // the platforms Dresden leaves out sign in without an app of Herold's (Bluesky, Telegram) or register one per instance (Mastodon)
    expect(appVariables(dresden, 'herold-connect')).toEqual(appVariables(all, 'herold-connect'));
    expect(appVariables(dresden, 'herold-connect')).toHaveLength(7);
    // Telegram's bots and Mastodon's per-instance apps: the connect function reads no app secret at all
    expect(appVariables(telegramAndMastodon, 'herold-connect')).toEqual([]);
    expect(JSON.stringify(resourcesOf(telegramAndMastodon, 'AWS::IAM::Policy'))).not.toContain('PlatformAppSecrets');
    // nothing Meta signs for: the webhook function reads no Meta app secret
    expect(appVariables(telegramAndMastodon, 'herold-webhooks')).toEqual([]);
    expect(appVariables(dresden, 'herold-webhooks').length).toBe(2);
  });
});

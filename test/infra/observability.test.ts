import { describe, expect, it } from 'vitest';
import { platformList } from '../../shared/platforms/registry';
import { resourcesOf, referencedId, synthHerold } from './synth';

const { template } = synthHerold({ 'herold:alarmEmail': 'leitstelle@dresden.example' });
const platforms = platformList();
const alarms = new Map(
  resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
    String(alarm.Properties?.AlarmName),
    alarm.Properties ?? {},
  ]),
);
const [[topicId]] = resourcesOf(template, 'AWS::SNS::Topic') as [[string, unknown]];

type MetricQuery = {
  Id: string;
  Expression?: string;
  MetricStat?: {
    Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] };
    Stat: string;
    Period: number;
  };
};
const metricsOf = (name: string): MetricQuery[] => (alarms.get(name)?.Metrics as MetricQuery[] | undefined) ?? [];
const dimensionsOf = (query: MetricQuery | undefined) =>
  Object.fromEntries((query?.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));

describe('alarms', () => {
  it('sends every alarm to the one alarm topic, which mails the configured address', () => {
    expect(alarms.size).toBeGreaterThan(0);
    for (const [name, alarm] of alarms) expect(alarm.AlarmActions, name).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'leitstelle@dresden.example',
      TopicArn: { Ref: topicId },
    });
  });

  it('raises any message in either DLQ of every platform', () => {
    for (const platform of platforms) {
      for (const lane of ['urgent', 'normal']) {
        const name = `Herold-${platform.id}-${lane}-dlq-not-empty`;
        expect(alarms.get(name), name).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
        expect(metricsOf(name)[0]?.MetricStat?.Metric.MetricName).toBe('ApproximateNumberOfMessagesVisible');
      }
    }
    expect(alarms.get('Herold-dispatch-dlq-not-empty')).toMatchObject({ Threshold: 0 });
  });

  it('raises an emergency publish slower than 60 s per platform', () => {
    for (const platform of platforms) {
      const name = `Herold-${platform.id}-emergency-latency`;
      expect(alarms.get(name), name).toMatchObject({ Threshold: 60_000, ComparisonOperator: 'GreaterThanThreshold' });
      const [query] = metricsOf(name);
      expect(query?.MetricStat).toMatchObject({
        Stat: 'p100',
        Metric: { MetricName: 'PublishLatency', Namespace: 'Herold' },
      });
      expect(dimensionsOf(query)).toEqual({ platform: platform.id, priority: 'emergency', service: 'herold' });
    }
  });

  it('raises any auth failure per platform, whatever the priority', () => {
    for (const platform of platforms) {
      const name = `Herold-${platform.id}-auth-failures`;
      expect(alarms.get(name), name).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const inputs = metricsOf(name).filter((q) => q.MetricStat);
      expect(inputs.map((q) => q.MetricStat?.Metric.MetricName)).toEqual(['PublishOutcome', 'PublishOutcome']);
      expect(
        inputs.map((q) => dimensionsOf(q)).sort((a, b) => String(a.priority).localeCompare(String(b.priority))),
      ).toEqual([
        { class: 'auth', platform: platform.id, priority: 'emergency', service: 'herold' },
        { class: 'auth', platform: platform.id, priority: 'normal', service: 'herold' },
      ]);
    }
  });

  it('raises stale follower figures (48 h) and quota below the emergency reserve per platform', () => {
    for (const platform of platforms) {
      const stale = `Herold-${platform.id}-followers-stale`;
      expect(alarms.get(stale), stale).toMatchObject({
        Threshold: 48 * 3600,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(metricsOf(stale)[0]?.MetricStat?.Metric.MetricName).toBe('FollowerCollectionAge');
      const quota = `Herold-${platform.id}-quota-below-reserve`;
      expect(alarms.get(quota), quota).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(dimensionsOf(metricsOf(quota)[0])).toEqual({ platform: platform.id, service: 'herold' });
    }
  });

  it('raises a token that cannot be refreshed and expires within 7 days, per platform', () => {
    for (const platform of platforms) {
      const name = `Herold-${platform.id}-token-expiring`;
      expect(alarms.get(name), name).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(metricsOf(name)[0]?.MetricStat?.Metric.MetricName).toBe('TokenExpiringSoon');
      expect(dimensionsOf(metricsOf(name)[0])).toEqual({ platform: platform.id, service: 'herold' });
    }
  });

  it('raises errors and throttles of every function', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) =>
      String(fn.Properties?.FunctionName ?? '').startsWith('herold-'),
    );
    const monitored = new Set(
      [...alarms.entries()]
        .filter(([name]) => name.endsWith('-errors'))
        .map(([, alarm]) => referencedId(dimensionsOf((alarm.Metrics as MetricQuery[])[0]).FunctionName)),
    );
    expect(monitored).toEqual(new Set(functions.map(([id]) => id)));
    for (const platform of platforms) {
      expect(alarms.has(`Herold-${platform.id}-publisher-errors`)).toBe(true);
      expect(alarms.has(`Herold-${platform.id}-publisher-throttles`)).toBe(true);
    }
  });

  it('raises a reconciler that has not run for five minutes, counting silence as failure', () => {
    expect(alarms.get('Herold-reconciler-not-running')).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 1,
    });
    expect(metricsOf('Herold-reconciler-not-running')[0]?.MetricStat).toMatchObject({
      Period: 300,
      Metric: { MetricName: 'Invocations' },
    });
  });
});

describe("the essential alarms (herold:alarms 'essential', docs/COST.md)", () => {
  const essential = new Set(
    resourcesOf(synthHerold({ 'herold:alarms': 'essential' }).template, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      String(alarm.Properties?.AlarmName),
    ),
  );

  it('keeps every alarm that says a message is lost, late or cannot be published', () => {
    for (const name of alarms.keys()) {
      if (/-(dlq-not-empty|errors|not-running|emergency-latency|auth-failures)$/.test(name))
        expect(essential, name).toContain(name);
    }
    expect([...essential].filter((name) => name.endsWith('-dlq-not-empty')).length).toBe(
      [...alarms.keys()].filter((name) => name.endsWith('-dlq-not-empty')).length,
    );
  });

  it('leaves out the throttle, quota-reserve, token-expiry and stale-follower alarms, and nothing else', () => {
    const left = [...alarms.keys()].filter((name) => !essential.has(name));
    expect(left.length).toBeGreaterThan(0);
    for (const name of left) expect(name).toMatch(/-(throttles|quota-below-reserve|token-expiring|followers-stale)$/);
    expect([...essential].every((name) => alarms.has(name))).toBe(true);
  });
});

describe('dashboard', () => {
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
  // the dashboard JSON as CloudWatch receives it, with references left as placeholders
  const [, parts] = (dashboards[0]?.[1].Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const body = parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  const shows = (text: string) => expect(body.includes(text), text).toBe(true);

  it('is one dashboard, within CloudWatch’s limit of 500 widgets', () => {
    expect(dashboards).toHaveLength(1);
    const widgets = (JSON.parse(body) as { widgets: unknown[] }).widgets;
    expect(widgets.length).toBeGreaterThan(platforms.length * 10);
    expect(widgets.length).toBeLessThanOrEqual(500);
  });

  it('shows every platform’s queues, DLQs, publisher and publishing metrics', () => {
    for (const platform of platforms) {
      for (const text of [
        `${platform.displayName} urgent queue`,
        `${platform.displayName} normal queue`,
        `${platform.id}-publisher`,
        `${platform.displayName} publishing`,
      ]) {
        shows(text);
      }
      shows(`\\"platform\\"=\\"${platform.id}\\"`);
      shows(`"PublishLatency","platform","${platform.id}","priority","emergency"`);
    }
    for (const metric of [
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'DLQ: Message Count',
      'PublishOutcome',
      'FollowerCount',
      '"stat":"p99"',
      '"Throttles"',
    ]) {
      shows(metric);
    }
  });
});

import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthHerold } from './synth';

const findings = (context: Record<string, unknown>) => {
  const annotations = Annotations.fromStack(synthHerold(context).stack);
  const awsSolutions = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', awsSolutions), ...annotations.findWarning('*', awsSolutions)].map(
    (finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`,
  );
};

// synthesized once per variant, outside the tests: the checks walk every resource and take a while on a busy machine
const withDefaults = findings({});
const withOwnKeyAndIssuer = findings({
  'herold:kmsKey': true,
  'herold:jwtIssuer': 'https://id.dresden.example',
  'herold:alarmEmail': 'ops@dresden.example',
});
const withCheapSettings = findings({
  'herold:alarms': 'essential',
  'herold:secrets': 'per-organisation',
  'herold:cognitoPlan': 'essentials',
});

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged with the defaults (Cognito issuer, AWS-managed keys)', () => {
    expect(withDefaults).toEqual([]);
  });

  it('reports nothing unacknowledged with a customer-managed key, an external issuer and an alarm email', () => {
    expect(withOwnKeyAndIssuer).toEqual([]);
  });

  it('reports nothing unacknowledged with the cheaper settings of docs/COST.md', () => {
    expect(withCheapSettings).toEqual([]);
  });
});

import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DRESDEN_PLATFORMS } from '../../bench/cost/model';
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
  'herold:platforms': DRESDEN_PLATFORMS,
});
const withCredentialsTable = findings({ 'herold:secrets': 'table', 'herold:kmsKey': true });
// no platform that signs in with an app of Herold's, none that Meta signs webhooks for
const withoutApps = findings({ 'herold:platforms': ['telegram', 'mastodon'] });

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged with the defaults (Cognito issuer, AWS-managed keys)', () => {
    expect(withDefaults).toEqual([]);
  });

  it('reports nothing unacknowledged with a customer-managed key, an external issuer and an alarm email', () => {
    expect(withOwnKeyAndIssuer).toEqual([]);
  });

  it("reports nothing unacknowledged with the cheaper settings of docs/COST.md, Dresden's platforms only", () => {
    expect(withCheapSettings).toEqual([]);
  });

  it('reports nothing unacknowledged with the credentials table and a customer-managed key', () => {
    expect(withCredentialsTable).toEqual([]);
  });

  it('reports nothing unacknowledged with two platforms that need no app secret', () => {
    expect(withoutApps).toEqual([]);
  });
});

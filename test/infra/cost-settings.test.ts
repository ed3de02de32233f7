/**
 * The settings that trade a property for a lower monthly bill (docs/COST.md "Cheaper designs"):
 * where channel credentials are kept (herold:secrets) and the Cognito feature plan (herold:cognitoPlan).
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readHeroldConfig } from '../../infra/config';
import { platformList } from '../../shared/platforms/registry';
import { dailyCheckRenews } from '../../shared/tokens/policy';
import { referencedId, resourcesOf, synthHerold } from './synth';

type Statement = { Action: string | string[]; Resource: unknown };
const actionsOf = (statement: Statement) => [statement.Action].flat();

/** Every statement of the policies on a function's role. */
function statementsOf(template: ReturnType<typeof synthHerold>['template'], functionName: string): Statement[] {
  const fn = resourcesOf(template, 'AWS::Lambda::Function').find(
    ([, candidate]) => candidate.Properties?.FunctionName === functionName,
  )?.[1];
  const role = referencedId(fn?.Properties?.Role);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((r) => referencedId(r) === role))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every channel-secret name pattern a function's role may use `action` on (named app and webhook secrets left out). */
function secretGrants(template: ReturnType<typeof synthHerold>['template'], functionName: string, action: string) {
  return statementsOf(template, functionName)
    .filter((statement) => actionsOf(statement).includes(action))
    .map((statement) => JSON.stringify(statement.Resource).match(/:secret:([^"]*)"/)?.[1])
    .filter((name) => !name?.endsWith('-??????'));
}
const variablesOf = (template: ReturnType<typeof synthHerold>['template'], functionName: string) =>
  resourcesOf(template, 'AWS::Lambda::Function').find(
    ([, candidate]) => candidate.Properties?.FunctionName === functionName,
  )?.[1].Properties?.Environment as { Variables: Record<string, unknown> };

describe("herold:secrets: where channels' credentials are kept", () => {
  const perChannel = synthHerold().template;
  const perOrganisation = synthHerold({ 'herold:secrets': 'per-organisation' }).template;

  it("per channel (the default): a publisher reads only its own platform's channel secrets", () => {
    for (const platform of platformList()) {
      expect(secretGrants(perChannel, `herold-publish-${platform.id}`, 'secretsmanager:GetSecretValue')).toEqual([
        `herold/${platform.id}/*`,
      ]);
      expect(variablesOf(perChannel, `herold-publish-${platform.id}`).Variables).not.toHaveProperty('HEROLD_SECRETS');
    }
    expect(variablesOf(perChannel, 'herold-ingest').Variables).not.toHaveProperty('HEROLD_SECRETS');
  });

  it("per organisation: every publisher reads the organisations' secrets, only the renewing ones write them", () => {
    for (const platform of platformList()) {
      const name = `herold-publish-${platform.id}`;
      // its own platform's channel secrets stay readable: channels created before the setting keep them
      expect(secretGrants(perOrganisation, name, 'secretsmanager:GetSecretValue').sort()).toEqual(
        [`herold/${platform.id}/*`, 'herold/orgs/*'].sort(),
      );
      expect(secretGrants(perOrganisation, name, 'secretsmanager:PutSecretValue').sort(), platform.id).toEqual(
        // a publisher renews tokens on use, or in the daily check-token jobs (Threads)
        platform.publisherRenewsTokens || dailyCheckRenews(platform.id)
          ? [`herold/${platform.id}/*`, 'herold/orgs/*'].sort()
          : [],
      );
      // never more than reading and writing versions: creating and deleting stays with the connect function
      for (const action of ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret'])
        expect(secretGrants(perOrganisation, name, action)).toEqual([]);
    }
    // new channels get an entry in their organisation's secret: the API creates them
    expect(variablesOf(perOrganisation, 'herold-ingest').Variables.HEROLD_SECRETS).toBe('per-organisation');
    expect(variablesOf(perOrganisation, 'herold-connect').Variables.HEROLD_SECRETS).toBe('per-organisation');
    // the connect function creates them under the stack's prefix; the daily check only lists channels
    // (the platforms' functions renew, above), so it reads and writes no secret at all
    expect(secretGrants(perOrganisation, 'herold-connect', 'secretsmanager:CreateSecret')).toEqual(['herold/*']);
    expect(secretGrants(perOrganisation, 'herold-token-health', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(secretGrants(perOrganisation, 'herold-token-health', 'secretsmanager:PutSecretValue')).toEqual([]);
  });

  it("names a stage's own organisation secrets", () => {
    const staged = synthHerold({ 'herold:secrets': 'per-organisation', 'herold:stage': 'staging' }).template;
    expect(secretGrants(staged, 'herold-staging-publish-x', 'secretsmanager:GetSecretValue')).toContain(
      'herold-staging/orgs/*',
    );
  });

  it('accepts only the three layouts', () => {
    expect(() => readHeroldConfig(new App({ context: { 'herold:secrets': 'per-platform' } }).node)).toThrow(
      /herold:secrets/,
    );
  });
});

describe('herold:secrets "table": channel credentials as items of a table of their own', () => {
  const { stack, template } = synthHerold({ 'herold:secrets': 'table' });
  const credentialsTableId = stack.getLogicalId(stack.credentialsTable!.node.defaultChild as CfnElement);
  /** the statements of a function's role that name the credentials table */
  const tableStatements = (functionName: string) =>
    statementsOf(template, functionName)
      .filter((statement) => JSON.stringify(statement.Resource).includes(credentialsTableId))
      .map((statement) => ({
        actions: actionsOf(statement).sort(),
        conditions: (statement as { Condition?: unknown }).Condition,
      }));

  it('is a table apart, recoverable and kept, encrypted as the Herold table is', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'ref', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
    // with a customer-managed key, the Herold table's key
    synthHerold({ 'herold:secrets': 'table', 'herold:kmsKey': true }).template.allResourcesProperties(
      'AWS::DynamoDB::Table',
      { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() } },
    );
    // operators find it by the stack's output; the default deployment has none
    template.hasOutput('CredentialsTableName', { Value: { Ref: credentialsTableId } });
    synthHerold().template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it("lets each publisher read only its own platform's items, and write them only where it renews tokens", () => {
    for (const platform of platformList()) {
      const renews = platform.publisherRenewsTokens === true || dailyCheckRenews(platform.id);
      expect(tableStatements(`herold-publish-${platform.id}`), platform.id).toEqual([
        {
          actions: renews ? ['dynamodb:GetItem', 'dynamodb:PutItem'] : ['dynamodb:GetItem'],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${platform.id}/*`] } },
        },
      ]);
      expect(variablesOf(template, `herold-publish-${platform.id}`).Variables.HEROLD_CREDENTIALS_TABLE).toEqual({
        Ref: credentialsTableId,
      });
    }
  });

  it('lets the connect function write and delete every channel, and no other function touch the table', () => {
    expect(tableStatements('herold-connect')).toEqual([
      { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'], conditions: undefined },
    ]);
    const others = resourcesOf(template, 'AWS::Lambda::Function')
      .map(([, fn]) => fn.Properties?.FunctionName)
      .filter((name): name is string => typeof name === 'string')
      .filter((name) => name !== 'herold-connect' && !name.startsWith('herold-publish-'));
    for (const name of others) expect(tableStatements(name), name).toEqual([]);
    // new channels get an item of the table: the API names it where it creates them
    expect(variablesOf(template, 'herold-ingest').Variables.HEROLD_SECRETS).toBe('table');
  });
});

describe('herold:cognitoPlan', () => {
  it('is Plus with threat protection in full-function mode by default', () => {
    synthHerold().template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('is Essentials, without threat protection, when chosen; MFA and the V2 token trigger stay', () => {
    const { template } = synthHerold({ 'herold:cognitoPlan': 'essentials' });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
      MfaConfiguration: 'ON',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0' } },
    });
  });

  it('accepts only the two plans', () => {
    expect(() => readHeroldConfig(new App({ context: { 'herold:cognitoPlan': 'lite' } }).node)).toThrow(
      /herold:cognitoPlan/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/pre-token/handler';
import { principalFromEvent } from '../../../shared/api/auth';
import { toGatewayClaims } from '../../../local/http-server';

/** A V2 event as Cognito sends it for a token of an access-token-customising user pool. */
const event = (attributes: Record<string, string>, groups: string[]) => ({
  version: '2',
  triggerSource: 'TokenGeneration_HostedAuth',
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_example',
  userName: 'anna',
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
  request: {
    userAttributes: { sub: 'a1b2', email: 'anna@dresden.example', ...attributes },
    groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null },
    scopes: ['openid', 'email', 'profile'],
  },
  response: { claimsAndScopeOverrideDetails: null },
});

describe('pre-token generation (V2)', () => {
  it('puts the organisation and the Herold roles into the access and the ID token', async () => {
    const answer = await handler(event({ 'custom:org': 'city' }, ['editor', 'emergency', 'press-office-all']));
    expect(answer.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: { org: 'city', roles: ['editor', 'emergency'] } },
      accessTokenGeneration: {
        claimsToAddOrOverride: { org: 'city', roles: ['editor', 'emergency'], email: 'anna@dresden.example' },
      },
    });
    expect(answer.userName).toBe('anna');
  });

  it('adds nothing for a user without a valid organisation, whose token the API then refuses', async () => {
    for (const attributes of [{}, { 'custom:org': 'Not An Org!' }] as Record<string, string>[]) {
      const answer = await handler(event(attributes, ['editor']));
      expect(answer.response.claimsAndScopeOverrideDetails).toBeNull();
    }
  });

  it('yields an access token the API reads: org and roles as API Gateway passes array claims', async () => {
    const answer = await handler(event({ 'custom:org': 'fire-brigade' }, ['editor']));
    const added = (
      answer.response.claimsAndScopeOverrideDetails as unknown as {
        accessTokenGeneration: { claimsToAddOrOverride: Record<string, unknown> };
      }
    ).accessTokenGeneration.claimsToAddOrOverride;
    // an access token has client_id, no aud; API Gateway checks client_id against the audience
    const claims = toGatewayClaims({ sub: 'a1b2', client_id: 'client', token_use: 'access', ...added });
    expect(principalFromEvent({ requestContext: { authorizer: { jwt: { claims } } } } as never)).toEqual({
      sub: 'a1b2',
      org: 'fire-brigade',
      roles: ['editor'],
      name: 'anna@dresden.example',
    });
  });

  it('names the person in the access token: the name attribute first, else given and family name, and the e-mail', async () => {
    const access = (answer: Awaited<ReturnType<typeof handler>>) =>
      (
        answer.response.claimsAndScopeOverrideDetails as unknown as {
          accessTokenGeneration: { claimsToAddOrOverride: Record<string, unknown> };
        }
      ).accessTokenGeneration.claimsToAddOrOverride;
    const named = access(await handler(event({ 'custom:org': 'city', name: '  Anna Schmidt ' }, ['admin'])));
    expect(named).toMatchObject({ name: 'Anna Schmidt', email: 'anna@dresden.example' });
    const parts = access(
      await handler(event({ 'custom:org': 'city', given_name: 'Anna', family_name: 'Schmidt' }, ['admin'])),
    );
    expect(parts.name).toBe('Anna Schmidt');
    const blank = access(await handler(event({ 'custom:org': 'city', name: ' ', email: '' }, ['admin'])));
    expect(blank).toEqual({ org: 'city', roles: ['admin'] });

    // the API's audit records then carry the name, not the sub
    const claims = toGatewayClaims({ sub: 'a1b2', client_id: 'client', token_use: 'access', ...named });
    expect(principalFromEvent({ requestContext: { authorizer: { jwt: { claims } } } } as never).name).toBe(
      'Anna Schmidt',
    );
  });
});

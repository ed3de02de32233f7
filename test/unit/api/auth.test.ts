import { describe, expect, it } from 'vitest';
import { claimList, principalFromEvent } from '../../../shared/api/auth';
import type { ProblemError } from '../../../shared/api/problem';

const event = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims ? { jwt: { claims, scopes: [] } } : undefined } }) as never;

describe('claimList', () => {
  it.each([
    [
      ['editor', 'admin'],
      ['editor', 'admin'],
    ],
    ['[editor emergency]', ['editor', 'emergency']],
    ['["editor","admin"]', ['editor', 'admin']],
    ['editor,admin', ['editor', 'admin']],
    [undefined, []],
  ])('reads %j', (value, expected) => expect(claimList(value)).toEqual(expected));
});

describe('principalFromEvent', () => {
  it('reads org and roles as API Gateway passes them', () => {
    expect(principalFromEvent(event({ sub: 'u1', org: 'city', roles: '[editor emergency]' }))).toEqual({
      sub: 'u1',
      org: 'city',
      roles: ['editor', 'emergency'],
    });
  });
  it('reads Cognito groups and custom attributes', () => {
    expect(principalFromEvent(event({ sub: 'u2', 'custom:org': 'fire-brigade', 'cognito:groups': '[admin]' }))).toEqual(
      { sub: 'u2', org: 'fire-brigade', roles: ['admin'] },
    );
  });
  it('drops roles it does not know, so a crafted claim cannot add one', () => {
    expect(principalFromEvent(event({ sub: 'u3', org: 'city', roles: '[editor superuser]' })).roles).toEqual([
      'editor',
    ]);
  });
  it('refuses a request without verified claims (401) or without a valid organisation (403)', () => {
    expect(() => principalFromEvent(event())).toThrow(expect.objectContaining({ status: 401 }) as ProblemError);
    expect(() => principalFromEvent(event({ sub: 'u4', org: '../fire-brigade', roles: '[editor]' }))).toThrow(
      expect.objectContaining({ status: 403 }) as ProblemError,
    );
  });
});

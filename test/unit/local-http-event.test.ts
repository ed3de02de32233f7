import { describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../shared/api/routes';
import {
  isTextContentType,
  matchRoute,
  toApiGatewayEvent,
  toGatewayClaims,
  toHttpResponse,
  type GatewayRequest,
} from '../../local/http-server';

const ROUTES: RouteSpec[] = [
  { method: 'POST', path: '/messages' },
  { method: 'GET', path: '/messages' },
  { method: 'GET', path: '/messages/{id}' },
  { method: 'GET', path: '/messages/latest' },
  { method: 'POST', path: '/messages/{id}/deliveries/{channel}/confirm' },
  { method: 'GET', path: '/files/{path+}' },
];

describe('route matching', () => {
  it('matches a literal route and fills path parameters, decoded', () => {
    expect(matchRoute(ROUTES, 'POST', '/messages')).toEqual({ kind: 'match', route: ROUTES[0], pathParameters: {} });
    expect(matchRoute(ROUTES, 'POST', '/messages/m-1/deliveries/city%2Dx/confirm')).toEqual({
      kind: 'match',
      route: ROUTES[4],
      pathParameters: { id: 'm-1', channel: 'city-x' },
    });
  });

  it('prefers the route with more literal segments', () => {
    expect(matchRoute(ROUTES, 'GET', '/messages/latest')).toMatchObject({
      kind: 'match',
      route: { path: '/messages/latest' },
    });
    expect(matchRoute(ROUTES, 'GET', '/messages/abc')).toMatchObject({ kind: 'match', pathParameters: { id: 'abc' } });
  });

  it('gives a greedy parameter the rest of the path', () => {
    expect(matchRoute(ROUTES, 'GET', '/files/a/b%20c.png')).toMatchObject({
      kind: 'match',
      pathParameters: { path: 'a/b c.png' },
    });
    expect(matchRoute(ROUTES, 'GET', '/files/')).toEqual({ kind: 'not-found' });
  });

  it('tells an unknown path from a known path with the wrong method', () => {
    expect(matchRoute(ROUTES, 'GET', '/nowhere')).toEqual({ kind: 'not-found' });
    expect(matchRoute(ROUTES, 'GET', '/messages/a/b')).toEqual({ kind: 'not-found' });
    expect(matchRoute(ROUTES, 'GET', '/messages/')).toEqual({ kind: 'not-found' });
    expect(matchRoute(ROUTES, 'DELETE', '/messages')).toEqual({ kind: 'method-not-allowed', allow: ['POST', 'GET'] });
  });
});

describe('JWT claims as API Gateway passes them', () => {
  it('turns every claim into a string, arrays as "[a b]"', () => {
    expect(
      toGatewayClaims({
        sub: 'u-1',
        org: 'city',
        roles: ['editor', 'emergency'],
        exp: 1700000000,
        iat: 1699990000,
        verified: true,
        address: { city: 'Dresden', zip: '01067' },
      }),
    ).toEqual({
      sub: 'u-1',
      org: 'city',
      roles: '[editor emergency]',
      exp: '1700000000',
      iat: '1699990000',
      verified: 'true',
      address: 'map[city:Dresden zip:01067]',
    });
    expect(toGatewayClaims({ roles: ['admin'] }).roles).toBe('[admin]');
  });
});

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    rawPath: '/messages',
    rawQueryString: '',
    headers: { Host: ['127.0.0.1:3000'], 'User-Agent': ['curl/8.5.0'], 'content-type': ['application/json'] },
    httpVersion: '1.1',
    sourceIp: '127.0.0.1',
    localPort: 3000,
    body: Buffer.from('{"text":"Hallo"}'),
    route: { method: 'POST', path: '/messages' },
    pathParameters: {},
    claims: { sub: 'u-1', org: 'city', roles: '[editor]' },
    now: new Date('2026-03-12T19:03:58.123Z'),
    ...overrides,
  };
}

describe('request → payload format 2.0 event', () => {
  it('fills routeKey, paths, request context and the authorizer claims', () => {
    const event = toApiGatewayEvent(request());
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /messages',
      rawPath: '/messages',
      rawQueryString: '',
      body: '{"text":"Hallo"}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /messages',
        stage: '$default',
        domainName: '127.0.0.1',
        http: {
          method: 'POST',
          path: '/messages',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.parse('2026-03-12T19:03:58.123Z'),
        authorizer: { jwt: { claims: { sub: 'u-1', org: 'city', roles: '[editor]' }, scopes: null } },
      },
    });
    expect(event.requestContext.requestId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
  });

  it('lower-cases headers, joins repeated ones with commas and moves cookies out of them', () => {
    const event = toApiGatewayEvent(
      request({
        headers: { 'X-Custom': ['a', 'b'], Cookie: ['session=abc; theme=dark'], 'Content-Type': ['application/json'] },
      }),
    );
    expect(event.headers).toMatchObject({
      'x-custom': 'a,b',
      'content-type': 'application/json',
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
  });

  it('keeps the raw query string and combines repeated parameters', () => {
    const event = toApiGatewayEvent(
      request({
        method: 'GET',
        rawQueryString: 'org=city&state=PENDING&state=FAILED&q=Hallo%20Welt',
        body: Buffer.alloc(0),
      }),
    );
    expect(event.rawQueryString).toBe('org=city&state=PENDING&state=FAILED&q=Hallo%20Welt');
    expect(event.queryStringParameters).toEqual({ org: 'city', state: 'PENDING,FAILED', q: 'Hallo Welt' });
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes path parameters and a decoded path', () => {
    const event = toApiGatewayEvent(
      request({
        method: 'GET',
        rawPath: '/messages/m%2D1',
        route: { method: 'GET', path: '/messages/{id}' },
        pathParameters: { id: 'm-1' },
        body: Buffer.alloc(0),
      }),
    );
    expect(event.routeKey).toBe('GET /messages/{id}');
    expect(event.rawPath).toBe('/messages/m-1');
    expect(event.pathParameters).toEqual({ id: 'm-1' });
  });

  it('base64-encodes binary bodies and keeps text bodies as text', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10]);
    const image = toApiGatewayEvent(request({ headers: { 'content-type': ['image/jpeg'] }, body: bytes }));
    expect(image.isBase64Encoded).toBe(true);
    expect(Buffer.from(image.body ?? '', 'base64')).toEqual(bytes);
    const cap = toApiGatewayEvent(
      request({ headers: { 'content-type': ['application/cap+xml; charset=utf-8'] }, body: Buffer.from('<alert/>') }),
    );
    expect(cap).toMatchObject({ body: '<alert/>', isBase64Encoded: false });
    const untyped = toApiGatewayEvent(request({ headers: {}, body: Buffer.from('hello') }));
    expect(untyped).toMatchObject({ body: Buffer.from('hello').toString('base64'), isBase64Encoded: true });
  });

  it('leaves the authorizer out on public routes', () => {
    const event = toApiGatewayEvent(
      request({ claims: undefined, route: { method: 'GET', path: '/openapi.json', public: true } }),
    );
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('knows which content types are text', () => {
    for (const type of [
      'application/json',
      'application/problem+json',
      'text/csv; charset=utf-8',
      'application/xml',
      'application/x-www-form-urlencoded',
    ]) {
      expect(isTextContentType(type), type).toBe(true);
    }
    for (const type of ['image/png', 'application/octet-stream', 'video/mp4', 'application/jsonx', undefined])
      expect(isTextContentType(type), String(type)).toBe(false);
  });
});

describe('function result → HTTP response', () => {
  it('takes a structured result field by field', () => {
    const reply = toHttpResponse({
      statusCode: 202,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3 },
      multiValueHeaders: { Link: ['<a>', '<b>'] },
      cookies: ['a=1; Path=/', 'b=2'],
      body: '{"id":"m-1"}',
    });
    expect(reply?.statusCode).toBe(202);
    expect(reply?.headers).toEqual({
      'content-type': 'application/json',
      'x-count': '3',
      link: ['<a>', '<b>'],
      'set-cookie': ['a=1; Path=/', 'b=2'],
    });
    expect(reply?.body.toString()).toBe('{"id":"m-1"}');
  });

  it('decodes a base64 body', () => {
    expect(
      toHttpResponse({ statusCode: 200, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true })?.body,
    ).toEqual(Buffer.from([1, 2, 3]));
  });

  it('turns a result without statusCode into a 200 JSON response, as API Gateway infers', () => {
    const object = toHttpResponse({ id: 'm-1' });
    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(object?.body.toString()).toBe('{"id":"m-1"}');
    expect(toHttpResponse('Hello from Lambda!')?.body.toString()).toBe('Hello from Lambda!');
    expect(toHttpResponse(undefined)?.body.toString()).toBe('null');
  });

  it('rejects a result whose statusCode is not an HTTP status', () => {
    expect(toHttpResponse({ statusCode: '200' })).toBeUndefined();
    expect(toHttpResponse({ statusCode: 42 })).toBeUndefined();
  });
});

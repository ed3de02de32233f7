/**
 * Every route of the HTTP API, once. CDK creates an API Gateway route per entry (all behind the
 * JWT authorizer unless `public`), and the local server matches requests against the same table.
 */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{id}` is a path parameter */
  path: string;
  /** served without a token */
  public?: boolean;
}

export const ROUTES = [
  { method: 'POST', path: '/messages' },
  { method: 'GET', path: '/messages' },
  { method: 'GET', path: '/messages/{id}' },
  { method: 'GET', path: '/channels' },
  { method: 'PATCH', path: '/channels/{id}' },
  { method: 'POST', path: '/messages/{id}/deliveries/{channel}/confirm' },
  { method: 'GET', path: '/audit' },
  { method: 'POST', path: '/previews' },
  { method: 'GET', path: '/openapi.json', public: true },
] as const satisfies readonly RouteSpec[];

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<(typeof ROUTES)[number]>;

export const routeKey = (route: RouteSpec): string => `${route.method} ${route.path}`;

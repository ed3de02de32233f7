/**
 * Every route of the HTTP API, once. CDK creates an API Gateway route per entry (all behind the
 * JWT authorizer unless `public`), and the local server matches requests against the same table.
 */
import type { PlatformId } from '../platforms/registry';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{id}` is a path parameter */
  path: string;
  /** served without a token */
  public?: boolean;
  /** requests per second (steady and burst) for this route, where it differs from the stage default */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * the function that serves the route (default `ingest`): CDK integrates the route with it and the
   * local server calls its handler, so a route with needs of its own (secrets, a webhook's
   * signature key) gets a function with exactly those permissions
   */
  function?: string;
  /** a platform's own route (its webhook): created only where one of these platforms is deployed (herold:platforms) */
  platforms?: readonly PlatformId[];
}

/** The function of routes that name none. */
export const DEFAULT_ROUTE_FUNCTION = 'ingest';

/** Webhooks carry a platform's bursts (Meta batches changes; a busy discussion group sends one update per comment). */
const WEBHOOK_THROTTLE = { rateLimit: 50, burstLimit: 200 };
const webhook = (platforms: readonly PlatformId[]) =>
  ({ function: 'webhooks', public: true, throttle: WEBHOOK_THROTTLE, platforms }) as const;
/** Meta's webhook carries the Page feed's and Instagram's comments */
const META_WEBHOOK = webhook(['facebook', 'instagram']);
const THREADS_WEBHOOK = webhook(['threads']);
const TELEGRAM_WEBHOOK = webhook(['telegram']);

export const ROUTES = [
  { method: 'POST', path: '/messages', throttle: { rateLimit: 10, burstLimit: 25 } },
  { method: 'GET', path: '/messages' },
  { method: 'GET', path: '/messages/{id}' },
  { method: 'PATCH', path: '/messages/{id}' },
  { method: 'DELETE', path: '/messages/{id}' },
  { method: 'POST', path: '/messages/{id}/release' },
  { method: 'PUT', path: '/organisations/{org}/hold' },
  { method: 'GET', path: '/channels' },
  // retiring deletes the channel's secret: served with the connections, the one function that writes secrets
  { method: 'PATCH', path: '/channels/{id}', function: 'connect' },
  { method: 'POST', path: '/messages/{id}/deliveries/{channel}/confirm' },
  { method: 'POST', path: '/messages/{id}/deliveries/{channel}/retry' },
  { method: 'GET', path: '/me' },
  { method: 'GET', path: '/audit' },
  { method: 'POST', path: '/previews', throttle: { rateLimit: 5, burstLimit: 10 } },
  // a report reads a year of figures per channel: the most expensive request the API answers
  { method: 'GET', path: '/reports/followers', throttle: { rateLimit: 2, burstLimit: 5 } },
  { method: 'GET', path: '/reports/followers.html', throttle: { rateLimit: 2, burstLimit: 5 } },
  { method: 'PUT', path: '/channels/{id}/followers/{date}' },
  { method: 'POST', path: '/alerts' },
  { method: 'POST', path: '/messages/{id}/approve' },
  { method: 'POST', path: '/messages/{id}/correct' },
  // the emergency console: reject, prefilled follow-ups, templates, vanished warnings, release all
  { method: 'POST', path: '/messages/{id}/reject' },
  { method: 'GET', path: '/messages/{id}/alert-form' },
  { method: 'GET', path: '/alert-templates' },
  { method: 'POST', path: '/alert-templates' },
  { method: 'PUT', path: '/alert-templates/{id}' },
  { method: 'DELETE', path: '/alert-templates/{id}' },
  { method: 'GET', path: '/alerts/vanished' },
  { method: 'POST', path: '/organisations/{org}/held-messages/release' },
  { method: 'GET', path: '/openapi.json', public: true },
  // channels: adding one, connecting its account (the callback is the platform's redirect: no token), settings
  { method: 'POST', path: '/channels' },
  { method: 'GET', path: '/channels/{id}' },
  { method: 'POST', path: '/channels/{id}/connect', function: 'connect', throttle: { rateLimit: 2, burstLimit: 5 } },
  {
    method: 'GET',
    path: '/oauth/callback/{platform}',
    function: 'connect',
    public: true,
    throttle: { rateLimit: 5, burstLimit: 10 },
  },
  // the organisations and their emergency policy (admin): items in the table, cached per instance
  { method: 'GET', path: '/organisations' },
  { method: 'GET', path: '/organisations/{org}' },
  { method: 'PUT', path: '/organisations/{org}' },
  { method: 'GET', path: '/organisations/{org}/settings' },
  { method: 'PUT', path: '/organisations/{org}/settings' },
  // the replies inbox: a function of its own, which queues answers and moderation to the platforms' functions
  { method: 'GET', path: '/replies', function: 'replies' },
  { method: 'POST', path: '/replies/{id}/answer', function: 'replies' },
  { method: 'POST', path: '/replies/{id}/hide', function: 'replies' },
  { method: 'POST', path: '/replies/{id}/unhide', function: 'replies' },
  { method: 'GET', path: '/organisations/{org}/reply-settings', function: 'replies' },
  { method: 'PUT', path: '/organisations/{org}/reply-settings', function: 'replies' },
  // the platforms' webhooks: no token, only a valid signature (Meta) or secret token (Telegram) is trusted
  { method: 'GET', path: '/webhooks/meta', ...META_WEBHOOK },
  { method: 'POST', path: '/webhooks/meta', ...META_WEBHOOK },
  { method: 'GET', path: '/webhooks/threads', ...THREADS_WEBHOOK },
  { method: 'POST', path: '/webhooks/threads', ...THREADS_WEBHOOK },
  { method: 'POST', path: '/webhooks/telegram/{channel}', ...TELEGRAM_WEBHOOK },
] as const satisfies readonly RouteSpec[];

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<(typeof ROUTES)[number]>;

type Route = (typeof ROUTES)[number];
type FunctionOf<R> = R extends { function: infer F extends string } ? F : typeof DEFAULT_ROUTE_FUNCTION;
/** The routes one function serves, e.g. `RouteKeyOf<'connect'>`. */
export type RouteKeyOf<F extends string> = KeyOf<RoutesOf<F>>;
type RoutesOf<F extends string, R = Route> = R extends Route ? (FunctionOf<R> extends F ? R : never) : never;

/** The function that serves a route. */
export const routeFunction = (route: RouteSpec): string => route.function ?? DEFAULT_ROUTE_FUNCTION;
/** Every function that serves routes. */
export const routeFunctions = (routes: readonly RouteSpec[] = ROUTES): string[] => [
  ...new Set(routes.map(routeFunction)),
];

export const routeKey = (route: RouteSpec): string => `${route.method} ${route.path}`;

/** Whether a deployment of these platforms has the route: a platform's webhook only with its platform. */
export const routeDeployed = (route: RouteSpec, platforms: readonly PlatformId[]): boolean =>
  !route.platforms || route.platforms.some((platform) => platforms.includes(platform));

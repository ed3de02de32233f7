/** The edge of the HTTP API: request parsing, response shaping, and turning errors into problems. */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Principal } from '../model/schemas';
import { logger } from '../observability/powertools';
import { isServedOrganisation } from '../organisations/organisations';
import { defaultStore } from '../store/client';
import { principalFromEvent } from './auth';
import { InvalidCursorError } from '../store/cursor';
import { ProblemError, problemResponse } from './problem';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

export interface ApiRequest {
  event: ApiEvent;
  principal: Principal;
  params: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResult>;
/** A route served without a token (see `public` in shared/api/routes.ts). */
export type PublicRouteHandler = (request: Omit<ApiRequest, 'principal'>) => Promise<ApiResult>;

/** The largest JSON body the API takes. */
export const MAX_BODY_BYTES = 256 * 1024;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The JSON body of a request, or a problem naming exactly what is wrong with it. */
export function readJsonBody(event: ApiEvent): unknown {
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new ProblemError(415, 'the body must be JSON (Content-Type: application/json)');
  }
  const raw =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new ProblemError(413, `the body is larger than ${MAX_BODY_BYTES / 1024} KB`);
  }
  if (raw.trim() === '') throw new ProblemError(400, 'the body is empty');
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ProblemError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The caller, if the token is valid and names an organisation Herold serves (the organisation items, cached). */
export async function servedPrincipal(event: ApiEvent): Promise<Principal> {
  const principal = principalFromEvent(event);
  // A well-formed but unknown organisation gets nothing, not an empty world of its own.
  if (!(await isServedOrganisation(defaultStore(), principal.org)))
    throw new ProblemError(403, 'the token names an organisation Herold does not serve');
  return principal;
}

/** A Lambda handler for a table of routes (API Gateway routes by routeKey, so does the local server). */
export function createApiHandler(
  routes: Record<string, RouteHandler>,
  publicRoutes: Record<string, PublicRouteHandler> = {},
) {
  const dispatch = async (event: ApiEvent): Promise<ApiResult> => {
    const route = routes[event.routeKey];
    try {
      const publicRoute = publicRoutes[event.routeKey];
      if (publicRoute)
        return await publicRoute({
          event,
          params: event.pathParameters ?? {},
          query: event.queryStringParameters ?? {},
        });
      if (!route) throw new ProblemError(404, `no route ${event.routeKey}`);
      const principal = await servedPrincipal(event);
      logger.appendKeys({ org: principal.org, sub: principal.sub });
      return await route({
        event,
        principal,
        params: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
      });
    } catch (caught) {
      const error =
        caught instanceof InvalidCursorError
          ? new ProblemError(400, caught.message, { errors: [{ field: 'cursor', message: 'invalid' }] })
          : caught;
      if (error instanceof ProblemError) {
        if (error.status === 401 || error.status === 403)
          logger.warn('request refused', {
            securityEvent: true,
            status: error.status,
            route: event.routeKey,
            detail: error.message,
          });
        return problemResponse(error.status, error.message, {
          errors: error.errors,
          type: error.type,
          instance: event.rawPath,
        });
      }
      logger.error('request failed', { route: event.routeKey, error: error as Error });
      return problemResponse(500, 'an internal error occurred; it has been logged', { instance: event.rawPath });
    } finally {
      logger.resetKeys();
    }
  };
  return middy(dispatch).use(injectLambdaContext(logger));
}

/**
 * What the Meta Graph hosts (graph.facebook.com, graph.threads.net) have in common: versioned
 * paths, parameters in the query or the body, the access token as parameter or bearer header,
 * and the error envelope `{ error: { message, type, code, error_subcode, fbtrace_id } }`.
 */
import { randomBytes } from 'node:crypto';
import type { PlatformId } from '../../../shared/platforms/registry';
import type { SimRequest, SimResponse, SimState } from '../types';

export interface GraphRoute {
  version: string;
  /** the node: a user, page, container or media id */
  node: string;
  /** the edge after the node, e.g. `threads_publish`; undefined for the node itself */
  edge: string | undefined;
}

export function graphRoute(path: string): GraphRoute | undefined {
  const match = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return undefined;
  return { version: match[1]!, node: decodeURIComponent(match[2]!), edge: match[3] };
}

/** Query and body parameters merged, body winning, as Graph reads them. */
export function graphParams(request: SimRequest): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(request.query);
  if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) {
    for (const [name, value] of Object.entries(request.body)) {
      if (typeof value === 'string') params[name] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') params[name] = String(value);
      else if (Array.isArray(value) || (value && typeof value === 'object' && !Buffer.isBuffer(value)))
        params[name] = JSON.stringify(value);
    }
  }
  return params;
}

export function graphError(
  status: number,
  code: number,
  message: string,
  extra: { subcode?: number; type?: string; transient?: boolean; userTitle?: string; userMessage?: string } = {},
): SimResponse {
  return {
    status,
    headers:
      code === 190
        ? { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' }
        : {},
    body: {
      error: {
        message,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.subcode === undefined ? {} : { error_subcode: extra.subcode }),
        is_transient: extra.transient ?? false,
        ...(extra.userTitle ? { error_user_title: extra.userTitle } : {}),
        ...(extra.userMessage ? { error_user_msg: extra.userMessage } : {}),
        fbtrace_id: randomBytes(9).toString('base64url'),
      },
    },
  };
}

/** The token check every Graph call starts with; undefined when the token is valid. */
export function checkGraphToken(
  request: SimRequest,
  params: Record<string, string>,
  state: SimState,
  platform: PlatformId,
): SimResponse | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const token = params.access_token ?? bearer;
  if (!token) return graphError(400, 104, 'An access token is required to request this resource.');
  if (!state.acceptsToken(platform, token))
    return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  return undefined;
}

/** Graph's answer for an unknown path, or for an injected fault that names only a status. */
export function graphErrorResponse(status: number, message: string): SimResponse {
  if (status === 404) return graphError(400, 2500, `Unknown path components: ${message}`);
  if (status >= 500)
    return graphError(status, 2, 'An unexpected error has occurred. Please retry your request later.', {
      transient: true,
    });
  if (status === 429) return graphError(status, 4, 'Application request limit reached', { transient: true });
  if (status === 401 || status === 403)
    return graphError(status, 190, 'Error validating access token: Session has expired.', { subcode: 463 });
  return graphError(status, 1, 'An unknown error has occurred.');
}

export const unsupportedGet = (id: string): SimResponse =>
  graphError(
    400,
    100,
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33, type: 'GraphMethodException' },
  );

/** Graph's timestamp format, e.g. 2024-07-15T12:34:56+0000. */
export const graphTime = (iso: string): string => `${iso.slice(0, 19)}+0000`;

export const isHttpUrl = (value: string | undefined): value is string => {
  if (!value) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Code points, with every emoji counted as its UTF-8 bytes, as the Threads documentation states. */
export function threadsTextLength(text: string): number {
  let length = 0;
  for (const character of text)
    length += /\p{Extended_Pictographic}/u.test(character) ? Buffer.byteLength(character) : 1;
  return length;
}

export const codePointLength = (text: string): number => [...text].length;

/** A Page or user token's lifetime in the simulator: issued now, good for 60 days. */
const SIM_TOKEN_LIFETIME_SECONDS = 60 * 24 * 3600;

/**
 * GET /{version}/debug_token?input_token=: the token's metadata. The caller's own token (already
 * checked) must belong to the same app; an unknown input token is reported as invalid, not refused.
 */
export function debugToken(params: Record<string, string>, state: SimState, platform: PlatformId): SimResponse {
  const input = params.input_token;
  if (!input) return graphError(400, 100, 'The parameter input_token is required');
  if (!state.acceptsToken(platform, input)) {
    return {
      status: 200,
      body: {
        data: {
          is_valid: false,
          error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
          scopes: [],
        },
      },
    };
  }
  const issuedAt = Math.floor(Date.now() / 1000);
  return {
    status: 200,
    body: {
      data: {
        app_id: '1000000000000001',
        type: platform === 'facebook' ? 'PAGE' : 'USER',
        application: 'Herold',
        // Page tokens from a long-lived user token never expire (0); Instagram's user token lives 60 days
        expires_at: platform === 'facebook' ? 0 : issuedAt + SIM_TOKEN_LIFETIME_SECONDS,
        data_access_expires_at: issuedAt + 90 * 24 * 3600,
        is_valid: true,
        issued_at: issuedAt,
        scopes:
          platform === 'facebook'
            ? ['pages_manage_posts', 'pages_read_engagement']
            : ['instagram_basic', 'instagram_content_publish'],
      },
    },
  };
}

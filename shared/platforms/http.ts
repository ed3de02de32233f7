/**
 * The HTTP layer under every platform client: timeouts, and the line between a failure that
 * certainly did not reach the platform (retryable) and one that may have (ambiguous).
 */
import { PlatformError } from './client';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** an object is sent as JSON; URLSearchParams as a form; a Buffer as is */
  body?: unknown;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** parsed JSON when the body is JSON, else the raw text */
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Send a request; network failures become PlatformErrors, HTTP errors are returned for the client to classify. */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: RequestInit['body'];
  if (request.body instanceof URLSearchParams) {
    body = request.body;
  } else if (request.body instanceof Uint8Array) {
    body = request.body;
  } else if (request.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(request.body);
  }
  const doFetch = request.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    throw classifyNetworkError(error, request.method);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The platform answered, so it received the request; the body was lost on the way back.
    throw new PlatformError(
      request.method === 'GET' ? 'retryable' : 'ambiguous',
      'connection lost while reading the response',
      { cause: error },
    );
  }
  return {
    status: response.status,
    headers: response.headers,
    body: parseBody(text, response.headers.get('content-type')),
  };
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text.length === 0) return undefined;
  if (contentType?.includes('json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Errors raised before any byte reached the server: safe to retry. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export function classifyNetworkError(error: unknown, method: string): PlatformError {
  const code = networkErrorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return new PlatformError('retryable', `could not connect (${code})`, { code, cause: error });
  }
  // A timeout or a reset after sending: a read can be repeated, a write may have happened.
  const errorClass = method === 'GET' ? 'retryable' : 'ambiguous';
  const reason =
    error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : `connection lost (${code ?? 'unknown'})`;
  return new PlatformError(errorClass, `request ${reason}`, { code: code ?? 'TIMEOUT', cause: error });
}

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** A default classification by HTTP status, for clients whose platform has no finer codes. */
export function classByStatus(status: number): 'retryable' | 'rate-limited' | 'auth' | 'permanent' {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500 || status === 408) return 'retryable';
  return 'permanent';
}

/** A short, token-free description of an error body for logs and delivery records. */
export function safeDetail(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return redactSecrets(text).slice(0, max);
}

/** Remove anything that looks like a credential: access_token parameters, bearer tokens, bot tokens. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(access_token|token|password|client_secret|refresh_token)=([^&\s"']+)/gi, '$1=[redacted]')
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]')
    .replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot[redacted]');
}

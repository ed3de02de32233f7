/**
 * The HTTP layer under every platform client: timeouts, and the line between a failure that
 * certainly did not reach the platform (retryable) and one that may have (ambiguous).
 */
import type * as z from 'zod';
import { PlatformError, UNEXPECTED_ANSWER_CODE } from './client';

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
  /** the body as it came, for parseAnswer to tell an empty, cut-short or non-JSON answer from a wrong one */
  text: string;
  /** the request's method: an odd answer to a write may mean the write happened */
  method: HttpRequest['method'];
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
    text,
    method: request.method,
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

/** Fields of a JSON body that hold credentials (OAuth answers, Bluesky sessions). */
const SECRET_FIELDS =
  'access_?token|refresh_?token|access_?jwt|refresh_?jwt|id_token|token|password|client_secret|app_?password';

/**
 * Remove anything that looks like a credential: access_token parameters and JSON fields, bearer
 * tokens, bot tokens, JWTs, long opaque tokens, and the given known secrets (a channel's credentials).
 */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let redacted = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...secrets].filter((value) => value.length >= 8).sort((a, b) => b.length - a.length))
    redacted = redacted.split(secret).join('[redacted]');
  return redacted
    .replace(/(access_token|token|password|client_secret|refresh_token)=([^&\s"']+)/gi, '$1=[redacted]')
    .replace(new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*)"[^"]*"`, 'gi'), '$1"[redacted]"')
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]')
    .replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot[redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted]')
    .replace(/[A-Za-z0-9_\-.~+=]{40,}/g, (run) => (/\d/.test(run) && /[A-Za-z]/.test(run) ? '[redacted]' : run));
}

/** Where an answer came from, for the message of an answer that does not fit. */
export interface AnswerSource {
  /** the platform as people know it, e.g. "Mastodon" */
  platform: string;
  /** what the call does, e.g. "list recent statuses" */
  call: string;
  /** the channel's credentials: none of their values may appear in the message */
  secrets?: Record<string, string>;
}

/** How much of an odd body an error message quotes. */
const EXCERPT_CHARS = 120;

/** A short, token-free, one-line excerpt of a body. */
export function bodyExcerpt(text: string, secrets?: Record<string, string>): string {
  const line = redactSecrets(text, Object.values(secrets ?? {}))
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/**
 * An answer Herold cannot use: named by platform and call, with what was wrong and a short excerpt.
 * Its class says only what the HTTP layer knows (an odd answer to a write may mean the write
 * happened); the publisher classifies it again by the step it interrupted.
 */
export function unexpectedAnswer(response: HttpResponse, source: AnswerSource, problem: string): PlatformError {
  const excerpt = bodyExcerpt(response.text, source.secrets);
  return new PlatformError(
    response.method === 'GET' ? 'retryable' : 'ambiguous',
    `${source.platform} ${source.call}: ${problem} (HTTP ${response.status}${excerpt ? `: ${excerpt}` : ', empty body'})`,
    { code: UNEXPECTED_ANSWER_CODE },
  );
}

/** Content types that carry JSON (Graph answered `text/javascript` for years). */
const JSON_TYPES = /json|javascript/i;

/**
 * Parse, don't trust: the body of a successful answer checked against the platform's documented
 * shape (only the fields Herold uses; unknown fields are allowed). An empty answer, a body that is
 * not JSON (an HTML maintenance page, a proxy's captive page), JSON cut short, or JSON of another
 * shape becomes a PlatformError with code UNEXPECTED_ANSWER naming the platform, the call and the
 * JSON path that did not match: "Mastodon list recent statuses: expected an array at $, got an object".
 */
export function parseAnswer<T>(response: HttpResponse, schema: z.ZodType<T>, source: AnswerSource): T {
  if (response.text.trim().length === 0) return fail(response, source, 'expected a JSON body, got an empty answer');
  const contentType = response.headers.get('content-type');
  if (contentType && !JSON_TYPES.test(contentType))
    return fail(response, source, `expected JSON, got ${contentType.split(';')[0]?.trim()}`);
  let value = response.body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(response.text);
    } catch {
      const cutShort = /^\s*[[{]/.test(response.text);
      return fail(response, source, cutShort ? 'the JSON answer was cut short or broken' : 'expected JSON, got text');
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  return fail(response, source, describeMismatch(parsed.error.issues, value));
}

/**
 * A successful answer whose body Herold does not read (an upload's 201, X's append) must still come
 * from the platform: empty, or JSON. An HTML page in its place came from a proxy in front of the
 * platform, which then never saw the request: going on as if it had fails later, as a refused post.
 */
export function checkAnswer(response: HttpResponse, source: AnswerSource): void {
  if (response.text.trim().length === 0) return;
  const contentType = response.headers.get('content-type');
  if (contentType && !JSON_TYPES.test(contentType))
    fail(response, source, `expected no body or JSON, got ${contentType.split(';')[0]?.trim()}`);
  if (typeof response.body === 'string') {
    try {
      JSON.parse(response.text);
    } catch {
      fail(response, source, 'expected no body or JSON, got something else');
    }
  }
}

function fail(response: HttpResponse, source: AnswerSource, problem: string): never {
  throw unexpectedAnswer(response, source, problem);
}

/** The first mismatch as "expected an array at $.data, got an object". */
function describeMismatch(issues: z.core.$ZodIssue[], value: unknown): string {
  const issue = issues[0];
  if (!issue) return 'the answer does not fit';
  const path = jsonPath(issue.path);
  const found = describeValue(valueAt(value, issue.path));
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${withArticle(issue.expected)} at ${path}, got ${found}`;
    case 'invalid_value':
      return `expected ${issue.values.map((option) => JSON.stringify(option)).join(' or ')} at ${path}, got ${found}`;
    case 'invalid_union':
      return `expected one of the documented forms at ${path}, got ${found}`;
    default:
      return `${issue.message.replace(/^Invalid input: /, '')} at ${path}`;
  }
}

export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number'
        ? `${text}[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
          ? `${text}.${String(key)}`
          : `${text}[${JSON.stringify(String(key))}]`,
    '$',
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // never the string itself: it could be a token
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return `${withArticle(typeof value)} (${String(value)})`;
}

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

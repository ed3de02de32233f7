/**
 * The boundary of every connection call: each platform answer is validated with a zod schema, and a
 * refusal or a mismatch becomes a ConnectError naming the platform, the call and (for a mismatch)
 * the JSON path, with an excerpt of the body from which every token, secret, password and code has
 * been removed. ConnectErrors carry the reason a person is shown; they never carry a credential.
 */
import type * as z from 'zod';
import { httpRequest, redactSecrets, type HttpRequest, type HttpResponse } from '../platforms/http';
import { PLATFORMS, type PlatformId } from '../platforms/registry';
import { fieldPath } from '../api/problem';

/** A connection that did not succeed, with the reason to show (the platform's own words where it gave some). */
export class ConnectError extends Error {
  constructor(
    readonly platform: PlatformId,
    readonly call: string,
    readonly reason: string,
  ) {
    super(`${PLATFORMS[platform].displayName} ${call}: ${reason}`);
    this.name = 'ConnectError';
  }
}

/** Keys whose values are credentials or single-use secrets, in any platform's answer. */
const SECRET_KEY = /token|secret|password|jwt|code|session|signature|verifier|key/i;

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 5).map((item) => withoutSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) && typeof inner !== 'object' ? '[redacted]' : withoutSecrets(inner, depth + 1),
      ]),
    );
  }
  return value;
}

/** A short excerpt of an answer body for a reason or a log line: credentials removed, at most 200 characters. */
export function bodyExcerpt(body: unknown, max = 200): string {
  const text = typeof body === 'string' ? body : JSON.stringify(withoutSecrets(body) ?? '');
  return redactSecrets(text)
    .replace(/"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+"/g, '"[redacted]"')
    .slice(0, max);
}

/** The reason an OAuth or API error body gives, in the shapes the platforms use. */
export function refusalReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null)
    return typeof body === 'string' && body ? bodyExcerpt(body) : undefined;
  const answer = body as Record<string, unknown>;
  const nested =
    typeof answer.error === 'object' && answer.error !== null ? (answer.error as Record<string, unknown>) : undefined;
  const parts = [
    answer.error_description,
    nested?.message,
    answer.message,
    answer.description,
    typeof answer.error === 'string' ? answer.error : undefined,
  ].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  const code = typeof answer.error === 'string' && parts[0] !== answer.error ? ` (${answer.error})` : '';
  return parts[0] ? bodyExcerpt(`${parts[0]}${code}`) : undefined;
}

export interface CallOptions extends Omit<HttpRequest, 'fetch' | 'timeoutMs'> {
  platform: PlatformId;
  /** what the call does, for the reason: "token exchange", "page list" … */
  call: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Send a request; a network failure or an HTTP error becomes a ConnectError with the platform's reason. */
export async function connectRequest(options: CallOptions): Promise<HttpResponse> {
  const { platform, call, ...request } = options;
  let response: HttpResponse;
  try {
    response = await httpRequest(request);
  } catch (error) {
    throw new ConnectError(platform, call, `could not be reached (${redactSecrets((error as Error).message)})`);
  }
  if (response.status >= 400) {
    const reason = refusalReason(response.body) ?? 'no reason given';
    throw new ConnectError(platform, call, `HTTP ${response.status}: ${reason}`);
  }
  return response;
}

/** The answer's body, validated: a mismatch names the JSON path and shows a token-free excerpt. */
export function parseAnswer<T extends z.ZodType>(
  platform: PlatformId,
  call: string,
  schema: T,
  body: unknown,
): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue ? fieldPath(issue.path) || '(body)' : '(body)';
  throw new ConnectError(
    platform,
    call,
    `unexpected answer at ${path}: ${issue?.message ?? 'invalid'}; body: ${bodyExcerpt(body)}`,
  );
}

/** connectRequest, then parseAnswer of the body. */
export async function connectCall<T extends z.ZodType>(options: CallOptions, schema: T): Promise<z.output<T>> {
  const response = await connectRequest(options);
  return parseAnswer(options.platform, options.call, schema, response.body);
}

/**
 * The typed way to the API: the access token on every request, problem+json turned into ApiProblem,
 * a lost connection into ConnectionLost, and a 401 handed to the sign-in (the draft stays).
 */
import { config } from './config';
import { ApiProblem, ConnectionLost } from './problem';

interface ApiAuth {
  accessToken(): string | undefined;
  /** the session ended (expired or revoked): sign in again and come back */
  onUnauthorized(): void;
}

let auth: ApiAuth | undefined;
export const connectApiAuth = (value: ApiAuth) => {
  auth = value;
};

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = auth?.accessToken();
  let response: Response;
  try {
    response = await fetch(`${config().apiUrl}${path}`, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json, application/problem+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ConnectionLost();
  }
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (response.status === 401) auth?.onUnauthorized();
  if (!response.ok) throw new ApiProblem(response.status, (body ?? {}) as ConstructorParameters<typeof ApiProblem>[1]);
  return body as T;
}

/** A file from the API (a report as CSV or Markdown), fetched with the access token for a download. */
export async function apiFile(path: string): Promise<Blob> {
  const token = auth?.accessToken();
  let response: Response;
  try {
    response = await fetch(`${config().apiUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw new ConnectionLost();
  }
  if (response.status === 401) auth?.onUnauthorized();
  if (!response.ok)
    throw new ApiProblem(response.status, (await response.json().catch(() => ({}))) as { detail?: string });
  return response.blob();
}

/** application/problem+json (RFC 9457) answers of the follower routes. */
import type { FieldError } from './report';

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): HttpAnswer {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }),
  };
}

export const validationProblem = (errors: FieldError[]): HttpAnswer =>
  problem(400, 'Invalid request', errors.map((error) => `${error.field}: ${error.message}`).join('; '), { errors });

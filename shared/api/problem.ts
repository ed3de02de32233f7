/** RFC 9457 problem details: every error the API returns has this shape. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';

export interface FieldError {
  /** dotted path of the offending field, e.g. `media[0].altText` */
  field: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown anywhere in the domain; turned into a problem+json response at the edge. */
export class ProblemError extends Error {
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly type: string;

  constructor(status: number, detail: string, options: { errors?: FieldError[]; type?: string } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.errors = options.errors;
    this.type = options.type ?? 'about:blank';
  }
}

export function problemResponse(
  status: number,
  detail: string,
  options: { errors?: FieldError[]; type?: string; instance?: string } = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: options.type ?? 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...(options.instance ? { instance: options.instance } : {}),
      ...(options.errors?.length ? { errors: options.errors } : {}),
    }),
  };
}

export const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'unknown field' }));
    }
    return [{ field: fieldPath(issue.path) || '(body)', message: issue.message }];
  });
}

/** Parse with a schema or throw a 422 listing every wrong field. */
export function parseOrProblem<T extends z.ZodType>(
  schema: T,
  value: unknown,
  detail = 'the request has invalid fields',
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ProblemError(422, detail, { errors: zodFieldErrors(result.error) });
  return result.data;
}

/** RFC 9457 problems from the API, kept whole so each field error can be shown next to its field. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: FieldProblem[];
  readonly type: string;

  constructor(status: number, body: { title?: string; detail?: string; errors?: FieldProblem[]; type?: string }) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = body.title ?? '';
    this.errors = body.errors ?? [];
    this.type = body.type ?? 'about:blank';
  }

  /** The problems the API named for one field (exactly, or a field inside it). */
  forField(field: string): FieldProblem[] {
    return this.errors.filter((error) => error.field === field || error.field.startsWith(`${field}.`));
  }
}

/** The request never got an answer (offline, connection dropped): it may or may not have arrived. */
export class ConnectionLost extends Error {
  constructor() {
    super('connection lost');
    this.name = 'ConnectionLost';
  }
}

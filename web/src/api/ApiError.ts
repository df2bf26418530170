import type { ErrorBody, FieldErrorBody } from './types';

/** An error answer from the API, in the server's `{code, message, fields}` shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrorBody[];

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? [];
  }

  /** Field errors keyed by form field name (`body.name` → `name`), for antd `Form.setFields`. */
  formFields(): { name: string; errors: string[] }[] {
    const byName = new Map<string, string[]>();
    for (const f of this.fields) {
      const name = f.field.replace(/^body\./, '');
      byName.set(name, [...(byName.get(name) ?? []), f.message]);
    }
    return [...byName].map(([name, errors]) => ({ name, errors }));
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

import type { FormInstance } from 'antd';
import { isApiError } from './ApiError';

/**
 * Shows an API error on a form: 422 field messages go under the matching fields
 * (`body.name` → `name`); anything that matches no field goes to `toast`.
 */
export function showFormErrors<T>(form: FormInstance<T>, error: unknown, toast: (text: string) => void, fallback: string): void {
  if (!isApiError(error)) {
    toast(fallback);
    return;
  }
  const known = new Set(Object.keys((form.getFieldsValue(true) ?? {}) as object));
  const fields = error.formFields();
  const matched = fields.filter((f) => known.has(f.name));
  if (matched.length) {
    form.setFields(matched as unknown as Parameters<FormInstance<T>['setFields']>[0]);
  }
  const unmatched = fields.filter((f) => !known.has(f.name));
  if (!matched.length || unmatched.length) {
    toast(unmatched.length ? unmatched.map((f) => f.errors.join(' ')).join('; ') : error.message);
  }
}

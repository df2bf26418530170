import type { FormField, FormSchema, Values } from './types';

/** Whether a field's show-if condition holds for the current answers (as the server decides). */
export function showIfHolds(field: FormField, values: Values): boolean {
  const cond = field.show_if;
  if (!cond) return true;
  const actual = values[cond.field];
  const empty = actual === undefined || actual === null || actual === '' || (Array.isArray(actual) && !actual.length);
  switch (cond.op ?? 'eq') {
    case 'filled':
      return !empty;
    case 'empty':
      return empty;
    case 'ne':
      return actual !== cond.value;
    case 'in': {
      const choices = Array.isArray(cond.value) ? (cond.value as unknown[]) : [cond.value];
      return Array.isArray(actual) ? actual.some((a) => choices.includes(a)) : choices.includes(actual);
    }
    case 'gt':
      return typeof actual === 'number' && typeof cond.value === 'number' && actual > cond.value;
    case 'lt':
      return typeof actual === 'number' && typeof cond.value === 'number' && actual < cond.value;
    default:
      return actual === cond.value;
  }
}

/** Answers without hidden fields and empty sub-table cells, as the API expects them. */
export function cleanValues(schema: FormSchema, values: Values): Values {
  const out: Values = {};
  for (const field of schema.fields ?? []) {
    if (field.type === 'formula' || field.type === 'description' || !showIfHolds(field, values)) continue;
    const v = values[field.key];
    if (v === undefined || v === null || v === '') continue;
    if (field.type === 'subtable' && Array.isArray(v)) {
      out[field.key] = (v as Values[]).map((row) => cleanValues({ fields: field.fields ?? [] }, row ?? {}));
    } else {
      out[field.key] = v;
    }
  }
  return out;
}

/** Initial answers from the schema's defaults ("$my_department" → the person's own department). */
export function initialValues(schema: FormSchema, context: { departmentId?: number; personId?: number }): Values {
  const out: Values = {};
  const today = new Date();
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  for (const field of schema.fields ?? []) {
    const d = field.default;
    if (d === '$my_department' && context.departmentId) out[field.key] = context.departmentId;
    else if (d === '$me' && context.personId) out[field.key] = context.personId;
    else if (d === '$today') out[field.key] = iso;
    else if (d !== undefined && d !== null && !(typeof d === 'string' && d.startsWith('$'))) out[field.key] = d;
    if (field.type === 'subtable' && (field.min_rows ?? 0) > 0) out[field.key] = Array.from({ length: field.min_rows ?? 0 }, () => ({}));
  }
  return out;
}

/** "values.crops.1.area" from the server → ['crops', 1, 'area'] for antd. */
export function fieldPath(serverField: string): (string | number)[] {
  return serverField
    .replace(/^values\./, '')
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

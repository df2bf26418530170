import { labelText } from './labels';
import type { FormField } from './types';

/** A stored answer as text for tables (sub-tables summarised as "N rows"). */
export function displayValue(
  field: FormField,
  value: unknown,
  language: string,
  departments?: Map<number, string>,
): string {
  if (value === undefined || value === null || value === '') return '';
  const option = (v: unknown) => {
    const o = (field.options ?? []).find((x) => x.value === v);
    return o ? labelText(o.label, language) : String(v);
  };
  switch (field.type) {
    case 'select':
      return option(value);
    case 'multiselect':
      return (value as unknown[]).map(option).join('、');
    case 'department':
      return departments?.get(value as number) ?? String(value);
    case 'boolean':
      return value ? (language.startsWith('en') ? 'Yes' : '是') : language.startsWith('en') ? 'No' : '否';
    case 'daterange':
      return (value as string[]).join(' ~ ');
    case 'subtable': {
      const rows = value as Record<string, unknown>[];
      return rows
        .map((row) => (field.fields ?? []).map((c) => displayValue(c, row[c.key], language, departments)).filter(Boolean).join(' '))
        .join('；');
    }
    case 'attachment':
    case 'image':
      return `${(value as unknown[]).length} 📎`;
    case 'signature':
      return '✍';
    case 'location': {
      const loc = value as { address?: string; lat?: number; lng?: number };
      return loc.address ?? `${loc.lat}, ${loc.lng}`;
    }
    case 'number':
    case 'money':
    case 'percent':
    case 'formula':
      return `${(value as number).toLocaleString()}${field.unit ? ` ${field.unit}` : ''}`;
    default:
      return String(value);
  }
}

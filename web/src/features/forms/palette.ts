import type { FieldType, FormField } from './types';

export const PALETTE: FieldType[] = [
  'text', 'textarea', 'number', 'money', 'percent', 'date', 'datetime', 'daterange', 'select', 'multiselect',
  'boolean', 'member', 'department', 'location', 'attachment', 'image', 'signature', 'subtable', 'formula', 'description',
];
export const COLUMN_TYPES: FieldType[] = ['text', 'number', 'money', 'percent', 'date', 'select', 'boolean', 'formula'];


export function newField(type: FieldType, taken: Set<string>, label: string): FormField {
  let n = 1;
  while (taken.has(`${type}_${n}`)) n += 1;
  const field: FormField = { key: `${type}_${n}`, type, label: { zh: label, en: '' } };
  if (type === 'select' || type === 'multiselect') {
    field.options = [1, 2].map((i) => ({ value: `o${i}`, label: { zh: `选项${i}`, en: `Option ${i}` }, color: null }));
  }
  if (type === 'subtable') field.fields = [{ key: 'item', type: 'text', label: { zh: '名称', en: 'Item' } }];
  if (type === 'formula') field.formula = '';
  return field;
}


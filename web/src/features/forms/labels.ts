import type { Label } from './types';

/** A label in the interface language (English falls back to Chinese when not translated). */
export function labelText(label: Label | null | undefined, language: string): string {
  if (!label) return '';
  return language.startsWith('en') && label.en ? label.en : label.zh;
}

export function nameText(item: { name: string; name_en?: string }, language: string): string {
  return language.startsWith('en') && item.name_en ? item.name_en : item.name;
}

import { describe, expect, it } from 'vitest';
import { MESSAGES } from '.';

// English needs plural forms (key_one / key_other) where Chinese has one: compare the base keys.
const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix.replace(PLURAL, '')];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('locales', () => {
  it('zh-CN and en-US have the same keys, shell and features alike', () => {
    const zh = [...new Set(keys(MESSAGES['zh-CN']))];
    const en = [...new Set(keys(MESSAGES['en-US']))];
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
  });

  it('carries the features’ own files', () => {
    expect(keys(MESSAGES['zh-CN']).some((k) => k.startsWith('im.'))).toBe(true);
  });
});

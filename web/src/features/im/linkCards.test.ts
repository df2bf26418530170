import { describe, expect, it } from 'vitest';
import { linkCardIn } from './linkCards';

const LINKS = [
  { type: 'doc', pattern: /^\/docs\/(\d+)$/ },
  { type: 'minutes', pattern: /^\/minutes\/(\d+)$/ },
];
const ORIGIN = 'https://oa.yunxi.gov.cn';

describe('linkCardIn', () => {
  it('finds the first link to one of our pages', () => {
    expect(linkCardIn('请看 https://oa.yunxi.gov.cn/docs/12 谢谢', ORIGIN, LINKS)).toEqual({ type: 'doc', ref: '12' });
    expect(linkCardIn('https://oa.yunxi.gov.cn/x and https://oa.yunxi.gov.cn/minutes/3', ORIGIN, LINKS)).toEqual({
      type: 'minutes',
      ref: '3',
    });
  });

  it('ignores other sites, other pages and lookalike paths', () => {
    expect(linkCardIn('https://evil.example/docs/12', ORIGIN, LINKS)).toBeNull();
    expect(linkCardIn('https://oa.yunxi.gov.cn.evil.example/docs/12', ORIGIN, LINKS)).toBeNull();
    expect(linkCardIn('https://oa.yunxi.gov.cn/docs/12/edit', ORIGIN, LINKS)).toBeNull();
    expect(linkCardIn('/docs/12 without a host', ORIGIN, LINKS)).toBeNull();
    expect(linkCardIn('no links here', ORIGIN, LINKS)).toBeNull();
  });
});

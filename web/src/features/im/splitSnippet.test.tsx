import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Snippet } from './Snippet';
import { readableMentions, splitSnippet } from './splitSnippet';

describe('search snippets', () => {
  it('splits on the server markers', () => {
    expect(splitSnippet('明天\u0002周会\u0003改到\u0002下午\u0003三点')).toEqual([
      { text: '明天', match: false },
      { text: '周会', match: true },
      { text: '改到', match: false },
      { text: '下午', match: true },
      { text: '三点', match: false },
    ]);
    expect(splitSnippet('no markers')).toEqual([{ text: 'no markers', match: false }]);
    expect(splitSnippet('\u0002all\u0003')).toEqual([{ text: 'all', match: true }]);
  });

  it('tolerates an unclosed marker', () => {
    expect(splitSnippet('a\u0002b')).toEqual([
      { text: 'a', match: false },
      { text: 'b', match: true },
    ]);
  });

  it('renders marks and keeps HTML in the snippet as text', () => {
    const { container } = render(<Snippet text={'<img src=x onerror=alert(1)> \u0002周会\u0003'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('mark')?.textContent).toBe('周会');
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> 周会');
  });

  it('shows mention tokens as names, and leaves a token cut by a highlight alone', () => {
    const label = (token: string) => (token === '23' ? '@韩雪' : `@${token}`);
    expect(readableMentions('<@23> 请看\u0002里程碑\u0003', label)).toBe('@韩雪 请看\u0002里程碑\u0003');
    expect(readableMentions('<@\u000223\u0003>', label)).toBe('<@\u000223\u0003>');
  });
});

import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';
import { parseInline, plainText, safeHref } from './markdownParse';

function html(text: string, names: string[] = []) {
  return render(<Markdown text={text} mentionNames={names} />).container;
}

describe('Markdown', () => {
  it('renders bold, italic, code, links and lists', () => {
    const el = html('**粗体** and *italic* and _also_ and `a<b>`\n- one\n- two\n\n1. first\n2. second\n[site](https://example.cn/a?b=1)');
    expect(el.querySelector('strong')?.textContent).toBe('粗体');
    expect([...el.querySelectorAll('em')].map((e) => e.textContent)).toEqual(['italic', 'also']);
    expect(el.querySelector('code')?.textContent).toBe('a<b>');
    expect([...el.querySelectorAll('ul li')].map((e) => e.textContent)).toEqual(['one', 'two']);
    expect([...el.querySelectorAll('ol li')].map((e) => e.textContent)).toEqual(['first', 'second']);
    const a = el.querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.cn/a?b=1');
    expect(a?.getAttribute('rel')).toContain('noopener');
    expect(a?.getAttribute('target')).toBe('_blank');
  });

  it('links bare URLs without the sentence punctuation, and mailto', () => {
    const el = html('see https://a.cn/x. or mailto:li@a.cn，ok');
    expect([...el.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://a.cn/x', 'mailto:li@a.cn']);
  });

  it('keeps snake_case words and lone stars as text', () => {
    const el = html('call my_var_name with 2 * 3 * 4');
    expect(el.querySelector('em')).toBeNull();
    expect(el.textContent).toBe('call my_var_name with 2 * 3 * 4');
  });

  it('highlights mentions of members, longest name first, and @all', () => {
    const nodes = parseInline('@张三丰 和 @张三 还有 @所有人 和 li@zhang.cn', ['张三', '张三丰']);
    expect(nodes.filter((n) => n.t === 'mention').map((n) => (n.t === 'mention' ? n.text : ''))).toEqual([
      '@张三丰',
      '@张三',
      '@所有人',
    ]);
    const el = html('@韩雪 看一下', ['韩雪']);
    expect(el.querySelector('.im-mention')?.textContent).toBe('@韩雪');
  });

  it('keeps line breaks inside a paragraph', () => {
    const el = html('a\nb');
    expect(el.querySelectorAll('p')).toHaveLength(1);
    expect(el.querySelectorAll('br')).toHaveLength(1);
  });

  const XSS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '**<img src=x onerror=alert(1)>**',
    '<style>body{display:none}</style>',
  ];

  it.each(XSS)('renders %s as text, creating no element from it', (attack) => {
    const el = html(attack);
    expect(el.textContent).toBe(plainText(attack) === attack ? attack : el.textContent);
    expect(el.textContent).toContain('<');
    expect(el.querySelector('script, img, svg, iframe, style, a')).toBeNull();
    for (const node of el.querySelectorAll('*')) {
      for (const attr of node.getAttributeNames()) expect(attr.startsWith('on')).toBe(false);
    }
  });

  it.each([
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](data:text/html,<script>alert(1)</script>)',
    '[click](vbscript:msgbox(1))',
    '[click](//evil.example/x)',
    '[click](/relative)',
    'javascript:alert(1)',
    '[x](https://ok.cn" onmouseover="alert(1))',
  ])('does not link %s', (text) => {
    const el = html(text);
    for (const a of el.querySelectorAll('a')) {
      expect(a.getAttribute('href')).toMatch(/^(https?:|mailto:)/);
      expect(a.getAttribute('href')).not.toContain('"');
      expect(a.getAttributeNames().sort()).toEqual(['href', 'rel', 'target']);
    }
    expect(el.innerHTML).not.toMatch(/href="(javascript|data|vbscript):/i);
  });

  it('accepts only absolute http, https and mailto hrefs', () => {
    expect(safeHref('https://a.cn')).toBe('https://a.cn/');
    expect(safeHref('HTTP://a.cn/x')).toBe('http://a.cn/x');
    expect(safeHref('mailto:a@b.cn')).toBe('mailto:a@b.cn');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' javascript:alert(1)')).toBeNull();
    expect(safeHref('/x')).toBeNull();
    expect(safeHref('ftp://a.cn')).toBeNull();
  });

  it('makes a one-line plain text for previews', () => {
    expect(plainText('**hi** _there_\n- a\n- b')).toBe('hi there a b');
  });
});

describe('mention tokens', () => {
  it('shows <@id> as the member name and <@all> as @所有人', () => {
    const nodes = parseInline('hi <@2> and <@all> and <@9>', [], (id) => (id === 2 ? '韩雪' : undefined));
    expect(nodes.filter((n) => n.t === 'mention').map((n) => (n.t === 'mention' ? n.text : ''))).toEqual(['@韩雪', '@所有人', '@9']);
  });
});

import { describe, expect, it } from 'vitest';
import { encodeMentions, insertMention, mentionAt } from './mentionQuery';

describe('mention autocomplete', () => {
  it('finds the partial name before the caret', () => {
    expect(mentionAt('你好 @韩', 5)).toEqual({ start: 3, query: '韩' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail li@a.cn', 12)).toBeNull();
    expect(mentionAt('@韩雪 你好', 6)).toBeNull();
  });

  it('inserts the chosen name and moves the caret after it', () => {
    expect(insertMention('hi @韩 there', 3, 5, '韩雪')).toEqual({ text: 'hi @韩雪  there', caret: 7 });
  });
});

describe('encodeMentions', () => {
  const people = [
    { id: 2, name: '韩雪' },
    { id: 3, name: '韩雪梅' },
  ];
  it('turns member names into server tokens, longest first', () => {
    expect(encodeMentions('@韩雪梅 和 @韩雪 看下，@所有人', people, true)).toBe('<@3> 和 <@2> 看下，<@all>');
    expect(encodeMentions('mail han@韩雪', people, true)).toBe('mail han@韩雪');
    expect(encodeMentions('@所有人', people, false)).toBe('@所有人');
  });
});

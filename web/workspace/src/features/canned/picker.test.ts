import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '../../api/types';
import {
  filterCanned,
  flatten,
  groupByCategory,
  moveHighlight,
  pickerKeyAction,
  replaceSlash,
  slashQuery,
} from './picker';

let nextId = 1;
function canned(over: Partial<CannedResponse>): CannedResponse {
  return {
    id: nextId++,
    team: true,
    category: '',
    shortcut: 's',
    title: 't',
    body: 'b',
    created_at: '2026-11-30T00:00:00Z',
    updated_at: '2026-11-30T00:00:00Z',
    ...over,
  };
}

const library = [
  canned({ category: '问候 Greetings', shortcut: '问候', title: '问候语', body: '{{customer.name}}您好' }),
  canned({ category: '问候 Greetings', shortcut: 'greet', title: 'Greeting', body: 'Hello {{customer.name}}' }),
  canned({ category: '处理中 In progress', shortcut: '稍等', title: '请稍等', body: '我正在为您查询' }),
  canned({ category: '处理中 In progress', shortcut: 'wait', title: 'Please wait', body: 'One moment, I will greet the team' }),
  canned({ category: '', shortcut: 'addr', title: 'Address', body: 'No. 1 Road', team: false }),
];

describe('slash query', () => {
  it('opens at a / that starts a word, up to the caret', () => {
    expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQuery('/gre', 4)).toEqual({ start: 0, query: 'gre' });
    expect(slashQuery('您好 /问候', 6)).toEqual({ start: 3, query: '问候' });
    expect(slashQuery('line\n/wa', 8)).toEqual({ start: 5, query: 'wa' });
  });

  it('stays closed for URLs, dates, after a space and before the caret moves in', () => {
    expect(slashQuery('http://x', 8)).toBeNull();
    expect(slashQuery('2026/11', 7)).toBeNull();
    expect(slashQuery('/greet now', 10)).toBeNull();
    expect(slashQuery('hello', 5)).toBeNull();
    expect(slashQuery('/greet', 0)).toBeNull();
  });

  it('replaces only the /word and puts the caret after the insert', () => {
    const q = slashQuery('您好 /问候 谢谢', 6)!;
    expect(replaceSlash('您好 /问候 谢谢', q, '王先生您好')).toEqual({ text: '您好 王先生您好 谢谢', caret: 8 });
  });
});

describe('filtering', () => {
  const shortcuts = (q: string) => filterCanned(library, q).map((c) => c.shortcut);

  it('matches shortcut, title and body, case-insensitively, Chinese inside words', () => {
    expect(shortcuts('GREET')).toEqual(['greet', 'wait']);
    expect(shortcuts('问候')).toEqual(['问候']);
    expect(shortcuts('查询')).toEqual(['稍等']);
    expect(shortcuts('稍')).toEqual(['稍等']);
    expect(shortcuts('nothing')).toEqual([]);
    expect(shortcuts('customer')).toEqual([]); // variable names are not text
  });

  it('ranks shortcut prefixes first, then titles, then bodies', () => {
    const list = [canned({ shortcut: 'x', title: 'Thanks' }), canned({ shortcut: 'y', body: 'thanks a lot' }), canned({ shortcut: 'thanks' })];
    expect(filterCanned(list, 'thanks').map((c) => c.shortcut)).toEqual(['thanks', 'x', 'y']);
  });

  it('shows everything for an empty query, grouped by category in library order', () => {
    const groups = groupByCategory(filterCanned(library, ''));
    expect(groups.map((g) => g.category)).toEqual(['问候 Greetings', '处理中 In progress', '']);
    expect(flatten(groups).map((c) => c.shortcut)).toEqual(['问候', 'greet', '稍等', 'wait', 'addr']);
  });
});

describe('picker keys', () => {
  it('arrows move, Enter and Tab insert, Esc closes', () => {
    expect(pickerKeyAction({ key: 'ArrowDown' })).toBe('down');
    expect(pickerKeyAction({ key: 'ArrowUp' })).toBe('up');
    expect(pickerKeyAction({ key: 'Enter' })).toBe('insert');
    expect(pickerKeyAction({ key: 'Tab' })).toBe('insert');
    expect(pickerKeyAction({ key: 'Escape' })).toBe('close');
    expect(pickerKeyAction({ key: 'a' })).toBe('none');
    expect(pickerKeyAction({ key: 'Enter', shiftKey: true })).toBe('none');
  });

  it('leaves every key to the IME while it composes (pinyin Enter commits the candidate)', () => {
    for (const key of ['Enter', 'ArrowDown', 'ArrowUp', 'Tab', 'Escape']) {
      expect(pickerKeyAction({ key, isComposing: true })).toBe('none');
      expect(pickerKeyAction({ key, keyCode: 229 })).toBe('none');
    }
  });

  it('wraps the highlight around', () => {
    expect(moveHighlight(0, 3, 'up')).toBe(2);
    expect(moveHighlight(2, 3, 'down')).toBe(0);
    expect(moveHighlight(0, 0, 'down')).toBe(0);
  });
});

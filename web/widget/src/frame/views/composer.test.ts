// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { translator } from '../../i18n';
import { charCount, lengthState } from '../message-length';
import { Composer } from './composer';
import { EMOJI, insertAt } from './emoji-picker';

const make = (maxChars?: number) => {
  const onSend = vi.fn();
  const c = new Composer({ t: translator('zh-CN'), onSend, onFile: () => {}, onInput: () => {}, maxChars });
  document.body.replaceChildren(c.el);
  const q = <T extends HTMLElement>(id: string) => c.el.querySelector<T>(`[data-testid=${id}]`)!;
  const input = q<HTMLTextAreaElement>('composer-input');
  const type = (text: string) => {
    input.value = text;
    input.dispatchEvent(new Event('input'));
  };
  return { c, onSend, q, input, type };
};

describe('message length', () => {
  it('counts code points after trimming, as the server does', () => {
    expect(charCount('  😀好 ')).toBe(2);
    expect(lengthState('x'.repeat(4499))).toMatchObject({ showCounter: false, over: false });
    expect(lengthState('x'.repeat(4500))).toMatchObject({ showCounter: true, over: false });
    expect(lengthState('x'.repeat(5001))).toMatchObject({ count: 5001, over: true });
  });
});

describe('Composer', () => {
  it('shows "4600 / 5000" from 90% of the limit and hides it below', () => {
    const { q, type } = make();
    type('x'.repeat(100));
    expect(q('composer-counter').hidden).toBe(true);
    type('x'.repeat(4600));
    expect(q('composer-counter').hidden).toBe(false);
    expect(q('composer-counter').textContent).toBe('4600 / 5000');
  });

  it('over the limit it blocks sending, keeps every character and says so in red', () => {
    const { q, input, type, onSend } = make();
    const long = '长'.repeat(5003);
    type(long);
    q('composer-send').click();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(onSend).not.toHaveBeenCalled();
    expect(input.value).toBe(long);
    expect(input.hasAttribute('maxlength')).toBe(false);
    expect(q('composer-counter').classList.contains('composer__counter--over')).toBe(true);
    expect(q('composer-counter').textContent).toContain('超出 3 个字');
    expect(q('composer-send').getAttribute('aria-disabled')).toBe('true');
    // Shortened, it sends.
    type('长'.repeat(5000));
    q('composer-send').click();
    expect(onSend).toHaveBeenCalledWith('长'.repeat(5000));
    expect(q('composer-counter').hidden).toBe(true);
  });

  it('uses the limit it is given', () => {
    const { q, type } = make(100);
    type('x'.repeat(95));
    expect(q('composer-counter').textContent).toBe('95 / 100');
  });

  it('the emoji button opens a grid whose pick goes in at the caret, and Esc closes it', () => {
    const { q, input, type } = make();
    type('你好世界');
    input.setSelectionRange(2, 2);
    const toggle = q<HTMLButtonElement>('composer-emoji');
    expect(toggle.getAttribute('aria-label')).toBe('表情');
    toggle.click();
    expect(q('emoji-panel').hidden).toBe(false);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const cells = [...q('emoji-panel').querySelectorAll<HTMLButtonElement>('[data-testid=emoji-option]')];
    expect(cells.map((b) => b.textContent)).toEqual(EMOJI);
    cells[10]!.click();
    expect(input.value).toBe(`你好${EMOJI[10]}世界`);
    expect(input.selectionStart).toBe(2 + EMOJI[10]!.length);
    expect(q('emoji-panel').hidden).toBe(true);

    toggle.click();
    q('emoji-panel').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(q('emoji-panel').hidden).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
  });

  it('insertAt replaces the selection', () => {
    expect(insertAt('abcdef', 1, 3, 'X')).toEqual({ text: 'aXdef', caret: 2 });
    expect(insertAt('ab', 9, 9, 'X')).toEqual({ text: 'abX', caret: 3 });
  });
});

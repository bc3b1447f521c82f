import { describe, expect, it } from 'vitest';
import { composerKeyAction, type KeyLike } from './keys';

const key = (over: Partial<KeyLike>): KeyLike => ({ key: 'Enter', shiftKey: false, altKey: false, isComposing: false, ...over });

describe('composerKeyAction', () => {
  it('sends on a plain Enter', () => {
    expect(composerKeyAction(key({}))).toBe('send');
  });
  it('inserts a new line on Shift+Enter or Alt+Enter', () => {
    expect(composerKeyAction(key({ shiftKey: true }))).toBe('default');
    expect(composerKeyAction(key({ altKey: true }))).toBe('default');
  });
  it('ignores Enter while a pinyin IME is composing (Chrome: isComposing, Safari: keyCode 229)', () => {
    expect(composerKeyAction(key({ isComposing: true }))).toBe('default');
    expect(composerKeyAction(key({ keyCode: 229 }))).toBe('default');
  });
  it('leaves other keys alone', () => {
    expect(composerKeyAction(key({ key: 'a' }))).toBe('default');
  });
});

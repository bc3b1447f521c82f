import { describe, expect, it } from 'vitest';
import { composerKeyAction } from './composerKeys';

describe('composer Enter key', () => {
  it('Enter sends, Shift+Enter makes a new line', () => {
    expect(composerKeyAction({ key: 'Enter' })).toBe('send');
    expect(composerKeyAction({ key: 'Enter', shiftKey: true })).toBe('newline');
    expect(composerKeyAction({ key: 'a' })).toBe('none');
  });

  it('never sends while a pinyin IME is composing', () => {
    expect(composerKeyAction({ key: 'Enter', isComposing: true })).toBe('none');
    // Some browsers (Safari) report the committing Enter only through keyCode 229.
    expect(composerKeyAction({ key: 'Enter', keyCode: 229 })).toBe('none');
  });
});

import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '../../api/types';
import { normalShortcut, shortcutProblem } from './form';

const lib = [{ id: 1, shortcut: '问候' }, { id: 2, shortcut: 'greet' }] as CannedResponse[];

describe('canned response editor checks', () => {
  it('drops a typed / and spaces around', () => {
    expect(normalShortcut(' /greet ')).toBe('greet');
  });

  it('refuses spaces, / inside and overlong shortcuts', () => {
    expect(shortcutProblem('two words', lib, null)).toBe('agent.canned.errors.shortcutShape');
    expect(shortcutProblem('a/b', lib, null)).toBe('agent.canned.errors.shortcutShape');
    expect(shortcutProblem('x'.repeat(33), lib, null)).toBe('agent.canned.errors.shortcutShape');
    expect(shortcutProblem('字'.repeat(32), lib, null)).toBeNull();
  });

  it('refuses a shortcut the library already has, except the one being edited', () => {
    expect(shortcutProblem('/问候', lib, null)).toBe('agent.canned.errors.shortcutTaken');
    expect(shortcutProblem('问候', lib, 1)).toBeNull();
    expect(shortcutProblem('Greet', lib, null)).toBeNull();
    expect(shortcutProblem('', lib, null)).toBeNull();
  });
});

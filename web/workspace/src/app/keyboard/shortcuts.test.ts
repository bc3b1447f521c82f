import { describe, expect, it, vi } from 'vitest';
import { comboOf, normalizeCombo, ShortcutRegistry, type KeyLike } from './shortcuts';

function key(k: string, over: Partial<KeyLike> = {}): KeyLike {
  return { key: k, preventDefault: vi.fn(), ...over };
}

describe('shortcut registry', () => {
  it('normalizes combos and events to the same form', () => {
    expect(normalizeCombo('Alt+ArrowDown')).toBe('Alt+ArrowDown');
    expect(normalizeCombo('Shift+Ctrl+K')).toBe('Ctrl+Shift+k');
    expect(comboOf(key('ArrowDown', { altKey: true }))).toBe('Alt+ArrowDown');
    expect(comboOf(key('K', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+k');
    // "?" is Shift+/ on most layouts; the character already says it.
    expect(comboOf(key('?', { shiftKey: true }))).toBe('?');
    // Alt+T on macOS reports "†"; the physical key wins.
    expect(comboOf(key('†', { altKey: true, code: 'KeyT' }))).toBe('Alt+t');
  });

  it('runs the matching shortcut and prevents the default action', () => {
    const reg = new ShortcutRegistry({ isModalOpen: () => false });
    const run = vi.fn();
    reg.register({ id: 'next', combo: 'Alt+ArrowDown', descriptionKey: 'x', run });
    const e = key('ArrowDown', { altKey: true });
    expect(reg.handle(e)).toBe(true);
    expect(run).toHaveBeenCalledOnce();
    expect(e.preventDefault).toHaveBeenCalled();
    expect(reg.handle(key('ArrowDown'))).toBe(false);
  });

  it('ignores keys while an IME is composing (isComposing or keyCode 229)', () => {
    const reg = new ShortcutRegistry({ isModalOpen: () => false });
    const run = vi.fn();
    reg.register({ id: 'help', combo: '?', descriptionKey: 'x', allowInInput: true, run });
    expect(reg.handle(key('?', { isComposing: true }))).toBe(false);
    expect(reg.handle(key('?', { keyCode: 229 }))).toBe(false);
    expect(run).not.toHaveBeenCalled();
    expect(reg.handle(key('?'))).toBe(true);
  });

  it('is muted while a modal dialog is open unless a shortcut opts in', () => {
    let modal = true;
    const reg = new ShortcutRegistry({ isModalOpen: () => modal });
    const quiet = vi.fn();
    const loud = vi.fn();
    reg.register({ id: 'a', combo: 'Alt+ArrowUp', descriptionKey: 'x', run: quiet });
    reg.register({ id: 'b', combo: 'Alt+ArrowDown', descriptionKey: 'x', allowUnderModal: true, run: loud });
    reg.handle(key('ArrowUp', { altKey: true }));
    reg.handle(key('ArrowDown', { altKey: true }));
    expect(quiet).not.toHaveBeenCalled();
    expect(loud).toHaveBeenCalledOnce();
    modal = false;
    reg.handle(key('ArrowUp', { altKey: true }));
    expect(quiet).toHaveBeenCalledOnce();
  });

  it('ignores keys typed into form fields unless allowed', () => {
    const reg = new ShortcutRegistry({ isModalOpen: () => false });
    const run = vi.fn();
    const runInInput = vi.fn();
    reg.register({ id: 'help', combo: '?', descriptionKey: 'x', run });
    reg.register({ id: 'next', combo: 'Alt+ArrowDown', descriptionKey: 'x', allowInInput: true, run: runInInput });
    const textarea = document.createElement('textarea');
    reg.handle(key('?', { target: textarea }));
    reg.handle(key('ArrowDown', { altKey: true, target: textarea }));
    expect(run).not.toHaveBeenCalled();
    expect(runInInput).toHaveBeenCalledOnce();
  });

  it('unregisters, and a re-registered id replaces the old entry', () => {
    const reg = new ShortcutRegistry({ isModalOpen: () => false });
    const first = vi.fn();
    const second = vi.fn();
    const off = reg.register({ id: 'x', combo: 'Alt+1', descriptionKey: 'x', run: first });
    reg.register({ id: 'x', combo: 'Alt+1', descriptionKey: 'x', run: second });
    off(); // the old handle must not remove the replacement
    reg.handle(key('1', { altKey: true, code: 'Digit1' }));
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();
    expect(reg.list()).toHaveLength(1);
  });

  it('default modal detection sees a visible aria-modal element', () => {
    const reg = new ShortcutRegistry();
    const run = vi.fn();
    reg.register({ id: 'a', combo: 'Alt+ArrowUp', descriptionKey: 'x', run });
    const dialog = document.createElement('div');
    dialog.setAttribute('aria-modal', 'true');
    dialog.getClientRects = () => [{}] as unknown as DOMRectList;
    document.body.appendChild(dialog);
    reg.handle(key('ArrowUp', { altKey: true }));
    expect(run).not.toHaveBeenCalled();
    dialog.remove();
    reg.handle(key('ArrowUp', { altKey: true }));
    expect(run).toHaveBeenCalledOnce();
  });
});

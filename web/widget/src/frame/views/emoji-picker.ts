// The composer's emoji button: opens a small grid (a group of buttons, each named by its emoji);
// a click or Enter picks one, which the composer inserts at the caret; Esc or leaving the grid
// closes it, Esc returning focus to the button. No emoji library: a curated set.

import type { Translate } from '../../i18n';
import { h } from '../dom';

export const EMOJI: readonly string[] = [
  '😀', '😄', '😊', '🙂', '😉', '😍', '🤔', '😅',
  '😂', '🙏', '👍', '👌', '👏', '🙌', '💪', '🤝',
  '👋', '✅', '❌', '❓', '❗', '💡', '⏰', '📞',
  '😢', '😔', '😮', '😓', '🤗', '😎', '❤️', '🎉',
];

/** Replaces the selection [start, end) of `text` with `insert`; the caret goes right after it. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), caret: a + insert.length };
}

export function emojiPicker(t: Translate, onPick: (emoji: string) => void): HTMLElement {
  const button = h('button', {
    type: 'button',
    class: 'icon-btn emoji__toggle',
    'aria-label': t('emoji'),
    title: t('emoji'),
    'aria-expanded': 'false',
    'aria-haspopup': 'true',
    'data-testid': 'composer-emoji',
  }, '😊');
  const cells = EMOJI.map((e) => h('button', { type: 'button', class: 'emoji__cell', 'aria-label': e, 'data-testid': 'emoji-option' }, e));
  const panel = h('div', { class: 'emoji__panel', role: 'group', 'aria-label': t('emoji'), 'data-testid': 'emoji-panel', hidden: true }, ...cells);
  const root = h('div', { class: 'emoji' }, button, panel);

  const show = (open: boolean) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  // Keep the textarea's caret: the buttons never take focus from it on a mouse press.
  root.addEventListener('mousedown', (e) => e.preventDefault());
  button.addEventListener('click', () => {
    show(panel.hidden);
    if (!panel.hidden) cells[0]?.focus();
  });
  panel.addEventListener('click', (e) => {
    const cell = (e.target as HTMLElement).closest('.emoji__cell');
    if (!cell) return;
    show(false);
    onPick(cell.textContent ?? '');
  });
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      e.stopPropagation();
      show(false);
      button.focus();
      return;
    }
    // Arrow keys move through the grid (8 a row).
    const i = cells.indexOf(e.target as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
    if (i < 0 || step === undefined) return;
    e.preventDefault();
    cells[Math.max(0, Math.min(cells.length - 1, i + step))]?.focus();
  });
  root.addEventListener('focusout', (e) => {
    const to = e.relatedTarget as Node | null;
    if (!to || !root.contains(to)) show(false);
  });
  return root;
}

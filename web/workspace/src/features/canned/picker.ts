//! The composer's `/` picker, without the DOM: finding the `/word` being typed at the caret,
//! filtering and grouping the responses, and what each key does while the picker is open.

import type { CannedResponse } from '../../api/types';

/** The `/word` the caret is in: where the `/` is and what follows it up to the caret. */
export interface SlashQuery {
  start: number;
  query: string;
}

/**
 * The `/` query at the caret, or null. The `/` must start a word (at the beginning or after
 * whitespace), so URLs and dates such as `2024/05` never open the picker; the word ends at
 * whitespace.
 */
export function slashQuery(text: string, caret: number): SlashQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([^\s/]*)$/u.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}

/** The text with the `/query` replaced by `insert`, and where the caret goes after it. */
export function replaceSlash(text: string, q: SlashQuery, insert: string): { text: string; caret: number } {
  const end = q.start + 1 + q.query.length;
  return { text: text.slice(0, q.start) + insert + text.slice(end), caret: q.start + insert.length };
}

/**
 * The responses matching `query` (case-insensitive), best first: shortcut starts with it, then
 * shortcut or title contains it, then the body does (its `{{variables}}` aside: `/g` should not
 * find every body holding `{{agent.name}}`). Ties keep the library's order.
 */
export function filterCanned(items: readonly CannedResponse[], query: string): CannedResponse[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...items];
  const rank = (c: CannedResponse): number => {
    const shortcut = c.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q) || c.title.toLowerCase().includes(q)) return 1;
    if (c.body.replace(/\{\{[^}]*\}\}/gu, ' ').toLowerCase().includes(q)) return 2;
    return 3;
  };
  return items
    .map((c, i) => ({ c, i, r: rank(c) }))
    .filter((x) => x.r < 3)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c);
}

export interface CannedGroup {
  category: string;
  items: CannedResponse[];
}

/** Grouped by category in first-seen order (the flat order the keyboard walks is the same). */
export function groupByCategory(items: readonly CannedResponse[]): CannedGroup[] {
  const groups: CannedGroup[] = [];
  for (const c of items) {
    let g = groups.find((x) => x.category === c.category);
    if (!g) groups.push((g = { category: c.category, items: [] }));
    g.items.push(c);
  }
  return groups;
}

/** The flat order of grouped items: what arrow keys walk through. */
export function flatten(groups: readonly CannedGroup[]): CannedResponse[] {
  return groups.flatMap((g) => g.items);
}

export type PickerKeyAction = 'up' | 'down' | 'insert' | 'close' | 'none';

export interface PickerKey {
  key: string;
  isComposing?: boolean;
  keyCode?: number;
  shiftKey?: boolean;
}

/**
 * What a key does while the picker is open. While an IME is composing (pinyin: Enter commits the
 * candidate, arrows move among candidates), the key belongs to the IME and does nothing here.
 */
export function pickerKeyAction(e: PickerKey): PickerKeyAction {
  if (e.isComposing || e.keyCode === 229) return 'none';
  switch (e.key) {
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    case 'Enter':
      return e.shiftKey ? 'none' : 'insert';
    case 'Tab':
      return 'insert';
    case 'Escape':
      return 'close';
    default:
      return 'none';
  }
}

/** The next highlighted index, wrapping around. */
export function moveHighlight(index: number, count: number, action: 'up' | 'down'): number {
  if (count === 0) return 0;
  return (index + (action === 'down' ? 1 : -1) + count) % count;
}

/** The DOM id of an option, for `aria-activedescendant`. */
export function optionId(listId: string, index: number): string {
  return `${listId}-opt-${index}`;
}

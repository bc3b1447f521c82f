//! A small, curated emoji set for the composer (no emoji library: these cover what agents send
//! every day), and inserting text at the caret.

export const EMOJI: readonly string[] = [
  '😀', '😄', '😊', '🙂', '😉', '😍', '🤔', '😅',
  '😂', '🙏', '👍', '👌', '👏', '🙌', '💪', '🤝',
  '👋', '✅', '❌', '⚠️', '❓', '❗', '💡', '📌',
  '⏰', '📞', '📧', '📎', '🎉', '❤️', '🌹', '☕',
  '😢', '😔', '😮', '😓', '🤗', '😎', '🙇', '💯',
];

export interface Inserted {
  text: string;
  /** Where the caret goes: right after the inserted text. */
  caret: number;
}

/** Replaces the selection [start, end) of `text` with `insert` (UTF-16 offsets, as the DOM gives). */
export function insertAt(text: string, start: number, end: number, insert: string): Inserted {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), caret: a + insert.length };
}

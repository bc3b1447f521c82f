//! The message length limit as the composer shows it: the server refuses a text longer than the
//! organisation's limit (`max_message_chars`, default 5000, counted in Unicode code points after
//! trimming; stores/messageLimit reads it), so the composer counts the same way, shows a counter
//! near the limit and blocks sending over it.

/** The limit until the server's figure arrives. */
export const DEFAULT_MAX_TEXT_CHARS = 5000;
/** The counter appears from this share of the limit on. */
export const COUNTER_SHARE = 0.9;

export interface LengthState {
  count: number;
  /** Characters still allowed; negative when over. */
  left: number;
  showCounter: boolean;
  over: boolean;
}

/** Code points, as the server counts (`'😀'.length` is 2, but it is one character). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text.trim()) n++;
  return n;
}

export function lengthState(text: string, max = DEFAULT_MAX_TEXT_CHARS, from = Math.floor(max * COUNTER_SHARE)): LengthState {
  const count = charCount(text);
  return { count, left: max - count, showCounter: count >= from, over: count > max };
}

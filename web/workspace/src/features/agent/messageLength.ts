//! The message length limit as the composer shows it: the server refuses a text of more than
//! 5000 characters (MAX_TEXT_CHARS, counted in Unicode code points after trimming), so the
//! composer counts the same way, shows a counter near the limit and blocks sending over it.

export const MAX_TEXT_CHARS = 5000;
/** The counter appears from here on (90% of the limit). */
export const COUNTER_FROM = 4500;

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

export function lengthState(text: string, max = MAX_TEXT_CHARS, from = COUNTER_FROM): LengthState {
  const count = charCount(text);
  return { count, left: max - count, showCounter: count >= from, over: count > max };
}

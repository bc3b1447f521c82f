// The message length limit as the widget's composer shows it, by the workspace's rule: the
// server refuses a text longer than the organisation's limit (an admin sets it; default 5000
// characters, Unicode code points after trimming), so
// the composer counts the same way, shows "4600 / 5000" from 90% of the limit and blocks sending
// over it, keeping the text (the textarea has no maxlength: a paste is never silently cut).
// The server's figure comes in GET /widget/config (`max_message_chars`); this is the fallback
// until the config arrives.

export const MAX_TEXT_CHARS = 5000;

export interface LengthState {
  count: number;
  /** The counter shows from 90% of the limit. */
  showCounter: boolean;
  over: boolean;
}

/** Code points, as the server counts (`'😀'.length` is 2, but it is one character). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text.trim()) n++;
  return n;
}

export function lengthState(text: string, max = MAX_TEXT_CHARS): LengthState {
  const count = charCount(text);
  return { count, showCounter: count >= Math.ceil(max * 0.9), over: count > max };
}

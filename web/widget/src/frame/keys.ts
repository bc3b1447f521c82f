// What Enter does in the composer. Pure, so the IME rule is tested without a browser.

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  isComposing: boolean;
  keyCode?: number;
}

/**
 * 'send' for a plain Enter; 'default' lets the textarea handle the key (Shift/Alt+Enter = new
 * line). Enter while an IME is composing (pinyin candidates) only confirms the candidate: Chrome
 * flags it with `isComposing`, Safari only with keyCode 229.
 */
export function composerKeyAction(e: KeyLike): 'send' | 'default' {
  if (e.key !== 'Enter') return 'default';
  if (e.isComposing || e.keyCode === 229) return 'default';
  if (e.shiftKey || e.altKey) return 'default';
  return 'send';
}

//! What Enter does in the composer. Pinyin and other IMEs use Enter to commit a candidate: while
//! composing, Enter must never send (browsers flag it with isComposing, or keyCode 229).

export type ComposerKeyAction = 'send' | 'newline' | 'none';

export interface ComposerKey {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  keyCode?: number;
}

export function composerKeyAction(e: ComposerKey): ComposerKeyAction {
  if (e.key !== 'Enter') return 'none';
  if (e.isComposing || e.keyCode === 229) return 'none';
  if (e.shiftKey || e.altKey) return 'newline';
  return 'send';
}

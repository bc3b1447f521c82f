//! A small typed keyboard-shortcut registry. Shortcuts are declared with a combo such as
//! "Alt+ArrowUp" or "?"; the registry ignores keys typed while an IME is composing (pinyin),
//! stays quiet under modal dialogs, and by default ignores keys typed into form fields.

export type Modifier = 'Ctrl' | 'Alt' | 'Shift' | 'Meta';

export interface Shortcut {
  /** Unique id; registering the same id again replaces the earlier one. */
  id: string;
  /** "Alt+ArrowDown", "Ctrl+K", "?" — modifiers first, then a KeyboardEvent.key (case-insensitive for letters). */
  combo: string;
  /** i18n key of the description shown in the help dialog. */
  descriptionKey: string;
  /** Also fire when focus is in an input, textarea, select or contenteditable (default false). */
  allowInInput?: boolean;
  /** Also fire while a modal dialog is open (default false). */
  allowUnderModal?: boolean;
  run: (e: KeyLike) => void;
}

/** The parts of a KeyboardEvent the registry reads; tests pass plain objects. */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  metaKey?: boolean;
  isComposing?: boolean;
  /** 229 is what browsers report for keys that belong to an IME composition. */
  keyCode?: number;
  target?: EventTarget | null;
  preventDefault?: () => void;
}

export interface RegistryOptions {
  /** True while a modal dialog is open; defaults to looking for a visible aria-modal element. */
  isModalOpen?: () => boolean;
}

const MOD_ORDER: Modifier[] = ['Ctrl', 'Alt', 'Shift', 'Meta'];

function normalizeKey(key: string): string {
  if (key === ' ') return 'Space';
  return key.length === 1 ? key.toLowerCase() : key;
}

/** Canonical form of a combo string: modifiers in a fixed order, letters lower-case. */
export function normalizeCombo(combo: string): string {
  const parts = combo.split('+').map((p) => p.trim());
  // "Shift++" style: a trailing empty part means the key itself is "+".
  let key = parts.pop() ?? '';
  if (key === '' && parts.length && parts[parts.length - 1] === '') {
    parts.pop();
    key = '+';
  }
  const mods = new Set(parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()));
  if (mods.has('Control')) mods.add('Ctrl');
  if (mods.has('Cmd')) mods.add('Meta');
  const ordered = MOD_ORDER.filter((m) => mods.has(m));
  return [...ordered, normalizeKey(key)].join('+');
}

/** The combo a key event stands for. Shift is implied by printable symbols such as "?". */
export function comboOf(e: KeyLike): string {
  let key = e.key;
  // With Alt (Option on macOS) the key is often a special character; use the physical key instead.
  if (e.altKey && e.code && /^Key[A-Z]$/.test(e.code)) key = e.code.slice(3);
  if (e.altKey && e.code && /^Digit[0-9]$/.test(e.code)) key = e.code.slice(5);
  const printableSymbol = key.length === 1 && !/[a-z0-9]/i.test(key);
  const mods: Modifier[] = [];
  if (e.ctrlKey) mods.push('Ctrl');
  if (e.altKey) mods.push('Alt');
  if (e.shiftKey && !printableSymbol) mods.push('Shift');
  if (e.metaKey) mods.push('Meta');
  return [...mods, normalizeKey(key)].join('+');
}

export function isComposing(e: KeyLike): boolean {
  return e.isComposing === true || e.keyCode === 229;
}

export function isEditable(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}

function defaultModalOpen(): boolean {
  if (typeof document === 'undefined') return false;
  for (const el of document.querySelectorAll<HTMLElement>('[aria-modal="true"]')) {
    if (el.getClientRects().length > 0) return true;
  }
  return false;
}

export class ShortcutRegistry {
  readonly #byId = new Map<string, Shortcut>();
  readonly #isModalOpen: () => boolean;

  constructor(opts: RegistryOptions = {}) {
    this.#isModalOpen = opts.isModalOpen ?? defaultModalOpen;
  }

  /** Adds a shortcut; returns the function that removes it. */
  register(s: Shortcut): () => void {
    const entry = { ...s, combo: normalizeCombo(s.combo) };
    this.#byId.set(s.id, entry);
    return () => {
      if (this.#byId.get(s.id) === entry) this.#byId.delete(s.id);
    };
  }

  list(): Shortcut[] {
    return [...this.#byId.values()];
  }

  /** Runs the matching shortcut, if any; returns whether one ran. */
  handle(e: KeyLike): boolean {
    if (isComposing(e)) return false;
    const combo = comboOf(e);
    let modal: boolean | null = null;
    for (const s of this.#byId.values()) {
      if (s.combo !== combo) continue;
      if (!s.allowInInput && isEditable(e.target)) continue;
      if (!s.allowUnderModal && (modal ??= this.#isModalOpen())) continue;
      e.preventDefault?.();
      s.run(e);
      return true;
    }
    return false;
  }
}

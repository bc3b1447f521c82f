// The visitor's input: textarea (Enter sends, Shift+Enter new line, Enter during IME composition
// ignored), emoji button, send button and file picker; a length counter near the limit, and no
// send over it (the text stays, the counter turns red).

import type { Translate } from '../../i18n';
import { h, icon } from '../dom';
import { composerKeyAction } from '../keys';
import { lengthState, MAX_TEXT_CHARS } from '../message-length';
import { emojiPicker, insertAt } from './emoji-picker';

export interface ComposerOptions {
  t: Translate;
  onSend: (body: string) => void;
  onFile: (file: File) => void;
  /** The visitor is typing (called on every input; the caller throttles). */
  onInput: () => void;
  /** The server's message length limit (5000 when the widget is not told). */
  maxChars?: number;
}

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export class Composer {
  readonly el: HTMLElement;
  readonly #input: HTMLTextAreaElement;
  readonly #file: HTMLInputElement;
  readonly #status: HTMLElement;
  readonly #counter: HTMLElement;
  readonly #send: HTMLButtonElement;
  readonly #max: number;
  readonly #opts: ComposerOptions;

  constructor(opts: ComposerOptions) {
    const { t } = opts;
    this.#opts = opts;
    this.#max = opts.maxChars ?? MAX_TEXT_CHARS;
    this.#input = h('textarea', {
      class: 'composer__input',
      rows: 1,
      'aria-label': t('composerLabel'),
      placeholder: t('composerPlaceholder'),
      'data-testid': 'composer-input',
      enterkeyhint: 'send',
    });
    this.#file = h('input', {
      type: 'file',
      class: 'visually-hidden',
      accept: 'image/png,image/jpeg,image/gif,image/webp,.pdf,.txt,.docx,.xlsx',
      'aria-label': t('attach'),
      'data-testid': 'composer-file',
    });
    this.#status = h('div', { class: 'composer__status', role: 'status' });
    const attach = h('label', { class: 'icon-btn', title: t('attach') }, this.#file, icon('clip'));
    const send = h('button', { type: 'button', class: 'icon-btn icon-btn--primary', 'aria-label': t('send'), title: t('send'), 'data-testid': 'composer-send' }, icon('send'));
    this.#send = send;
    this.#counter = h('div', { class: 'composer__counter', 'aria-live': 'polite', 'data-testid': 'composer-counter', hidden: true });
    const emoji = emojiPicker(t, (e) => this.#insert(e));
    this.el = h('div', { class: 'composer' }, this.#status, h('div', { class: 'composer__row' }, attach, emoji, this.#input, send), this.#counter);

    this.#input.addEventListener('keydown', (e) => {
      if (composerKeyAction(e) === 'send') {
        e.preventDefault();
        this.#submit();
      }
    });
    this.#input.addEventListener('input', () => {
      this.#autosize();
      this.#count();
      if (this.#input.value.trim()) opts.onInput();
    });
    send.addEventListener('click', () => this.#submit());
    this.#file.addEventListener('change', () => {
      const f = this.#file.files?.[0];
      this.#file.value = '';
      if (f) opts.onFile(f);
    });
  }

  focus(): void {
    this.#input.focus({ preventScroll: true });
  }

  /** A line above the input: "正在上传 …" and the like; null clears it. */
  setStatus(text: string | null): void {
    this.#status.textContent = text ?? '';
  }

  /** The emoji (or any text) at the caret, replacing the selection; the caret follows it. */
  #insert(text: string): void {
    const el = this.#input;
    const next = insertAt(el.value, el.selectionStart ?? el.value.length, el.selectionEnd ?? el.value.length, text);
    el.value = next.text;
    this.focus();
    el.setSelectionRange(next.caret, next.caret);
    el.dispatchEvent(new Event('input'));
  }

  /** "4600 / 5000" from 90% of the limit; red, said in words and send blocked when over. */
  #count(): void {
    const { t } = this.#opts;
    const s = lengthState(this.#input.value, this.#max);
    this.#counter.hidden = !s.showCounter;
    this.#counter.classList.toggle('composer__counter--over', s.over);
    this.#counter.textContent = s.over
      ? t('tooLong', { count: s.count, max: this.#max, n: s.count - this.#max })
      : `${s.count} / ${this.#max}`;
    this.#send.setAttribute('aria-disabled', String(s.over));
    this.#input.setAttribute('aria-invalid', String(s.over));
  }

  #submit(): void {
    const body = this.#input.value.trim();
    if (!body || lengthState(body, this.#max).over) return;
    this.#input.value = '';
    this.#autosize();
    this.#count();
    this.#opts.onSend(body);
    this.focus();
  }

  #autosize(): void {
    const el = this.#input;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  }
}

// The visitor's input: textarea (Enter sends, Shift+Enter new line, Enter during IME composition
// ignored), send button and file picker.

import type { Translate } from '../../i18n';
import { h, icon } from '../dom';
import { composerKeyAction } from '../keys';

export interface ComposerOptions {
  t: Translate;
  onSend: (body: string) => void;
  onFile: (file: File) => void;
  /** The visitor is typing (called on every input; the caller throttles). */
  onInput: () => void;
}

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export class Composer {
  readonly el: HTMLElement;
  readonly #input: HTMLTextAreaElement;
  readonly #file: HTMLInputElement;
  readonly #status: HTMLElement;
  readonly #opts: ComposerOptions;

  constructor(opts: ComposerOptions) {
    const { t } = opts;
    this.#opts = opts;
    this.#input = h('textarea', {
      class: 'composer__input',
      rows: 1,
      maxlength: 5000,
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
    this.el = h('div', { class: 'composer' }, this.#status, h('div', { class: 'composer__row' }, attach, this.#input, send));

    this.#input.addEventListener('keydown', (e) => {
      if (composerKeyAction(e) === 'send') {
        e.preventDefault();
        this.#submit();
      }
    });
    this.#input.addEventListener('input', () => {
      this.#autosize();
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

  #submit(): void {
    const body = this.#input.value.trim();
    if (!body) return;
    this.#input.value = '';
    this.#autosize();
    this.#opts.onSend(body);
    this.focus();
  }

  #autosize(): void {
    const el = this.#input;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  }
}

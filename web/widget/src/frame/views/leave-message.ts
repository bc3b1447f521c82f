// 留言: the business type is outside service hours or nobody is logged in, so the visitor leaves
// a message that becomes a conversation with leave_message: true.

import type { Translate } from '../../i18n';
import { h } from '../dom';
import { MAX_TEXT_CHARS } from '../message-length';

export interface LeaveMessageOptions {
  t: Translate;
  /** Rejects with a translated message. */
  onSubmit: (text: string) => Promise<void>;
  onBack: () => void;
  /** The server's message length limit (GET /widget/config). */
  maxChars?: number;
}

export function leaveMessageForm(o: LeaveMessageOptions): HTMLElement {
  const { t } = o;
  const text = h('textarea', {
    id: 'leave-message-text',
    class: 'field__input',
    rows: 5,
    maxlength: o.maxChars ?? MAX_TEXT_CHARS,
    required: true,
    'data-testid': 'leave-message-text',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'leave-message-submit' }, t('leaveMessageSubmit'));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const back = h('button', { type: 'button', class: 'link-btn', onclick: o.onBack }, t('back'));
  const form = h(
    'form',
    { class: 'leave-message', 'data-testid': 'leave-message-form', novalidate: true },
    h('h2', { class: 'section-title' }, t('leaveMessageTitle')),
    h('p', { class: 'hint' }, t('leaveMessageIntro')),
    h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'leave-message-text' }, t('leaveMessageLabel')), text),
    error,
    h('div', { class: 'actions' }, back, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) {
      error.textContent = t('fieldRequired', { field: t('leaveMessageLabel') });
      text.focus();
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    try {
      await o.onSubmit(body);
      form.replaceWith(
        h(
          'div',
          { class: 'done', role: 'status', 'data-testid': 'leave-message-done' },
          h('p', null, t('leaveMessageDone')),
          h('button', { type: 'button', class: 'btn', onclick: o.onBack }, t('back')),
        ),
      );
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      submit.disabled = false;
    }
  });
  queueMicrotask(() => text.focus());
  return form;
}

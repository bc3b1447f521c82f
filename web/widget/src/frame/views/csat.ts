// Shown when the conversation is closed: the notice, the satisfaction survey (满意度评价) once,
// and the way to start again.

import type { FrameKey, Translate } from '../../i18n';
import { h } from '../dom';
import type { Conversation } from '../types';

export interface ClosedViewOptions {
  t: Translate;
  conversation: Conversation;
  /** Rejects with an Error whose message is already translated. */
  onSubmit: (score: number, comment: string) => Promise<void>;
  onNewConversation: () => void;
  /** Save the conversation's messages as a text file. */
  onDownloadTranscript: () => void;
}

const SCORES = [1, 2, 3, 4, 5] as const;

export function closedView(o: ClosedViewOptions): HTMLElement {
  const { t } = o;
  const thanks = () => h('p', { class: 'csat__thanks', 'data-testid': 'csat-thanks', role: 'status' }, t('csatThanks'));
  const survey = o.conversation.csat ? thanks() : surveyForm(o, thanks);
  return h(
    'section',
    { class: 'closed', 'data-testid': 'conversation-closed' },
    h('p', { class: 'closed__title' }, t('closed')),
    // Only a conversation an agent actually served is rated (not a left message or a queue given up).
    wasServed(o.conversation) ? survey : null,
    h('button', { type: 'button', class: 'btn', 'data-testid': 'new-conversation', onclick: o.onNewConversation }, t('newConversation')),
    h('button', { type: 'button', class: 'link-btn', 'data-testid': 'transcript-download', onclick: o.onDownloadTranscript }, t('transcriptDownload')),
  );
}

function surveyForm(o: ClosedViewOptions, thanks: () => HTMLElement): HTMLElement {
  const { t } = o;
  let score = 0;
  const buttons = SCORES.map((s) =>
    h('button', { type: 'button', class: 'csat__score', 'aria-pressed': 'false', 'data-testid': `csat-score-${s}` }, h('span', { class: 'csat__stars', 'aria-hidden': 'true' }, '★'.repeat(s)), h('span', null, t(`csat${s}` as FrameKey))),
  );
  const comment = h('textarea', { class: 'field__input', rows: 2, maxlength: 1000, 'data-testid': 'csat-comment', 'aria-label': t('csatComment'), placeholder: t('csatComment') });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', disabled: true, 'data-testid': 'csat-submit' }, t('csatSubmit'));
  const error = h('p', { class: 'form-error', role: 'alert' });
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      score = i + 1;
      buttons.forEach((x, j) => x.setAttribute('aria-pressed', String(j === i)));
      submit.disabled = false;
    }),
  );
  const form = h(
    'form',
    { class: 'csat' },
    h('fieldset', null, h('legend', null, t('csatQuestion')), h('div', { class: 'csat__scores' }, ...buttons)),
    comment,
    error,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!score) return;
    submit.disabled = true;
    error.textContent = '';
    try {
      await o.onSubmit(score, comment.value.trim());
      form.replaceWith(thanks());
    } catch (err) {
      error.textContent = err instanceof Error && err.message ? err.message : t('errorGeneric');
      submit.disabled = false;
    }
  });
  return form;
}

function wasServed(c: Conversation): boolean {
  return !c.left_message && (c.assigned_at !== null || c.agent_id !== null);
}

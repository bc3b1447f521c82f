// The pre-chat form built from GET /widget/config: the configured fields (kind text: a one-line
// input, textarea: a multi-line <textarea>, select: the business type picker) plus the business
// type picker when no field asks for it. A closed business type (outside service hours, or nobody
// logged in — the hint says which) turns "start" into "leave a message".

import type { FrameKey, Translate } from '../../i18n';
import type { Locale } from '../../i18n/locale';
import { h } from '../dom';
import { businessTypeField, missingRequired, type PreChatInput } from '../prechat';
import type { BusinessTypeOption, CallMedia, PreChatField, WidgetConfig } from '../types';

/** Why a business type is closed, in words (every `ClosedReason` the server documents). */
export const CLOSED_REASON_TEXT: Record<NonNullable<BusinessTypeOption['closed_reason']>, FrameKey> = {
  outside_hours: 'businessTypeClosed',
  // Within the hours with nobody logged in is not "outside service hours": say which it is.
  no_agent: 'noAgentAvailable',
};

export interface PreChatFormOptions {
  t: Translate;
  locale: Locale;
  config: WidgetConfig;
  /** Prefill for the name field (a known customer). */
  name: string | null;
  /** The visitor submitted with an open business type (or none): start the chat. Rejects with a translated message. */
  onStart: (input: PreChatInput) => Promise<void>;
  /** "Video service" / "voice service": the same form, but the conversation is queued straight for a call. */
  onStartVideo?: (input: PreChatInput, media: CallMedia) => Promise<void>;
  /** The chosen business type is closed: show the leave-message form. */
  onLeaveMessage: (input: PreChatInput) => void;
}

export function preChatForm(o: PreChatFormOptions): HTMLElement {
  const { t, locale, config } = o;
  const types = config.business_types;
  const pickerField = businessTypeField(config.pre_chat_form.fields);
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const rows: HTMLElement[] = [];
  let select: HTMLSelectElement | null = null;

  const pickerRow = (label: string, required: boolean) => {
    select = h('select', { id: 'prechat-business-type', class: 'field__input', required, 'data-testid': 'prechat-business-type' });
    for (const bt of types) select.append(h('option', { value: bt.id }, bt.names[locale] || bt.name));
    return field('prechat-business-type', label, required, select);
  };

  for (const f of config.pre_chat_form.fields) {
    if (f === pickerField) {
      if (types.length) rows.push(pickerRow(f.label[locale] || t('businessType'), f.required));
      continue;
    }
    const id = `prechat-${f.name}`;
    const input = textControl(f, id);
    if (f.name === 'name' && o.name) input.value = o.name;
    inputs.set(f.name, input);
    rows.push(field(id, labelOf(f, locale), f.required, input));
  }
  if (!pickerField && types.length) rows.push(pickerRow(t('businessType'), true));

  const chosen = (): BusinessTypeOption | undefined => {
    const s = select as HTMLSelectElement | null;
    return s ? types.find((b) => String(b.id) === s.value) : undefined;
  };
  const hint = h('p', { class: 'hint', 'data-testid': 'business-type-closed', hidden: true });
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'prechat-error' });
  const start = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'prechat-start' });
  // A second submit button: which one was pressed travels as the submit event's submitter.
  const video = o.onStartVideo
    ? h('button', { type: 'submit', class: 'btn btn--video', title: t('videoServiceHint'), 'data-testid': 'video-service' }, t('videoService'))
    : null;
  const voice = o.onStartVideo
    ? h('button', { type: 'submit', class: 'btn btn--video', title: t('voiceServiceHint'), 'data-testid': 'voice-service' }, t('voiceService'))
    : null;
  const refresh = () => {
    const bt = chosen();
    const closed = bt?.open === false;
    hint.hidden = !closed;
    hint.textContent = t(CLOSED_REASON_TEXT[bt?.closed_reason ?? 'outside_hours']);
    start.textContent = closed ? t('goLeaveMessage') : t('start');
    if (video) video.hidden = closed;
    if (voice) voice.hidden = closed;
  };
  (select as HTMLSelectElement | null)?.addEventListener('change', refresh);
  refresh();

  const form = h('form', { class: 'prechat', 'data-testid': 'prechat-form', novalidate: true }, h('h2', { class: 'section-title' }, t('prechatTitle')), ...rows, hint, error, start, video, voice);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submitter = (e as SubmitEvent).submitter;
    const call: CallMedia | null = video !== null && submitter === video ? 'video' : voice !== null && submitter === voice ? 'voice' : null;
    const values: Record<string, string> = {};
    for (const [name, input] of inputs) values[name] = input.value;
    const bt = chosen();
    const input: PreChatInput = { fields: config.pre_chat_form.fields, values, businessTypeId: bt?.id ?? null, locale };
    const missing = missingRequired(input);
    if (missing) {
      error.textContent = t('fieldRequired', { field: labelOf(missing, locale) });
      inputs.get(missing.name)?.focus();
      return;
    }
    error.textContent = '';
    if (bt && !bt.open) {
      o.onLeaveMessage(input);
      return;
    }
    start.disabled = true;
    if (video) video.disabled = true;
    if (voice) voice.disabled = true;
    try {
      await (call && o.onStartVideo ? o.onStartVideo(input, call) : o.onStart(input));
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      start.disabled = false;
      if (video) video.disabled = false;
      if (voice) voice.disabled = false;
    }
  });
  return form;
}

/** Limits match the server's: a topic holds 200 characters, the opening message far more. */
const MAX_LINE = 200;
const MAX_TEXT = 1000;

/** The control of a text or textarea field (the business type select is built apart). */
export function textControl(f: PreChatField, id: string): HTMLInputElement | HTMLTextAreaElement {
  const common = { id, class: 'field__input', name: f.name, required: f.required, 'data-testid': id };
  if (f.kind === 'textarea') {
    return h('textarea', { ...common, rows: 3, maxlength: f.name === 'topic' ? MAX_LINE : MAX_TEXT });
  }
  return h('input', {
    ...common,
    type: 'text',
    maxlength: MAX_LINE,
    autocomplete: f.name === 'name' ? 'name' : f.name === 'phone' ? 'tel' : f.name === 'email' ? 'email' : 'off',
  });
}

function labelOf(f: PreChatField, locale: Locale): string {
  return f.label[locale] || f.name;
}

export function field(id: string, label: string, required: boolean, control: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { class: 'field__label', for: id }, label, required ? h('span', { class: 'field__req', 'aria-hidden': 'true' }, ' *') : null),
    control,
  );
}

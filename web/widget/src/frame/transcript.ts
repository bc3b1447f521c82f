// The customer's copy of a conversation (聊天记录) as plain text: what they saw, in their
// language, with full date and time on every line. Built from the messages the widget already
// holds (the messages API returns the whole conversation), so system lines are translated as on
// screen and nothing staff-only can be in it. Pure; tested in transcript.test.ts.

import type { Translate } from '../i18n';
import type { Locale } from '../i18n/locale';
import { eventText } from './events';
import type { ChatItem } from './message-store';

/** `timeZone`: the browser's own unless given (tests pin it). */
export function transcriptText(t: Translate, locale: Locale, conversationId: number, items: ChatItem[], now = new Date(), timeZone?: string): string {
  const stamp = (iso: string) =>
    new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone }).format(new Date(iso));
  const lines = [t('transcriptTitle', { id: conversationId }), t('transcriptSaved', { time: stamp(now.toISOString()) }), ''];
  for (const m of items) {
    // Only what reached the server: an unsent line is not part of the conversation.
    if (m.state !== 'sent') continue;
    if (m.kind === 'event') {
      lines.push(`[${stamp(m.created_at)}] — ${eventText(t, m)} —`);
      continue;
    }
    const who = m.sender === 'visitor' ? t('senderYou') : m.sender_name?.trim() || t('senderAgent');
    const body = m.attachment ? (m.kind === 'image' ? t('image', { name: m.attachment.name }) : `[${m.attachment.name}]`) : m.body;
    lines.push(`[${stamp(m.created_at)}] ${who}: ${body}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Saves the transcript as a UTF-8 text file (with a BOM, so Windows Notepad shows Chinese). */
export function downloadTranscript(text: string, conversationId: number): void {
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/plain;charset=utf-8' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: `kefu-${conversationId}.txt` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

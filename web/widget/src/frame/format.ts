// Pure formatting of what the chat shows: queue text, sizes, times. Tested in format.test.ts.

import type { Translate } from '../i18n';
import type { Locale } from '../i18n/locale';
import type { QueueInfo } from './types';

/**
 * "您前面还有 N 位，预计等待 M 分钟". `position` 1 is the next to be served, so N = position - 1.
 * Without an estimate from the server (null) no wait time is promised.
 */
export function queueText(t: Translate, q: QueueInfo): string {
  const ahead = Math.max(0, Math.floor(q.position) - 1);
  const secs = q.estimated_wait_secs;
  if (secs === null || secs === undefined || !Number.isFinite(secs)) {
    return ahead === 0 ? t('queueNextNoEta') : t('queueAheadNoEta', { n: ahead });
  }
  const m = Math.max(1, Math.ceil(secs / 60));
  return ahead === 0 ? t('queueNext', { m }) : t('queueAhead', { n: ahead, m });
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Clock time for today's messages, date and time for older ones. */
export function messageTime(iso: string, locale: Locale, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { month: 'short', day: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

export function dateOnly(iso: string, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(d);
}

// Which language to speak. Shared by the loader and the frame; pure so it can be tested.

export type Locale = 'zh-CN' | 'en';

/** Maps a BCP 47 tag to a supported locale, or null when we have no catalog for it. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  const t = (tag ?? '').trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-') || t.startsWith('zh_')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-') || t.startsWith('en_')) return 'en';
  return null;
}

/**
 * The explicit choice (`data-locale`, the frame's `locale` URL parameter) wins when we support it;
 * otherwise the browser's first language: Chinese of any region -> zh-CN, anything else -> en.
 */
export function chooseLocale(explicit: string | null | undefined, browser: readonly string[]): Locale {
  const chosen = matchLocale(explicit);
  if (chosen) return chosen;
  return matchLocale(browser[0]) === 'zh-CN' ? 'zh-CN' : 'en';
}

/** `navigator.languages`, falling back to `navigator.language`. */
export function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** Replaces `{name}` placeholders; unknown placeholders stay visible so a mistake is noticed. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

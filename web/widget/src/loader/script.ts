// Reads the loader's own <script> tag: where the widget lives and how the host configured it.

import { browserLanguages, chooseLocale, type Locale } from '../i18n/locale';
import { widgetName } from '../shared/widget-name';

export interface LoaderConfig {
  /** Origin of the Kefu server that served loader.js; the frame is loaded from there. */
  widgetOrigin: string;
  locale: Locale;
  identityToken: string | null;
  /** Which widget's settings (pre-chat form, welcome text, business types): `data-widget`. */
  widget: string;
}

/** The origin of an absolute or page-relative script URL, or null when it is not http(s). */
export function originOf(src: string, base: string): string | null {
  try {
    const u = new URL(src, base);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** Our script element: `document.currentScript` while running (also for async scripts). */
export function findScript(doc: Document): HTMLScriptElement | null {
  const cur = doc.currentScript;
  if (cur instanceof HTMLScriptElement && cur.src) return cur;
  return doc.querySelector<HTMLScriptElement>('script[src*="/widget/loader.js"]');
}

export function readConfig(script: HTMLScriptElement, pageUrl: string): LoaderConfig | null {
  const widgetOrigin = originOf(script.src, pageUrl);
  if (!widgetOrigin) return null;
  return {
    widgetOrigin,
    locale: chooseLocale(script.dataset.locale, browserLanguages()),
    identityToken: script.dataset.identityToken || null,
    widget: widgetName(script.dataset.widget),
  };
}

//! Languages: zh-CN when the browser prefers Chinese, else English; the user's choice is kept in
//! localStorage. Messages are one JSON file per feature per locale, loaded on demand. Element
//! Plus's and dayjs's locales follow the app's.

import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import elEn from 'element-plus/es/locale/lang/en';
import elZhCn from 'element-plus/es/locale/lang/zh-cn';
import { computed, ref } from 'vue';
import { createI18n } from 'vue-i18n';

export const LOCALES = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof LOCALES)[number];
export type Feature = 'common' | 'errors' | 'auth' | 'agent' | 'supervisor' | 'admin' | 'notes' | 'qa' | 'search' | 'wallboard' | 'planning' | 'reports' | 'maturity';

const LOCALE_KEY = 'kefu.locale';

/** zh-CN for any Chinese preference (zh, zh-TW, zh-Hans-CN ...), otherwise English. */
export function detectLocale(languages: readonly string[], stored: string | null): AppLocale {
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as AppLocale;
  for (const l of languages) {
    if (l.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

function storedLocale(): string | null {
  try {
    return localStorage.getItem(LOCALE_KEY);
  } catch {
    return null;
  }
}

const initial = detectLocale(
  typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [],
  storedLocale(),
);

export const i18n = createI18n({
  legacy: false,
  locale: initial,
  fallbackLocale: 'en',
  messages: { 'zh-CN': {}, en: {} },
  missingWarn: false,
  fallbackWarn: false,
});

/** The current locale as a ref, for components that format by hand. */
export const currentLocale = ref<AppLocale>(initial);

export const elementLocale = computed(() => (currentLocale.value === 'zh-CN' ? elZhCn : elEn));

const loaders = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*/*.json');
const loaded = new Set<string>();
const wanted = new Set<Feature>(['common', 'errors']);

async function load(locale: AppLocale, feature: Feature): Promise<void> {
  const key = `${locale}/${feature}`;
  if (loaded.has(key)) return;
  const loader = loaders[`../locales/${key}.json`];
  if (!loader) return;
  const mod = await loader();
  i18n.global.mergeLocaleMessage(locale, { [feature]: mod.default });
  loaded.add(key);
}

/** Loads the features' messages in the current locale (and English, the fallback). */
export async function loadFeatures(features: Feature[]): Promise<void> {
  for (const f of features) wanted.add(f);
  const locale = currentLocale.value;
  await Promise.all(
    features.flatMap((f) => (locale === 'en' ? [load('en', f)] : [load(locale, f), load('en', f)])),
  );
}

function applySideEffects(locale: AppLocale): void {
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export async function setLocale(locale: AppLocale): Promise<void> {
  currentLocale.value = locale;
  await loadFeatures([...wanted]);
  i18n.global.locale.value = locale;
  applySideEffects(locale);
  try {
    localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // Not persisted; the choice lasts for this page.
  }
}

applySideEffects(initial);

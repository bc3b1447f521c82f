// The frame's translator. (The loader imports only the `loader` catalogs, see src/loader/.)

import * as en from './en';
import { format, type Locale } from './locale';
import * as zh from './zh-CN';

export type FrameKey = keyof typeof en.frame;

const catalogs: Record<Locale, typeof en.frame> = { 'zh-CN': zh.frame, en: en.frame };

export type Translate = (key: FrameKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => format(catalog[key], params);
}

export { chooseLocale, browserLanguages, matchLocale, format, type Locale } from './locale';

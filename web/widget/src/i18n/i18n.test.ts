import { describe, expect, it } from 'vitest';
import * as en from './en';
import { chooseLocale, format, matchLocale, translator } from './index';
import * as zh from './zh-CN';

describe('chooseLocale', () => {
  it('honours an explicit supported locale', () => {
    expect(chooseLocale('en', ['zh-CN'])).toBe('en');
    expect(chooseLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(chooseLocale('zh', ['en-US'])).toBe('zh-CN');
    expect(chooseLocale('EN-gb', ['zh-CN'])).toBe('en');
  });

  it('falls back to the browser: any Chinese -> zh-CN, anything else -> en', () => {
    expect(chooseLocale(null, ['zh-CN'])).toBe('zh-CN');
    expect(chooseLocale(undefined, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(chooseLocale('', ['zh'])).toBe('zh-CN');
    expect(chooseLocale('fr', ['fr-FR'])).toBe('en');
    expect(chooseLocale(null, ['de', 'zh-CN'])).toBe('en');
    expect(chooseLocale(null, [])).toBe('en');
  });

  it('matches tags loosely', () => {
    expect(matchLocale('zh_CN')).toBe('zh-CN');
    expect(matchLocale('zhx')).toBeNull();
    expect(matchLocale(' en ')).toBe('en');
  });
});

describe('catalogs', () => {
  const nonEmpty = (o: Record<string, string>) => Object.entries(o).filter(([, v]) => !v.trim());

  it('zh-CN and en have the same keys and no empty strings', () => {
    expect(Object.keys(zh.frame).sort()).toEqual(Object.keys(en.frame).sort());
    expect(Object.keys(zh.loader).sort()).toEqual(Object.keys(en.loader).sort());
    expect(nonEmpty(zh.frame)).toEqual([]);
    expect(nonEmpty(en.frame)).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en.frame) as (keyof typeof en.frame)[]) {
      expect(holes(zh.frame[k]), k).toEqual(holes(en.frame[k]));
    }
    for (const k of Object.keys(en.loader) as (keyof typeof en.loader)[]) {
      expect(holes(zh.loader[k]), k).toEqual(holes(en.loader[k]));
    }
  });

  it('speak the glossary', () => {
    const t = translator('zh-CN');
    expect(t('csat1')).toBe('非常不满意');
    expect(t('csat5')).toBe('非常满意');
    expect(t('agentTyping')).toBe('客服正在输入…');
    expect(t('read')).toBe('已读');
    expect(t('leaveMessageTitle')).toBe('留言');
  });
});

describe('format', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{n} ahead, {m} min', { n: 2, m: 5 })).toBe('2 ahead, 5 min');
    expect(format('{x}', {})).toBe('{x}');
    expect(format('plain')).toBe('plain');
  });
});

describe('reasons the widget says in words', () => {
  it('every ClosedReason in docs/openapi.json has a text in zh-CN and en', async () => {
    const { CLOSED_REASON_TEXT } = await import('../frame/views/prechat-form');
    // The server's document, read as text (this package has no Node types).
    const raw = import.meta.glob<string>('../../../../docs/openapi.json', { eager: true, query: '?raw', import: 'default' });
    const doc = JSON.parse(Object.values(raw)[0] ?? '{}');
    const reasons: string[] = doc.components.schemas.ClosedReason.enum;
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) {
      const key = (CLOSED_REASON_TEXT as Record<string, keyof typeof en.frame>)[r];
      expect(key, `ClosedReason ${r}`).toBeTruthy();
      expect(en.frame[key!], `en ${key}`).toBeTruthy();
      expect(zh.frame[key!], `zh-CN ${key}`).toBeTruthy();
    }
  });
});

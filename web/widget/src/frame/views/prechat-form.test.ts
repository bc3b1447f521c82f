// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n';
import type { BusinessTypeOption, WidgetConfig } from '../types';
import { preChatForm } from './prechat-form';

const config = (business_types: BusinessTypeOption[]): WidgetConfig => ({
  pre_chat_form: { fields: [] },
  business_types,
  welcome: {},
  branding: { color: '#1f5fbf', position: 'right', title: {}, logo: null },
  group_welcomes: [],
  max_message_chars: 5000,
});

const hintFor = (bt: BusinessTypeOption) => {
  const form = build(bt);
  const hint = form.querySelector<HTMLElement>('[data-testid=business-type-closed]');
  return { hidden: hint?.hidden, text: hint?.textContent };
};

const build = (bt: BusinessTypeOption, locale: 'zh-CN' | 'en' = 'zh-CN') =>
  preChatForm({
    t: translator(locale),
    locale,
    config: config([bt]),
    name: null,
    onStart: () => Promise.resolve(),
    onLeaveMessage: () => {},
  });

describe('preChatForm', () => {
  it('says nobody is available, not "outside service hours", when the hours are on but nobody is logged in', () => {
    expect(hintFor({ id: 1, name: '信用卡', names: {}, open: false, closed_reason: 'no_agent' })).toEqual({
      hidden: false,
      text: translator('zh-CN')('noAgentAvailable'),
    });
    expect(hintFor({ id: 1, name: '信用卡', names: {}, open: false, closed_reason: 'outside_hours' }).text).toBe(translator('zh-CN')('businessTypeClosed'));
    expect(hintFor({ id: 1, name: '信用卡', names: {}, open: true, closed_reason: null }).hidden).toBe(true);
  });

  it("shows a business type's name in the visitor's language, and its plain name where that language has none", () => {
    const bt: BusinessTypeOption = { id: 1, name: '信用卡 Cards', names: { en: 'Credit cards' }, open: true, closed_reason: null };
    const option = (locale: 'zh-CN' | 'en') => build(bt, locale).querySelector('option')?.textContent;
    expect(option('en')).toBe('Credit cards');
    expect(option('zh-CN')).toBe('信用卡 Cards');
  });
});

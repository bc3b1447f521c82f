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
});

const hintFor = (bt: BusinessTypeOption) => {
  const form = preChatForm({
    t: translator('zh-CN'),
    locale: 'zh-CN',
    config: config([bt]),
    name: null,
    onStart: () => Promise.resolve(),
    onLeaveMessage: () => {},
  });
  const hint = form.querySelector<HTMLElement>('[data-testid=business-type-closed]');
  return { hidden: hint?.hidden, text: hint?.textContent };
};

describe('preChatForm', () => {
  it('says nobody is available, not "outside service hours", when the hours are on but nobody is logged in', () => {
    expect(hintFor({ id: 1, name: '信用卡', open: false, closed_reason: 'no_agent' })).toEqual({
      hidden: false,
      text: translator('zh-CN')('noAgentAvailable'),
    });
    expect(hintFor({ id: 1, name: '信用卡', open: false, closed_reason: 'outside_hours' }).text).toBe(translator('zh-CN')('businessTypeClosed'));
    expect(hintFor({ id: 1, name: '信用卡', open: true, closed_reason: null }).hidden).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { WidgetSettings } from '../../api/types';
import { embedSnippet, formFromSettings, isWidgetName, labelIn, moveField, newField, originsFromText, settingsFromForm } from './widgetForm';

const settings: WidgetSettings = {
  fields: [
    { name: 'name', label: { 'zh-CN': '您的称呼', en: 'Your name' }, required: false, kind: 'text' },
    { name: 'business_type_id', label: { 'zh-CN': '咨询业务', en: 'Topic', ja: 'ご用件' }, required: true, kind: 'select' },
  ],
  welcome: { 'zh-CN': '您好', en: 'Hello' },
  business_type_ids: [2],
  allowed_origins: ['https://shop.example', 'http://127.0.0.1:8081'],
  branding: { color: '#c0392b', position: 'left', title: { 'zh-CN': '招财银行客服' }, logo: null },
};

describe('widget form model', () => {
  it('round-trips the settings, keeping locales the form does not edit', () => {
    expect(settingsFromForm(formFromSettings('default', settings))).toEqual(settings);
  });

  it('trims text and leaves blank locales out', () => {
    const form = formFromSettings('shop', settings);
    form.fields[0]!.name = ' phone ';
    form.fields[0]!.label = { 'zh-CN': ' 手机号 ', en: '  ' };
    form.welcome = { 'zh-CN': '', en: ' Hi ' };
    const out = settingsFromForm(form);
    expect(out.fields[0]).toEqual({ name: 'phone', label: { 'zh-CN': '手机号' }, required: false, kind: 'text' });
    expect(out.welcome).toEqual({ en: 'Hi' });
  });

  it('a new widget copies the given settings without sharing them', () => {
    const form = formFromSettings('', settings);
    form.fields[0]!.label['zh-CN'] = '姓名';
    form.businessTypeIds.push(3);
    expect(settings.fields[0]!.label['zh-CN']).toBe('您的称呼');
    expect(settings.business_type_ids).toEqual([2]);
    expect(formFromSettings('', undefined)).toMatchObject({ fields: [], welcome: {}, businessTypeIds: [], allowedOrigins: '' });
  });

  it('a new select field is the business type picker; rows have distinct keys and move', () => {
    const a = newField('select');
    const b = newField();
    expect(a.name).toBe('business_type_id');
    expect(a.key).not.toBe(b.key);
    expect(moveField([a, b], 1, -1)).toEqual([b, a]);
    expect(moveField([a, b], 0, -1)).toEqual([a, b]);
  });

  it('checks names like the server and picks labels by locale', () => {
    expect(isWidgetName('shop-app_2')).toBe(true);
    expect(isWidgetName('Shop')).toBe(false);
    expect(isWidgetName('')).toBe(false);
    expect(labelIn({ 'zh-CN': '姓名', en: 'Name' }, 'en', 'name')).toBe('Name');
    expect(labelIn({ 'zh-CN': '姓名' }, 'en', 'name')).toBe('姓名');
    expect(labelIn({}, 'en', 'name')).toBe('name');
  });

  it('reads allowed origins one per line, without blanks, repeats or trailing slashes', () => {
    expect(originsFromText(' https://shop.example/\n\nhttps://m.shop.example, https://shop.example \n')).toEqual([
      'https://shop.example',
      'https://m.shop.example',
    ]);
    expect(originsFromText('')).toEqual([]);
    const form = formFromSettings('shop', settings);
    expect(form.allowedOrigins).toBe('https://shop.example\nhttp://127.0.0.1:8081');
  });
});

describe('embed snippet', () => {
  it('names the widget unless it is the default one', () => {
    expect(embedSnippet('https://kefu.example', 'default')).toBe('<script src="https://kefu.example/widget/loader.js" async></script>');
    expect(embedSnippet('https://kefu.example', 'app')).toBe(
      '<script src="https://kefu.example/widget/loader.js" data-widget="app" async></script>',
    );
  });
  it('gives a widget saved before branding existed the built-in look', () => {
    const { branding: _, ...old } = settings;
    expect(formFromSettings('x', old as WidgetSettings).branding).toEqual({ color: '#1f5fbf', position: 'right', title: {}, logo: null });
  });
});

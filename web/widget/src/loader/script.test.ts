import { describe, expect, it } from 'vitest';
import { isWidgetName, widgetName } from '../shared/widget-name';
import { originOf, readConfig } from './script';

describe('originOf', () => {
  it('derives the widget origin from the script URL', () => {
    expect(originOf('https://kefu.example.com:8443/widget/loader.js', 'https://shop.example/')).toBe(
      'https://kefu.example.com:8443',
    );
    expect(originOf('/widget/loader.js', 'http://127.0.0.1:18081/demo')).toBe('http://127.0.0.1:18081');
  });
  it('refuses non-http schemes and garbage', () => {
    expect(originOf('javascript:alert(1)', 'https://shop.example/')).toBeNull();
    expect(originOf('data:text/javascript,1', 'https://shop.example/')).toBeNull();
    expect(originOf('http://[', 'https://shop.example/')).toBeNull();
  });
});

describe('readConfig', () => {
  const script = (dataset: Record<string, string>) =>
    ({ src: 'https://kefu.example/widget/loader.js', dataset }) as unknown as HTMLScriptElement;

  it('reads data-widget, data-locale and data-identity-token', () => {
    expect(readConfig(script({ widget: 'shop-app', locale: 'en', identityToken: 'jwt' }), 'https://shop.example/')).toEqual({
      widgetOrigin: 'https://kefu.example',
      locale: 'en',
      identityToken: 'jwt',
      widget: 'shop-app',
    });
  });

  it('uses the default widget when data-widget is absent or blank', () => {
    expect(readConfig(script({ locale: 'zh-CN' }), 'https://shop.example/')?.widget).toBe('default');
    expect(readConfig(script({ widget: '  ' }), 'https://shop.example/')?.widget).toBe('default');
  });
});

describe('widget names', () => {
  it('follow the server rule: 1 to 32 of a-z, 0-9, - and _', () => {
    expect(isWidgetName('default')).toBe(true);
    expect(isWidgetName('app_h5-2')).toBe(true);
    expect(isWidgetName('Shop')).toBe(false);
    expect(isWidgetName('a/b')).toBe(false);
    expect(isWidgetName('x'.repeat(33))).toBe(false);
    expect(widgetName(null)).toBe('default');
    expect(widgetName(' shop ')).toBe('shop');
  });
});

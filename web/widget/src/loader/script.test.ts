import { describe, expect, it } from 'vitest';
import { originOf } from './script';

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

import { describe, expect, it } from 'vitest';
import { chooseChannel, type DeviceHints } from './channel';

const desktop: DeviceHints = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  coarsePointer: false,
  maxTouchPoints: 0,
  screenWidth: 1920,
  screenHeight: 1080,
};

describe('chooseChannel', () => {
  it('is web on a desktop browser', () => {
    expect(chooseChannel(desktop)).toBe('web');
  });

  it('is h5 on phone browsers, by user agent', () => {
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
    const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36';
    const wechat = 'Mozilla/5.0 (Linux; U; Android 13) AppleWebKit/537.36 MicroMessenger/8.0.50';
    for (const userAgent of [iphone, android, wechat]) {
      expect(chooseChannel({ ...desktop, userAgent, screenWidth: 390, screenHeight: 844 })).toBe('h5');
    }
  });

  it('is h5 on a touch-first device whose browser claims to be a desktop (iPadOS)', () => {
    const ipad = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15';
    expect(chooseChannel({ ...desktop, userAgent: ipad, coarsePointer: true, maxTouchPoints: 5, screenWidth: 820, screenHeight: 1180 })).toBe('h5');
  });

  it('is h5 on a phone-sized touch screen even with a desktop user agent', () => {
    expect(chooseChannel({ ...desktop, maxTouchPoints: 5, screenWidth: 412, screenHeight: 915 })).toBe('h5');
  });

  it('stays web on a touch laptop whose main pointer is a mouse', () => {
    expect(chooseChannel({ ...desktop, maxTouchPoints: 10, screenWidth: 1366, screenHeight: 768 })).toBe('web');
  });
});

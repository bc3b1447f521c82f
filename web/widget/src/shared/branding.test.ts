import { describe, expect, it } from 'vitest';
import { brandColor, darker, safeLogo } from './branding';

describe('branding', () => {
  it('accepts only #rrggbb colours', () => {
    expect(brandColor('#C0392B')).toBe('#c0392b');
    expect(brandColor('red')).toBeNull();
    expect(brandColor('#fff')).toBeNull();
    expect(brandColor('#1f5fbf;background:url(x)')).toBeNull();
  });
  it('darkens each channel', () => {
    expect(darker('#ffffff', 0.5)).toBe('#808080');
    expect(darker('#1f5fbf')).toBe('#194c99');
  });
  it('shows only data:image logos', () => {
    expect(safeLogo('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(safeLogo('https://evil.example/x.png')).toBeNull();
    expect(safeLogo('data:text/html;base64,PHNjcmlwdD4=')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { PHONE_MAX, TABLET_MAX, viewportFor } from './useViewport';

describe('viewportFor', () => {
  it('puts phones, tablets (portrait and landscape) and desktops in their layouts', () => {
    expect(viewportFor(390)).toBe('phone');
    expect(viewportFor(PHONE_MAX)).toBe('phone');
    expect(viewportFor(820)).toBe('tablet');
    expect(viewportFor(TABLET_MAX)).toBe('tablet');
    expect(viewportFor(1440)).toBe('wide');
  });
});

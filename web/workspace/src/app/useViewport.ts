//! How much room the screen gives: `wide` (desktop: every pane side by side), `tablet` (the
//! customer panel becomes a drawer, the list can be folded away) or `phone` (one pane at a time).
//! Follows the window as it is resized or turned.

import { onBeforeUnmount, ref, type Ref } from 'vue';

export type Viewport = 'wide' | 'tablet' | 'phone';

/** Widest tablet and phone layouts, in CSS pixels (an iPad in landscape is 1180 wide: tablet). */
export const TABLET_MAX = 1180;
export const PHONE_MAX = 700;

export function viewportFor(width: number): Viewport {
  return width <= PHONE_MAX ? 'phone' : width <= TABLET_MAX ? 'tablet' : 'wide';
}

export function useViewport(): Ref<Viewport> {
  const viewport = ref<Viewport>(viewportFor(window.innerWidth));
  const update = () => (viewport.value = viewportFor(window.innerWidth));
  window.addEventListener('resize', update);
  onBeforeUnmount(() => window.removeEventListener('resize', update));
  return viewport;
}

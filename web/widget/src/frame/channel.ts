// Which channel a conversation is started from: "h5" on a phone or tablet browser (touch first,
// or phone-sized with touch), "web" on a desktop browser. Pure rule plus the browser probe.

export type VisitorChannel = 'web' | 'h5';

export interface DeviceHints {
  userAgent: string;
  /** `(pointer: coarse)`: the primary pointer is a finger. */
  coarsePointer: boolean;
  maxTouchPoints: number;
  /** CSS pixels of the device screen (not of our iframe, which is always narrow). */
  screenWidth: number;
  screenHeight: number;
}

/** Phones and tablets, including the in-app browsers of WeChat, Alipay and the like. */
const MOBILE_UA = /Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony|Windows Phone|MicroMessenger|AlipayClient/i;
/** The short side of a phone (tablets in portrait are wider; they count through the pointer). */
const PHONE_SHORT_SIDE = 600;

export function chooseChannel(d: DeviceHints): VisitorChannel {
  if (MOBILE_UA.test(d.userAgent)) return 'h5';
  // iPadOS says "Macintosh", but its only pointer is a finger.
  if (d.coarsePointer && d.maxTouchPoints > 0) return 'h5';
  const shortSide = Math.min(d.screenWidth, d.screenHeight);
  if (d.maxTouchPoints > 0 && shortSide > 0 && shortSide <= PHONE_SHORT_SIDE) return 'h5';
  return 'web';
}

export function deviceChannel(): VisitorChannel {
  if (typeof navigator === 'undefined') return 'web';
  return chooseChannel({
    userAgent: navigator.userAgent ?? '',
    coarsePointer: typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches,
    maxTouchPoints: navigator.maxTouchPoints ?? 0,
    screenWidth: typeof screen === 'undefined' ? 0 : screen.width,
    screenHeight: typeof screen === 'undefined' ? 0 : screen.height,
  });
}

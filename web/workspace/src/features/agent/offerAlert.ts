//! How an incoming offer gets attention beyond the dialog: a short WebAudio beep (no sound file)
//! and a browser notification. Notification permission is asked on the first user click, never on
//! page load, and never again once denied.

let audio: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (audio) return audio;
  const Ctor =
    typeof window !== 'undefined'
      ? (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext)
      : undefined;
  if (!Ctor) return null;
  try {
    audio = new Ctor();
  } catch {
    audio = null;
  }
  return audio;
}

/** Two short tones. Browsers only allow sound after a user gesture; before that it stays silent. */
export function beep(): void {
  const ctx = audioContext();
  if (!ctx) return;
  void ctx.resume?.().catch(() => {});
  const start = ctx.currentTime;
  for (const [i, freq] of [880, 1175].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.2);
  }
}

/** Call once at start-up: the first click anywhere unlocks audio and asks for notifications. */
export function prepareOnFirstClick(): void {
  if (typeof document === 'undefined') return;
  const once = () => {
    document.removeEventListener('click', once, true);
    void audioContext()?.resume?.().catch(() => {});
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      void Notification.requestPermission().catch(() => {});
    }
  };
  document.addEventListener('click', once, true);
}

/** Shows a system notification when allowed; clicking it brings the tab forward. */
export function notify(title: string, body: string, tag: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the dialog and sound remain.
  }
}

// The demo page's "Chat with us" buttons open the widget through its public API.

for (const btn of document.querySelectorAll<HTMLElement>('[data-kefu-open]')) {
  btn.addEventListener('click', () => window.KefuWidget?.open());
}

declare global {
  interface Window {
    KefuWidget?: { open(): void; close(): void; setIdentity(token: string | null): void };
  }
}

export {};

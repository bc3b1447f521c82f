// Entry of loader.js (IIFE). Usage on a customer's site:
//   <script src="https://KEFU_HOST/widget/loader.js" data-widget="default" data-locale="zh-CN"
//           data-identity-token="..." async></script>
// Exposes window.KefuWidget = { open(), close(), setIdentity(token) }, usable at once: calls made
// before the page body exists are replayed when the widget mounts.

import { findScript, readConfig } from './script';
import { mountWidget, type KefuWidgetApi } from './widget';

declare global {
  interface Window {
    KefuWidget?: KefuWidgetApi;
  }
}

function start(): void {
  if (window.KefuWidget) return; // the snippet was pasted twice
  const script = findScript(document);
  const cfg = script && readConfig(script, location.href);
  if (!cfg) {
    console.error('[kefu] loader.js: cannot tell where the widget is served from (script src missing)');
    return;
  }
  let widget: KefuWidgetApi | null = null;
  const early: Array<(w: KefuWidgetApi) => void> = [];
  const call = (f: (w: KefuWidgetApi) => void) => (widget ? f(widget) : early.push(f));
  window.KefuWidget = {
    open: () => call((w) => w.open()),
    close: () => call((w) => w.close()),
    setIdentity: (token) => call((w) => w.setIdentity(token)),
  };
  const mount = () => {
    const w = mountWidget(cfg, document);
    widget = w;
    for (const f of early.splice(0)) f(w);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

start();

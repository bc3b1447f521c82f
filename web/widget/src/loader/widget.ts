// The launcher button and the chat panel on the host page. Owns the iframe and the only
// postMessage channel to it: posts only to the widget origin, and accepts only messages whose
// origin is the widget origin and whose source is our iframe's window.

import { format } from '../i18n/locale';
import * as en from '../i18n/en';
import * as zh from '../i18n/zh-CN';
import { brandColor, darker } from '../shared/branding';
import { parseFrameMessage, type HostMessage } from '../shared/envelope';
import type { LoaderConfig } from './script';
import { bubbleIcon, closeIcon, css } from './styles';

export interface KefuWidgetApi {
  open(): void;
  close(): void;
  /** Identifies the visitor as a known customer (identity token from your backend); null forgets. */
  setIdentity(token: string | null): void;
}

/**
 * Styles the shadow root with a constructed stylesheet, which a host page's Content-Security-Policy
 * does not restrict (a <style> element would need `style-src 'unsafe-inline'` there). Returns the
 * <style> markup to use instead on browsers without constructable stylesheets.
 */
function adoptStyles(root: ShadowRoot): string {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    return '';
  } catch {
    return `<style>${css}</style>`;
  }
}

/**
 * The launcher in the admin's colour and corner, read from the public widget config. Until it
 * arrives (or if the host page's CSP blocks the request) the built-in look stays.
 */
async function applyBranding(cfg: LoaderConfig, wrap: HTMLElement, launcher: HTMLElement): Promise<void> {
  try {
    const res = await fetch(`${cfg.widgetOrigin}/api/v1/widget/config?widget=${encodeURIComponent(cfg.widget)}`, {
      credentials: 'omit',
    });
    if (!res.ok) return;
    const branding = (await res.json())?.branding;
    const color = brandColor(branding?.color);
    if (color) {
      launcher.style.setProperty('--brand', color);
      launcher.style.setProperty('--brand-dark', darker(color));
    }
    wrap.classList.toggle('left', branding?.position === 'left');
  } catch {
    // Offline or blocked: the built-in look is fine.
  }
}

export function mountWidget(cfg: LoaderConfig, doc: Document): KefuWidgetApi {
  const s = cfg.locale === 'zh-CN' ? zh.loader : en.loader;
  const host = doc.createElement('div');
  host.setAttribute('data-kefu-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  const inlineStyle = adoptStyles(root);
  root.innerHTML =
    inlineStyle +
    `<div class="w">` +
    `<div class="panel" role="dialog" hidden><button class="close" type="button" data-testid="kefu-close">${closeIcon('')}</button></div>` +
    `<button class="launcher" type="button" data-testid="kefu-launcher" aria-expanded="false">${bubbleIcon}${closeIcon('x')}<span class="badge" hidden></span></button>` +
    `</div>`;
  const wrap = root.querySelector<HTMLElement>('.w')!;
  const panel = root.querySelector<HTMLElement>('.panel')!;
  const launcher = root.querySelector<HTMLButtonElement>('.launcher')!;
  const closeBtn = root.querySelector<HTMLButtonElement>('.close')!;
  const badge = root.querySelector<HTMLElement>('.badge')!;
  panel.setAttribute('aria-label', s.frameTitle);
  closeBtn.setAttribute('aria-label', s.close);
  closeBtn.title = s.close;

  let iframe: HTMLIFrameElement | null = null;
  let frameReady = false;
  let isOpen = false;
  let identity = cfg.identityToken;

  const setUnread = (n: number) => {
    badge.hidden = n === 0;
    badge.textContent = n > 99 ? '99+' : String(n);
    launcher.setAttribute('aria-label', n ? format(s.launcherUnread, { n }) : s.launcher);
  };
  setUnread(0);

  const post = (msg: HostMessage) => {
    if (frameReady && iframe?.contentWindow) iframe.contentWindow.postMessage(msg, cfg.widgetOrigin);
  };

  const createFrame = () => {
    const f = doc.createElement('iframe');
    const q = new URLSearchParams({ embed: '1', locale: cfg.locale, host: location.origin, widget: cfg.widget });
    f.src = `${cfg.widgetOrigin}/widget/frame.html?${q}`;
    f.title = s.frameTitle;
    f.allow = 'camera; microphone; autoplay; display-capture; fullscreen';
    f.setAttribute('data-testid', 'kefu-frame');
    panel.insertBefore(f, closeBtn);
    return f;
  };

  const open = () => {
    iframe ??= createFrame();
    isOpen = true;
    panel.hidden = false;
    wrap.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    post({ kefu: 1, type: 'visibility', open: true });
    iframe.focus();
  };

  const close = () => {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    wrap.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    post({ kefu: 1, type: 'visibility', open: false });
    launcher.focus();
  };

  launcher.addEventListener('click', () => (isOpen ? close() : open()));
  closeBtn.addEventListener('click', close);
  root.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape') close();
  });

  window.addEventListener('message', (e: MessageEvent) => {
    if (!iframe || e.origin !== cfg.widgetOrigin || e.source !== iframe.contentWindow) return;
    const m = parseFrameMessage(e.data);
    if (!m) return;
    if (m.type === 'ready') {
      frameReady = true;
      post({ kefu: 1, type: 'init', identity_token: identity, open: isOpen });
    } else if (m.type === 'close') close();
    else setUnread(m.count);
  });

  (doc.body ?? doc.documentElement).appendChild(host);
  void applyBranding(cfg, wrap, launcher);

  return {
    open,
    close,
    setIdentity(token) {
      identity = token || null;
      post({ kefu: 1, type: 'identity', identity_token: identity });
    },
  };
}

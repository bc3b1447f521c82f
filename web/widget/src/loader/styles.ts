// Styles of the launcher and panel, inside the shadow root so the host page cannot restyle them
// (`:host{all:initial}`) and they cannot leak out. Phones (< 600 px wide) get a full-screen panel.

export const css = `
:host{all:initial}
*{box-sizing:border-box}
.launcher{position:fixed;right:20px;bottom:calc(20px + env(safe-area-inset-bottom));z-index:2147483000;
width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--brand,#1f5fbf);color:#fff;cursor:pointer;
display:flex;align-items:center;justify-content:center;box-shadow:0 4px 16px rgba(0,0,0,.25);
transition:transform .15s}
.launcher:hover{transform:scale(1.06);background:var(--brand-dark,#174a96)}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher:focus-visible,.close:focus-visible{outline:3px solid #9cc3ff;outline-offset:2px}
.launcher svg{width:28px;height:28px}
.launcher .x,.open .launcher .bubble{display:none}
.open .launcher .x{display:block}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;
background:#c5221f;color:#fff;font:600 12px/20px system-ui,-apple-system,sans-serif;text-align:center}
[hidden]{display:none!important}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:600px;
max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border-radius:12px;overflow:hidden;
background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.28)}
iframe{display:block;width:100%;height:100%;border:0}
.close{position:absolute;top:10px;right:10px;width:36px;height:36px;padding:0;border:0;border-radius:50%;
background:transparent;color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center}
.close:hover{background:rgba(255,255,255,.18)}
.close svg{width:20px;height:20px}
@media (max-width:599px){
.panel{inset:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0;
padding:env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}
.close{top:calc(10px + env(safe-area-inset-top));right:calc(10px + env(safe-area-inset-right))}
.open .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}}
`;

const svg = (cls: string, path: string) =>
  `<svg class="${cls}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="${path}"/></svg>`;

export const bubbleIcon = svg('bubble', 'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z');
export const closeIcon = (cls: string) => svg(cls, 'M6 6l12 12M18 6L6 18');

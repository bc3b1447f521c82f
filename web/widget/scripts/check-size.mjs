// Fails the build when the widget outgrows its budgets (gzip): loader 5 KB, chat frame JS 35 KB,
// the call chunk (JS + CSS, fetched with import() when a call starts) 30 KB.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;

const frameHtml = readFileSync(join(dist, 'frame.html'), 'utf8');
// Every script the frame page loads (entry plus its static imports) counts.
const frameScripts = [...frameHtml.matchAll(/(?:src|href)="\/widget\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
// The call chunk: src/call/call-screen.ts and what only it imports (CallSession, its CSS).
const callFiles = readdirSync(join(dist, 'assets')).filter((f) => /^call-screen-.*\.(js|css)$/.test(f));
const budgets = [
  { name: 'loader.js', bytes: gz(join(dist, 'loader.js')), limit: 5 * 1024 },
  { name: `frame JS (${frameScripts.join(', ')})`, bytes: frameScripts.reduce((n, f) => n + gz(join(dist, f)), 0), limit: 35 * 1024 },
  { name: `call chunk (${callFiles.join(', ')})`, bytes: callFiles.reduce((n, f) => n + gz(join(dist, 'assets', f)), 0), limit: 30 * 1024 },
];

let failed = false;
for (const b of budgets) {
  const ok = b.bytes <= b.limit;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${b.name}: ${(b.bytes / 1024).toFixed(1)} KB gzip (budget ${b.limit / 1024} KB)`);
}
if (frameScripts.length === 0) {
  console.error('no frame scripts found in dist/frame.html');
  failed = true;
}
if (!callFiles.some((f) => f.endsWith('.js'))) {
  console.error('no call chunk (assets/call-screen-*.js) found: is the call code still loaded with import()?');
  failed = true;
}
if (frameScripts.some((f) => /call-screen/.test(f))) {
  console.error('the call chunk is loaded by frame.html up front; it must come with import() only');
  failed = true;
}
process.exit(failed ? 1 : 0);

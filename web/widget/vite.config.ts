// The chat frame and the demo page: two HTML entries, served by the Kefu server under /widget/
// (and dist/demo.html at /demo). The loader is a separate IIFE build: vite.loader.config.ts.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const server = process.env.KEFU_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/widget/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Browsers that run the frame all support modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        frame: resolve(import.meta.dirname, 'frame.html'),
        demo: resolve(import.meta.dirname, 'demo.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: server, ws: true } },
  },
});

// dist/loader.js: the snippet integrators paste. One small IIFE, no chunks, no CSS file
// (its styles live inside its shadow root). Runs after the frame build, so it keeps dist/.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2017',
    lib: {
      entry: resolve(import.meta.dirname, 'src/loader/main.ts'),
      formats: ['iife'],
      name: 'KefuLoader',
      fileName: () => 'loader.js',
    },
  },
});

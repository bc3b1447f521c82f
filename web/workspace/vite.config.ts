// Build and dev-server config. The server embeds dist/ and serves it under /app/ with an SPA
// fallback, so every asset URL must start with /app/.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

/** Where `npm run dev` forwards /api (HTTP and the WebSocket): a local `kefu serve`. */
const kefuServer = process.env.KEFU_SERVER ?? 'http://127.0.0.1:18082';

export default defineConfig({
  base: '/app/',
  plugins: [
    vue(),
    // Element Plus components are imported where a template uses them, with their CSS.
    Components({
      dts: 'src/components.d.ts',
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  define: {
    // vue-i18n feature flags: Composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: kefuServer, changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
});

import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * The renderer alone, without electron-vite:
 *
 *   npx vite build --config src-renderer/vite.config.ts   → out/renderer (what `serve` and Electron load);
 *     relative asset paths, so it works from contrastlab://app/ and from the server's static route.
 *   CONTRASTLAB_SERVER=http://127.0.0.1:PORT npx vite --config src-renderer/vite.config.ts
 *     → hot-reloading UI on http://127.0.0.1:5173/?token=… (the token `serve` printed), with /api and
 *     /events proxied to that server.
 */
const server = process.env.CONTRASTLAB_SERVER;

// The server refuses requests whose Origin is another page's; through the proxy they are the page's own.
const proxy = (ws: boolean): ProxyOptions => ({
  target: server,
  changeOrigin: true,
  ws,
  configure: (p) => {
    p.on('proxyReq', (req) => req.removeHeader('origin'));
    p.on('proxyReqWs', (req) => req.removeHeader('origin'));
  },
});

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    proxy: server ? { '/api': proxy(false), '/events': proxy(true) } : undefined,
  },
});

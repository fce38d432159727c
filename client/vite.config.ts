// Vite build for the BooCode PWA. The service worker precaches the app shell (wasm included for the
// QuickJS engine that loads later) and waits for the user's go-ahead before a new version takes over,
// so a tab never runs a half-updated mix of old and new files.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

// Which build a tab is running: in a <meta name="boocode-build"> from index.html and, from the JS,
// on <html data-build-id>. The two agree unless a tab mixes files of two deploys.
const buildId = process.env.BOOCODE_BUILD_ID ?? new Date().toISOString();

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir,
  define: { __BOOCODE_BUILD_ID__: JSON.stringify(buildId) },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  // Zod in jitless mode everywhere the app bundles it: no eval probe under the CSP (see the file).
  resolve: {
    alias: [{ find: /^zod$/, replacement: fileURLToPath(new URL('src/app/zod-jitless.ts', import.meta.url)) }],
  },
  // `npm run dev -w client` next to a running sync server (npm start, port 8787): same-origin
  // sync and APIs, as when the server serves the built app.
  server: {
    proxy: {
      // changeOrigin: the server refuses Hosts that are not its own names (DNS rebinding).
      '/yjs': { target: 'ws://127.0.0.1:8787', ws: true, changeOrigin: true },
      '/api': { target: 'http://127.0.0.1:8787', changeOrigin: true },
    },
  },
  plugins: [
    react(),
    {
      name: 'boocode-build-id',
      transformIndexHtml: () => [{ tag: 'meta', attrs: { name: 'boocode-build', content: buildId }, injectTo: 'head' }],
    },
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.png', 'icons/*.svg'],
      manifest: {
        id: '/',
        name: 'BooCode',
        short_name: 'BooCode',
        description: 'Local-first coding agents: every session, trace and snapshot on your device, synced.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#1f2328',
        background_color: '#f7f7f5',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm}'],
        navigateFallback: '/index.html',
        // The sync socket and the server's APIs are never app shell.
        navigateFallbackDenylist: [/^\/yjs\//, /^\/api\//],
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        // Notification clicks (public/sw-notifications.js): focus the app and open the session.
        importScripts: ['/sw-notifications.js'],
      },
    }),
  ],
});

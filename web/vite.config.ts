/**
 * The workspace build. `@shared` is Herold's own domain code (../shared): the browser imports the
 * same schemas, renderer and counting rules as the Lambda functions, from the same files.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: '@shared', replacement: path.resolve(here, '../shared') },
      { find: '@', replacement: path.resolve(here, 'src') },
      // twitter-text ships core-js 2 polyfills for ES5 engines; every browser the workspace supports
      // has these built in, so they are left out instead of weighing down the first load
      { find: /^core-js\/modules\/.*$/, replacement: path.resolve(here, 'src/lib/no-polyfill.ts') },
    ],
  },
  build: {
    target: 'es2022',
    minify: 'terser',
    sourcemap: true,
    // the API and sign-in are configured at run time (config.json), never baked into the build
    assetsInlineLimit: 0,
    // the app chunk carries the composer on purpose (one round trip less); the first-load budget is
    // held in gzipped bytes by the benchmark, not by this unminified-size warning
    chunkSizeWarningLimit: 700,
  },
  server: { fs: { allow: [path.resolve(here, '..')] } },
});

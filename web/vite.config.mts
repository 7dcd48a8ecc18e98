import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** Writes a .gz beside every script and stylesheet so the api serves them compressed (@fastify/static preCompressed). */
function precompress(): Plugin {
  return {
    name: 'kenbun-precompress',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const [name, file] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg)$/.test(name)) continue;
        const source = file.type === 'chunk' ? file.code : file.source;
        this.emitFile({ type: 'asset', fileName: `${name}.gz`, source: gzipSync(source, { level: 9 }) });
      }
    },
  };
}

/** The back-office: built into dist/web-app (after `nest build`, which empties dist/) and served by the api at /app. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web-app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  plugins: [precompress()],
  // `npm run web:dev`: the app with hot reload on :5173, every API path proxied to a running api (API_URL, default :3000)
  server: { proxy: { '^/(?!app(/|$)|@|node_modules|src/).*': { target: process.env.API_URL ?? 'http://127.0.0.1:3000', changeOrigin: true } } },
});

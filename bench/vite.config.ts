// A separate build for the benchmark page (npm run bench): the engine and the bulk
// worker bundled exactly as the app bundles them, into dist-bench/ (gitignored).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  resolve: { dedupe: ['asn1js', 'pkijs'] },
  build: {
    outDir: fileURLToPath(new URL('../dist-bench', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { SECURITY_HEADERS } from './scripts/security-headers.mjs';

// The production build is what users and the end-to-end tests run; `vite preview`
// serves it with the same strict headers (CSP, Trusted Types, COOP/CORP) as production.
export default defineConfig({
  plugins: [react()],
  resolve: { dedupe: ['asn1js', 'pkijs'] },
  build: {
    target: 'es2022',
    // No data: URIs for small assets, so img-src stays 'self' (SECURITY.md H1).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  worker: { format: 'es' },
  preview: { headers: SECURITY_HEADERS, port: 4173, strictPort: false },
});

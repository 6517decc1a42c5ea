import { defineConfig } from 'vite';

// The page lives in web/; it imports the library from src/ directly.
export default defineConfig({
  root: 'web',
  base: '/',
  // Vega and vega-embed are most of the ~900 kB bundle: expected for live charts.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1200 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});

// The classroom board's build: React through Vite, into renderer/board/dist,
// which the hub serves at `/` (the join page) and `/board/<room>`. Absolute
// asset URLs under /board/, because the same index.html answers at both depths.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/board/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
});

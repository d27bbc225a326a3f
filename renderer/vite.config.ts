// The dashboard's build: React through Vite, into renderer/dist, which the hub
// serves under AdminPath. Relative asset URLs, so any AdminPath works.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The hub serves it from the teacher's own computer: no size warnings needed for uPlot and React.
    chunkSizeWarningLimit: 1024,
  },
});

// vite.config.ts: build and dev server for the lowbit app; vitest.config.ts extends it.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './', // relative asset URLs: the built app works from any path
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
  preview: { port: 4173, strictPort: true, host: '127.0.0.1' },
});

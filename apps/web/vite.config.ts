import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { appRoutesFile } from './app-routes-file.ts';
import { bundleBudget } from './bundle-budget.ts';

// In development the API server runs beside Vite (`pnpm dev`); Vite forwards these paths to it.
const server = process.env.PARLEY_DEV_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react(), bundleBudget(), appRoutesFile()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/trpc': { target: server },
      '/auth': { target: server },
      '/healthz': { target: server },
    },
  },
  build: { target: 'es2023', sourcemap: true },
});

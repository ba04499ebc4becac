import { defineConfig, type Plugin } from 'vite';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// `npm run dev` proxies the API to a running `mizan serve` (MIZAN_URL).
const target = process.env.MIZAN_URL || 'http://127.0.0.1:8080';

// dist/.gitkeep is committed so that //go:embed all:dist compiles before the
// first build; vite empties dist/, so put it back afterwards.
const keepDist = (): Plugin => ({
  name: 'mizan-keep-dist',
  apply: 'build',
  closeBundle() {
    writeFileSync(resolve(here, 'dist/.gitkeep'), '');
  },
});

export default defineConfig({
  plugins: [keepDist()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '^/mizan\\.v1\\.': { target, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '^/mizan\\.v1\\.': { target, changeOrigin: true },
    },
  },
});

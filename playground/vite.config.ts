/**
 * Builds the playground into playground/dist (committed): `npm run build:playground`. Served by
 * src/server/routes/playground.ts at `/`, its assets under `/playground/`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vite';
import { HASH_FILE, PLAYGROUND_ROOT, playgroundSourceHash } from './source-hash.js';

export default defineConfig({
  root: PLAYGROUND_ROOT,
  base: '/playground/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle; a source map would double what the package ships.
    sourcemap: false,
    modulePreload: false,
  },
  plugins: [
    {
      name: 'source-hash',
      closeBundle() {
        writeFileSync(join(PLAYGROUND_ROOT, 'dist', HASH_FILE), `${playgroundSourceHash()}\n`);
      },
    },
  ],
});

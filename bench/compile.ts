/**
 * The servers and the load generator run as plain `node` processes: tsx's loader would add ~40 MB
 * and a thread to each. esbuild turns their TypeScript into JavaScript under node_modules/.cache,
 * where packages (undici) still resolve from the project's node_modules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}node_modules/.cache/rgw-bench`;

export interface BenchScripts {
  mock: string;
  bareProxy: string;
  probe: string;
  loadGenerator: string;
}

export async function compileBenchScripts(): Promise<BenchScripts> {
  await build({
    entryPoints: {
      'mock-upstream': `${ROOT}bench/servers/mock-upstream.ts`,
      'bare-proxy': `${ROOT}bench/servers/bare-proxy.ts`,
      probe: `${ROOT}bench/servers/probe.ts`,
      'load-generator': `${ROOT}bench/load/load-generator.ts`,
    },
    outdir: OUT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return {
    mock: `${OUT}/mock-upstream.mjs`,
    bareProxy: `${OUT}/bare-proxy.mjs`,
    probe: `${OUT}/probe.mjs`,
    loadGenerator: `${OUT}/load-generator.mjs`,
  };
}

/** Builds dist/ when a source file is newer than it; returns why the gateway cannot run, if so. */
export function ensureGatewayBuilt(log: (line: string) => void): string | undefined {
  const entry = join(ROOT, 'dist/cli/main.js');
  if (existsSync(entry) && newestMtime(join(ROOT, 'src')) <= statSync(entry).mtimeMs) return undefined;
  log('building the gateway (npm run build)');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status === 0) return undefined;
  return `npm run build failed: ${(build.stdout + build.stderr).trim().slice(0, 600)}`;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

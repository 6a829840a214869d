/**
 * The servers and the load generator run as plain `node` processes: tsx's loader would add ~40 MB
 * and a thread to each. esbuild turns their TypeScript into JavaScript under node_modules/.cache,
 * where packages (undici) still resolve from the project's node_modules.
 */
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

/**
 * One hash of the playground's sources, written beside the bundle when it is built and recomputed
 * by a test: the committed bundle must come from the committed sources.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLAYGROUND_ROOT = fileURLToPath(new URL('.', import.meta.url));
export const HASH_FILE = 'source-hash.txt';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

export function playgroundSourceHash(root: string = PLAYGROUND_ROOT): string {
  const inputs = [...files(join(root, 'src')), join(root, 'index.html'), join(root, 'vite.config.ts')];
  const hash = createHash('sha256');
  for (const path of inputs.map((p) => relative(root, p).split(sep).join('/')).sort()) {
    // Line endings normalised, so a Windows checkout agrees with the committed hash.
    hash.update(`${path}\n${readFileSync(join(root, path), 'utf8').replace(/\r\n/g, '\n')}\n`);
  }
  return hash.digest('hex');
}

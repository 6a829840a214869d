/**
 * sqlite-vec on the store's connection, for `vec_distance_cosine` over stored embeddings. Where
 * its prebuilt extension cannot load (an unsupported platform), the same function in JavaScript
 * stands in: slower, same results.
 */
import { createRequire } from 'node:module';
import type { SqliteDatabase } from './open-database.js';

export function loadVectorFunctions(db: SqliteDatabase): 'sqlite-vec' | 'javascript' {
  try {
    const sqliteVec = createRequire(import.meta.url)('sqlite-vec') as { load(db: unknown): void };
    sqliteVec.load(db);
    return 'sqlite-vec';
  } catch {
    db.function('vec_distance_cosine', { deterministic: true }, (a: unknown, b: unknown) =>
      cosineDistance(asFloats(a), asFloats(b)),
    );
    return 'javascript';
  }
}

function asFloats(value: unknown): Float32Array {
  const buffer = value as Buffer;
  return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

/**
 * Each store's embeddings as one normalised Float32Array, kept in memory for exact nearest-
 * neighbour search by dot product. Reading 10,000 embeddings out of SQLite per query costs more
 * than the search itself (~1 µs a row to fetch its blob); a matrix scan of the same vectors takes
 * a few milliseconds. The store stays the truth: every write to a store's chunks bumps its
 * `index_version`, and a cached matrix of another version is loaded again, so every process sees
 * every other's writes. The least recently used matrices go past MAX_FLOATS.
 */

export interface VectorMatrix {
  version: number;
  dims: number;
  ids: Float64Array;
  /** Row i holds chunk ids[i]'s embedding, scaled to length 1 (a zero vector stays zero). */
  rows: Float32Array;
}

/** 256 MB of floats. */
const MAX_FLOATS = 64 * 1024 * 1024;

export class VectorCache {
  private readonly matrices = new Map<string, VectorMatrix>();
  private floats = 0;

  /** The matrix of `key` if cached at `version` (for a loader that is asynchronous). */
  peek(key: string, version: number): VectorMatrix | undefined {
    const cached = this.matrices.get(key);
    return cached?.version === version ? cached : undefined;
  }

  /** The matrix of `key` at `version`, loaded with `load` when missing or stale. */
  get(key: string, version: number, load: () => Array<{ id: number; embedding: Buffer }>): VectorMatrix {
    const cached = this.matrices.get(key);
    if (cached && cached.version === version) {
      // Most recently used last.
      this.matrices.delete(key);
      this.matrices.set(key, cached);
      return cached;
    }
    if (cached) this.evict(key);
    const matrix = toMatrix(load(), version);
    this.matrices.set(key, matrix);
    this.floats += matrix.rows.length;
    while (this.floats > MAX_FLOATS && this.matrices.size > 1) this.evict(this.matrices.keys().next().value!);
    return matrix;
  }

  private evict(key: string): void {
    const matrix = this.matrices.get(key);
    if (!matrix) return;
    this.floats -= matrix.rows.length;
    this.matrices.delete(key);
  }
}

/** The `limit` rows nearest to `query` by cosine similarity, best first. */
export function nearest(
  matrix: VectorMatrix,
  query: Float32Array,
  limit: number,
): Array<{ id: number; raw: number }> {
  const { dims, rows, ids } = matrix;
  if (query.length !== dims || ids.length === 0) return [];
  let norm = 0;
  for (let j = 0; j < dims; j++) norm += query[j]! * query[j]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const best: Array<{ id: number; raw: number }> = [];
  let floor = Number.NEGATIVE_INFINITY;
  const unrolled = dims - (dims % 4);
  for (let i = 0; i < ids.length; i++) {
    const base = i * dims;
    // Four sums at once: V8 does not vectorise, but independent sums pipeline (~1.5× faster).
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let j = 0; j < unrolled; j += 4) {
      d0 += rows[base + j]! * query[j]!;
      d1 += rows[base + j + 1]! * query[j + 1]!;
      d2 += rows[base + j + 2]! * query[j + 2]!;
      d3 += rows[base + j + 3]! * query[j + 3]!;
    }
    for (let j = unrolled; j < dims; j++) d0 += rows[base + j]! * query[j]!;
    const raw = (d0 + d1 + d2 + d3) * scale;
    if (best.length === limit && raw <= floor) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.raw < raw) at--;
    best.splice(at, 0, { id: ids[i]!, raw });
    if (best.length > limit) best.pop();
    floor = best[best.length - 1]!.raw;
  }
  return best;
}

function toMatrix(entries: Array<{ id: number; embedding: Buffer }>, version: number): VectorMatrix {
  const dims = entries.length > 0 ? entries[0]!.embedding.byteLength / 4 : 0;
  const usable = entries.filter((entry) => entry.embedding.byteLength === dims * 4);
  const ids = new Float64Array(usable.length);
  const rows = new Float32Array(usable.length * dims);
  usable.forEach((entry, i) => {
    ids[i] = entry.id;
    const vector = new Float32Array(entry.embedding.buffer, entry.embedding.byteOffset, dims);
    let norm = 0;
    for (let j = 0; j < dims; j++) norm += vector[j]! * vector[j]!;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dims; j++) rows[i * dims + j] = vector[j]! * scale;
  });
  return { version, dims, ids, rows };
}

/**
 * Reciprocal rank fusion of the lexical and the vector ranking, and the scores each one reports,
 * all in 0–1:
 * - lexical: BM25 relative to the best hit, scaled by how strong that best hit is: from 0.5 (a
 *   weak best, e.g. in a store of a few files where every term is common and BM25 is near 0) to
 *   almost 1 (`0.5 + 0.5 · best / (best + BM25_HALF)`); every match scores above 0;
 * - vector: cosine similarity, below 0 counted as 0;
 * - fused: Σ weight / (RRF_K + rank) over both lists, divided by its largest possible value (first
 *   in both), so a chunk ranked first by both scores 1.
 */
import type { ChunkHit } from '../../store/types.js';

export const RRF_K = 60;
/** The BM25 at which the best hit scores 0.75. */
export const BM25_HALF = 4;
/** The least a match scores (what rounds to 0 would read as no match). */
const MIN_SCORE = 0.0001;

export interface ScoredHit {
  hit: ChunkHit;
  score: number;
}

export function lexicalScores(hits: readonly ChunkHit[]): ScoredHit[] {
  const best = Math.max(0, hits[0]?.raw ?? 0);
  const strength = 0.5 + (0.5 * best) / (best + BM25_HALF);
  return hits.map((hit) => ({
    hit,
    score: Math.max(MIN_SCORE, best > 0 ? (Math.max(0, hit.raw) / best) * strength : strength),
  }));
}

export function vectorScores(hits: readonly ChunkHit[]): ScoredHit[] {
  return hits.map((hit) => ({ hit, score: Math.min(1, Math.max(0, hit.raw)) }));
}

export function fuseRanks(
  lexical: readonly ChunkHit[],
  vector: readonly ChunkHit[],
  weights: { text: number; embedding: number },
): ScoredHit[] {
  const total = weights.text + weights.embedding;
  if (total <= 0) return [];
  const fused = new Map<number, ScoredHit>();
  const add = (hits: readonly ChunkHit[], weight: number) => {
    hits.forEach((hit, rank) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += weight / (RRF_K + rank + 1);
      fused.set(hit.chunkId, entry);
    });
  };
  add(lexical, weights.text);
  add(vector, weights.embedding);
  const best = total / (RRF_K + 1);
  return [...fused.values()]
    .map((entry) => ({ hit: entry.hit, score: entry.score / best }))
    .sort((a, b) => b.score - a.score);
}

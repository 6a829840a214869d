/**
 * Search over vector stores, as both `POST /v1/vector_stores/{id}/search` and the file_search tool
 * run it: per query, BM25 candidates (and nearest vectors when an embeddings model is configured,
 * fused by reciprocal rank), optionally re-ranked, thresholded, then the queries' results merged
 * (a chunk found by several keeps its best score) and cut to `maxResults`.
 */
import type { AttributeFilter, Attributes } from '../../protocol/attribute-filter.js';
import type { RankingOptions } from '../../protocol/vector-stores.js';
import type { VectorStoreRepository } from '../../store/types.js';
import type { Embedder } from '../embedder.js';
import { fuseRanks, lexicalScores, type ScoredHit, vectorScores } from './fuse-ranks.js';
import { queryTerms, rewriteQuery } from './query-terms.js';

export interface SearchRequest {
  tenantId: string;
  vectorStoreIds: readonly string[];
  queries: readonly string[];
  filter?: AttributeFilter | undefined;
  maxResults: number;
  ranking?: RankingOptions | undefined;
  rewrite?: boolean | undefined;
}

export interface SearchResult {
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: Attributes | null;
  text: string;
  score: number;
}

export interface SearchOutcome {
  /** The queries as searched (rewritten when asked). */
  queries: string[];
  results: SearchResult[];
}

/** Candidates each ranking contributes before fusion and re-ranking. */
const MIN_CANDIDATES = 40;
const QUERY_VECTOR_CACHE = 256;

export class ChunkSearch {
  private readonly queryVectors = new Map<string, Float32Array>();

  constructor(
    private readonly repository: VectorStoreRepository,
    private readonly embedder: Embedder | undefined,
  ) {}

  get hybrid(): boolean {
    return this.embedder !== undefined;
  }

  async search(request: SearchRequest, signal?: AbortSignal): Promise<SearchOutcome> {
    const queries = request.queries.map((query) => (request.rewrite ? rewriteQuery(query) : query));
    const best = new Map<number, ScoredHit>();
    for (const query of queries) {
      for (const scored of await this.searchOne(request, query, signal)) {
        const known = best.get(scored.hit.chunkId);
        if (!known || known.score < scored.score) best.set(scored.hit.chunkId, scored);
      }
    }
    const threshold = request.ranking?.score_threshold ?? 0;
    const results = [...best.values()]
      .map(({ hit, score }) => ({ hit, score: round(score) }))
      .filter((scored) => scored.score > 0 && scored.score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, request.maxResults)
      .map(({ hit, score }) => ({
        vectorStoreId: hit.vectorStoreId,
        fileId: hit.fileId,
        filename: hit.filename,
        attributes: hit.attributes,
        text: hit.text,
        score,
      }));
    await this.repository.touch(request.tenantId, request.vectorStoreIds, Math.floor(Date.now() / 1000));
    return { queries, results };
  }

  private async searchOne(request: SearchRequest, query: string, signal?: AbortSignal): Promise<ScoredHit[]> {
    const terms = queryTerms(query);
    const scope = {
      tenantId: request.tenantId,
      vectorStoreIds: request.vectorStoreIds,
      filter: request.filter,
      limit: Math.max(MIN_CANDIDATES, request.maxResults * 2),
    };
    const lexical = await this.repository.searchText(scope, terms);
    let scored: ScoredHit[];
    const vector = this.embedder ? await this.queryVector(query, signal) : undefined;
    if (this.embedder && vector) {
      const nearest = await this.repository.searchVector(scope, vector, this.embedder.model);
      const weights = request.ranking?.hybrid_search;
      scored = fuseRanks(lexical, nearest, {
        text: weights?.text_weight ?? 1,
        embedding: weights?.embedding_weight ?? 1,
      });
      if (lexical.length === 0) scored = vectorScores(nearest);
    } else {
      scored = lexicalScores(lexical);
    }
    return request.ranking?.ranker === 'none' ? scored : rerank(scored, terms);
  }

  /**
   * The query's embedding; undefined when the embeddings model fails (search goes on lexically:
   * an unreachable embeddings endpoint must not take retrieval down with it).
   */
  private async queryVector(query: string, signal?: AbortSignal): Promise<Float32Array | undefined> {
    const cached = this.queryVectors.get(query);
    if (cached) return cached;
    let vector: Float32Array | undefined;
    try {
      [vector] = await this.embedder!.embed([query], signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
    if (this.queryVectors.size >= QUERY_VECTOR_CACHE) {
      this.queryVectors.delete(this.queryVectors.keys().next().value!);
    }
    this.queryVectors.set(query, vector!);
    return vector!;
  }
}

/**
 * The default ranker: a chunk that holds more of the query's distinct terms goes before one that
 * repeats a single term (BM25 alone can prefer the latter); scores keep their 0–1 range.
 */
function rerank(scored: ScoredHit[], terms: readonly string[]): ScoredHit[] {
  if (terms.length < 2) return scored;
  const stems = terms.map(stem);
  return scored
    .map(({ hit, score }) => {
      const words = new Set((hit.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
      const covered = stems.filter((s) => words.has(s)).length / stems.length;
      return { hit, score: score * (0.6 + 0.4 * covered) };
    })
    .sort((a, b) => b.score - a.score);
}

/** A crude stem, its first five letters: enough to tell `charging` and `charge` apart from `battery`. */
function stem(word: string): string {
  return word.length > 5 ? word.slice(0, 5) : word;
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

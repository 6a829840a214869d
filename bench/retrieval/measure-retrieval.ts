/**
 * Retrieval benchmarks, in process (no HTTP): indexing throughput on a generated corpus, search
 * latency over it (lexical BM25, and hybrid with deterministic fake embeddings), and a small
 * evaluation over the fixture documents with known answers (recall@5, MRR).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { FileBlobs } from '../../src/files/file-blobs.js';
import { Files } from '../../src/files/files.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Embedder } from '../../src/vector-stores/embedder.js';
import { Ingestor } from '../../src/vector-stores/ingestor.js';
import { ChunkSearch } from '../../src/vector-stores/search/search-chunks.js';
import { VectorStores } from '../../src/vector-stores/vector-stores.js';
import { fakeEmbedding } from '../../test/mocks/fake-embeddings.js';
import { Corpus } from './corpus.js';

export interface RetrievalSettings {
  corpusBytes: number;
  /** Chunks the search store must reach. */
  searchChunks: number;
  queries: number;
}

export const FULL_RETRIEVAL: RetrievalSettings = { corpusBytes: 5.5e6, searchChunks: 10_000, queries: 300 };
export const QUICK_RETRIEVAL: RetrievalSettings = { corpusBytes: 4e5, searchChunks: 800, queries: 30 };

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  meanResults: number;
}

export interface RetrievalReport {
  ingestion: {
    corpusMB: number;
    files: number;
    chunks: number;
    seconds: number;
    mbPerSecond: number;
    chunksPerSecond: number;
  };
  ingestionWithEmbeddings: {
    chunkTokens: number;
    seconds: number;
    mbPerSecond: number;
    chunksPerSecond: number;
  };
  search: { chunks: number; lexical: LatencyFigures; hybrid: LatencyFigures };
  evaluation: Record<string, { questions: number; recallAt5: number; mrr: number }>;
}

const TENANT = 'bench';
const FAKE_DIMENSIONS = 256;

/** What an embeddings model would give, made up in process: a bag of hashed word stems. */
class FakeEmbedder implements Embedder {
  readonly model = 'fake/bag-of-words@256';
  readonly batchSize = 64;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => Float32Array.from(fakeEmbedding(text, FAKE_DIMENSIONS)));
  }
  async close(): Promise<void> {}
}

class Rig {
  readonly store: SqliteStore;
  readonly files: Files;
  readonly ingestor: Ingestor;
  readonly search: ChunkSearch;
  readonly vectorStores: VectorStores;

  constructor(
    readonly dir: string,
    embedder: Embedder | undefined,
  ) {
    this.store = new SqliteStore(join(dir, 'bench.db'));
    this.files = new Files(this.store.files, new FileBlobs(join(dir, 'files')), 2 ** 30);
    this.ingestor = new Ingestor({
      repository: this.store.vectorStores,
      files: this.files,
      embedder,
      logger: pino({ level: 'silent' }),
      concurrency: 2,
    });
    this.search = new ChunkSearch(this.store.vectorStores, embedder);
    this.vectorStores = new VectorStores({
      repository: this.store.vectorStores,
      files: this.store.files,
      search: this.search,
      wake: () => this.ingestor.wake(),
    });
  }

  async upload(name: string, bytes: Buffer): Promise<string> {
    const pending = await this.files.receive(Readable.from([bytes]));
    const file = await this.files.create(TENANT, {
      pending,
      filename: name,
      mediaType: undefined,
      purpose: 'assistants',
      expiresAfterSeconds: undefined,
    });
    return file.id;
  }

  /** A store over these files, indexed; with the seconds indexing took and the chunks it made. */
  async index(
    fileIds: string[],
    chunking: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } | undefined,
  ): Promise<{ storeId: string; seconds: number; chunks: number }> {
    const started = performance.now();
    const store = await this.vectorStores.create(TENANT, {
      file_ids: fileIds,
      ...(chunking ? { chunking_strategy: { type: 'static', static: chunking } } : {}),
    });
    await this.ingestor.whenIdle();
    const seconds = (performance.now() - started) / 1000;
    let chunks = 0;
    for (const id of fileIds)
      chunks += (await this.store.vectorStores.fileChunks(TENANT, store.id, id))?.length ?? 0;
    return { storeId: store.id, seconds, chunks };
  }

  async close(): Promise<void> {
    await this.ingestor.stop();
    await this.store.close();
  }
}

export async function measureRetrieval(
  settings: RetrievalSettings,
  log: (line: string) => void,
): Promise<RetrievalReport> {
  const root = mkdtempSync(join(tmpdir(), 'rgw-bench-retrieval-'));
  try {
    const corpus = new Corpus();
    const documents = corpus.files(settings.corpusBytes, 100_000);
    const totalBytes = documents.reduce((sum, doc) => sum + Buffer.byteLength(doc.text), 0);
    const corpusMB = totalBytes / 1e6;

    // Indexing with OpenAI's default chunking (800 tokens, 400 overlap), lexical only.
    const lexical = new Rig(join(root, 'lexical'), undefined);
    await lexical.ingestor.start();
    const ids = [];
    for (const doc of documents) ids.push(await lexical.upload(doc.name, Buffer.from(doc.text)));
    log(`retrieval: indexing ${corpusMB.toFixed(1)} MB in ${documents.length} files`);
    const auto = await lexical.index(ids, undefined);

    // Smaller chunks for the search store, so that the corpus gives enough of them.
    const tokens = totalBytes / 4.2;
    const size = Math.max(100, Math.min(800, Math.floor(tokens / settings.searchChunks / 1.05)));
    const searchStore = await lexical.index(ids, { max_chunk_size_tokens: size, chunk_overlap_tokens: 0 });
    log(`retrieval: ${searchStore.chunks} chunks of ≤ ${size} tokens for search`);
    const queries = Array.from({ length: settings.queries }, () => corpus.query());
    const lexicalLatency = await latency(lexical.search, searchStore.storeId, queries);

    const hybrid = new Rig(join(root, 'hybrid'), new FakeEmbedder());
    await hybrid.ingestor.start();
    const hybridIds = [];
    for (const doc of documents) hybridIds.push(await hybrid.upload(doc.name, Buffer.from(doc.text)));
    const embedded = await hybrid.index(hybridIds, { max_chunk_size_tokens: size, chunk_overlap_tokens: 0 });
    const hybridLatency = await latency(hybrid.search, embedded.storeId, queries);
    await lexical.close();
    await hybrid.close();

    const evaluation: RetrievalReport['evaluation'] = {};
    for (const [name, embedder, chunking] of [
      ['lexical, auto chunking', undefined, undefined],
      ['lexical, 200/50 chunks', undefined, { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 }],
      [
        'hybrid (fake embeddings), 200/50 chunks',
        new FakeEmbedder(),
        { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
      ],
    ] as const) {
      evaluation[name] = await evaluate(
        join(root, `eval-${Object.keys(evaluation).length}`),
        embedder,
        chunking,
      );
    }

    return {
      ingestion: {
        corpusMB,
        files: documents.length,
        chunks: auto.chunks,
        seconds: auto.seconds,
        mbPerSecond: corpusMB / auto.seconds,
        chunksPerSecond: auto.chunks / auto.seconds,
      },
      ingestionWithEmbeddings: {
        chunkTokens: size,
        seconds: embedded.seconds,
        mbPerSecond: corpusMB / embedded.seconds,
        chunksPerSecond: embedded.chunks / embedded.seconds,
      },
      search: { chunks: searchStore.chunks, lexical: lexicalLatency, hybrid: hybridLatency },
      evaluation,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function latency(search: ChunkSearch, storeId: string, queries: string[]): Promise<LatencyFigures> {
  const run = (query: string) =>
    search.search({ tenantId: TENANT, vectorStoreIds: [storeId], queries: [query], maxResults: 10 });
  for (const query of queries.slice(0, 20)) await run(query);
  const times: number[] = [];
  let results = 0;
  for (const query of queries) {
    const started = performance.now();
    results += (await run(query)).results.length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99), meanResults: results / queries.length };
}

interface Question {
  question: string;
  file: string;
  answer: string;
}

const FIXTURES = new URL('../../test/fixtures/documents/', import.meta.url);
const FIXTURE_FILES = [
  'handbook.md',
  'k7-manual.pdf',
  'security-policy.docx',
  'travel-policy.html',
  'pricing.csv',
  'faq.json',
];

/** Recall@5 and MRR: a hit is a result from the right file whose text holds the answer. */
async function evaluate(
  dir: string,
  embedder: Embedder | undefined,
  chunking: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } | undefined,
): Promise<{ questions: number; recallAt5: number; mrr: number }> {
  const rig = new Rig(dir, embedder);
  await rig.ingestor.start();
  try {
    const names = new Map<string, string>();
    for (const name of FIXTURE_FILES)
      names.set(await rig.upload(name, readFileSync(new URL(name, FIXTURES))), name);
    const { storeId } = await rig.index([...names.keys()], chunking);
    const questions = JSON.parse(readFileSync(new URL('questions.json', FIXTURES), 'utf8')) as Question[];
    const collapse = (s: string) => s.replace(/\s+/g, ' ').toLowerCase();
    let found = 0;
    let reciprocal = 0;
    for (const q of questions) {
      const { results } = await rig.search.search({
        tenantId: TENANT,
        vectorStoreIds: [storeId],
        queries: [q.question],
        maxResults: 10,
      });
      const rank = results.findIndex(
        (r) => names.get(r.fileId) === q.file && collapse(r.text).includes(collapse(q.answer)),
      );
      if (rank >= 0 && rank < 5) found++;
      if (rank >= 0) reciprocal += 1 / (rank + 1);
    }
    return {
      questions: questions.length,
      recallAt5: found / questions.length,
      mrr: reciprocal / questions.length,
    };
  } finally {
    await rig.close();
  }
}

export function renderRetrieval(report: RetrievalReport): string {
  const n = (value: number, digits = 2) => value.toFixed(digits);
  const i = report.ingestion;
  const lines = [
    '| retrieval | value | target |',
    '|---|---|---|',
    `| indexing throughput (${n(i.corpusMB, 1)} MB, ${i.files} files, auto chunking, lexical) | ${n(i.mbPerSecond)} MB/s, ${n(i.chunksPerSecond, 0)} chunks/s (${i.chunks} chunks in ${n(i.seconds)} s) | |`,
    `| indexing throughput, ${report.ingestionWithEmbeddings.chunkTokens}-token chunks, no overlap, with embeddings (fake, in process) | ${n(report.ingestionWithEmbeddings.mbPerSecond)} MB/s, ${n(report.ingestionWithEmbeddings.chunksPerSecond, 0)} chunks/s | |`,
    `| lexical search over ${report.search.chunks} chunks, p50 / p99 | ${n(report.search.lexical.p50Ms)} / ${n(report.search.lexical.p99Ms)} ms | p50 <= 20 ms: ${report.search.lexical.p50Ms <= 20 ? 'met' : 'NOT met'} |`,
    `| hybrid search over ${report.search.chunks} chunks, p50 / p99 | ${n(report.search.hybrid.p50Ms)} / ${n(report.search.hybrid.p99Ms)} ms | p50 <= 20 ms: ${report.search.hybrid.p50Ms <= 20 ? 'met' : 'NOT met'} |`,
  ];
  for (const [name, e] of Object.entries(report.evaluation)) {
    lines.push(
      `| fixture evaluation, ${name} (${e.questions} questions) | recall@5 ${n(e.recallAt5)}, MRR ${n(e.mrr)} | recall@5 >= 0.9: ${e.recallAt5 >= 0.9 ? 'met' : 'NOT met'} |`,
    );
  }
  return lines.join('\n');
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { Corpus } from './bench/retrieval/corpus.js';
import { FileBlobs } from './src/files/file-blobs.js';
import { Files } from './src/files/files.js';
import { SqliteStore } from './src/store/sqlite/sqlite-store.js';
import { Ingestor } from './src/vector-stores/ingestor.js';
import { queryTerms } from './src/vector-stores/search/query-terms.js';
import { ChunkSearch } from './src/vector-stores/search/search-chunks.js';
import { VectorStores } from './src/vector-stores/vector-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'p-'));
const store = new SqliteStore(join(dir, 'x.db'));
const files = new Files(store.files, new FileBlobs(join(dir, 'f')), 1e9);
const ingestor = new Ingestor({
  repository: store.vectorStores,
  files,
  embedder: undefined,
  logger: pino({ level: 'silent' }),
  concurrency: 2,
});
await ingestor.start();
const search = new ChunkSearch(store.vectorStores, undefined);
const vs = new VectorStores({
  repository: store.vectorStores,
  files: store.files,
  search,
  wake: () => ingestor.wake(),
});
const corpus = new Corpus();
const ids = [];
for (const d of corpus.files(Number(process.argv[2] ?? 4e5), 100_000)) {
  const pending = await files.receive(Readable.from([Buffer.from(d.text)]));
  ids.push(
    (
      await files.create('t', {
        pending,
        filename: d.name,
        mediaType: undefined,
        purpose: 'assistants',
        expiresAfterSeconds: undefined,
      })
    ).id,
  );
}
let t = performance.now();
const s = await vs.create('t', {
  file_ids: ids,
  chunking_strategy: {
    type: 'static',
    static: { max_chunk_size_tokens: Number(process.argv[3] ?? 113), chunk_overlap_tokens: 0 },
  },
});
await ingestor.whenIdle();
console.log('index s', (performance.now() - t) / 1000);
const qs = Array.from({ length: 100 }, () => corpus.query());
const scope = { tenantId: 't', vectorStoreIds: [s.id], filter: undefined, limit: 40 };
for (const q of qs.slice(0, 10))
  await search.search({ tenantId: 't', vectorStoreIds: [s.id], queries: [q], maxResults: 10 });
t = performance.now();
for (const q of qs) await store.vectorStores.searchText(scope, queryTerms(q));
console.log('searchText', (performance.now() - t) / qs.length);
t = performance.now();
for (const q of qs) await store.vectorStores.touch('t', [s.id], 5);
console.log('touch', (performance.now() - t) / qs.length);
t = performance.now();
for (const q of qs)
  await search.search({
    tenantId: 't',
    vectorStoreIds: [s.id],
    queries: [q],
    maxResults: 10,
    ranking: { ranker: 'none' },
  });
console.log('search none', (performance.now() - t) / qs.length);
t = performance.now();
for (const q of qs)
  await search.search({ tenantId: 't', vectorStoreIds: [s.id], queries: [q], maxResults: 10 });
console.log('search', (performance.now() - t) / qs.length);
await ingestor.stop();
await store.close();

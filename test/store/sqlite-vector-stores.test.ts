/** The vector store repository on each backend: the ingestion queue, the index, file expiry. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttributeFilter } from '../../src/protocol/attribute-filter.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, VectorStoreFileRecord } from '../../src/store/types.js';
import { type PgServer, pgSkipReason, startPgServer } from '../helpers/pg-cluster.js';

let pgServer: PgServer | undefined;
beforeAll(async () => {
  if (pgSkipReason === undefined) pgServer = await startPgServer();
}, 60_000);
afterAll(async () => {
  await pgServer?.stop();
});

/** Opens stores on one fresh database; `dispose` drops it. */
const BACKENDS: Array<{
  name: string;
  skip: string | undefined;
  database(): Promise<{ open(): Store; dispose(): void }>;
}> = [
  {
    name: 'sqlite',
    skip: undefined,
    async database() {
      const dir = mkdtempSync(join(tmpdir(), 'rgw-vs-'));
      return {
        open: () => new SqliteStore(join(dir, 'gateway.db')),
        dispose: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    skip: pgSkipReason,
    async database() {
      const url = await pgServer!.createDatabase();
      return { open: () => new PgStore(url), dispose: () => {} };
    },
  },
];

const STORE = `vs_${'a'.repeat(48)}`;
const OTHER = `vs_${'b'.repeat(48)}`;
const chunking = { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 };

function attachment(storeId: string, fileId: string, batchId: string | null = null): VectorStoreFileRecord {
  return {
    vector_store_id: storeId,
    file_id: fileId,
    created_at: 1,
    status: 'in_progress',
    attributes: null,
    chunking,
    usage_bytes: 0,
    last_error: null,
    batch_id: batchId,
  };
}

const record = (id: string) => ({
  id,
  name: '',
  description: null,
  created_at: 1,
  last_active_at: 1,
  metadata: null,
  expires_after: null,
});

describe.each(BACKENDS)('$name vector stores: the ingestion queue and the index', (backend) => {
  if (backend.skip !== undefined) {
    it.skip(`${backend.name}: ${backend.skip}`, () => {});
    return;
  }
  let store: Store;
  let database: Awaited<ReturnType<(typeof BACKENDS)[number]['database']>>;
  beforeEach(async () => {
    database = await backend.database();
    store = database.open();
    for (const id of ['file-1', 'file-2']) {
      await store.files.create('t', {
        id,
        filename: `${id}.txt`,
        purpose: 'assistants',
        bytes: 1,
        created_at: 1,
        expires_at: null,
        sha256: id,
        media_type: 'text/plain',
      });
    }
    await store.vectorStores.create('t', record(STORE), [attachment(STORE, 'file-1')]);
  });
  afterEach(async () => {
    await store.close();
    database.dispose();
  });

  const done = (text: string) => ({
    ok: true as const,
    chunks: [{ text, tokens: 3 }],
    usageBytes: text.length,
    embeddingModel: undefined,
  });
  const search = (terms: string[], stores = [STORE], tenantId = 't') =>
    store.vectorStores.searchText({ tenantId, vectorStoreIds: stores, filter: undefined, limit: 10 }, terms);

  it('does not let a claim made before a re-attach or a cancel write its outcome', async () => {
    const stale = await store.vectorStores.claimIngestion();
    expect(stale?.fileId).toBe('file-1');
    expect(await store.vectorStores.claimIngestion()).toBeUndefined();
    await store.vectorStores.attach('t', STORE, [attachment(STORE, 'file-1')]);
    expect(await store.vectorStores.finishIngestion(stale!, done('stale words'))).toBe(false);
    expect((await store.vectorStores.getFile('t', STORE, 'file-1'))?.status).toBe('in_progress');

    const fresh = await store.vectorStores.claimIngestion();
    expect(fresh?.claim).not.toBe(stale?.claim);
    expect(await store.vectorStores.finishIngestion(fresh!, done('fresh words'))).toBe(true);
    expect((await search(['fresh'])).map((hit) => hit.text)).toEqual(['fresh words']);
    expect(await search(['stale'])).toEqual([]);

    const batch = { id: 'vsfb_1', vector_store_id: STORE, created_at: 1, cancelled: false };
    await store.vectorStores.attach('t', STORE, [attachment(STORE, 'file-2', 'vsfb_1')], batch);
    const claimed = await store.vectorStores.claimIngestion();
    await store.vectorStores.cancelBatch('t', STORE, 'vsfb_1');
    expect(await store.vectorStores.finishIngestion(claimed!, done('late words'))).toBe(false);
    expect((await store.vectorStores.getFile('t', STORE, 'file-2'))?.status).toBe('cancelled');
  });

  it('releases the claims of a stopped process, and re-indexing replaces the chunks', async () => {
    await store.vectorStores.claimIngestion();
    expect(await store.vectorStores.claimIngestion()).toBeUndefined();
    // The next process to open the store releases the stopped one's claim.
    await store.close();
    store = database.open();
    expect(await store.vectorStores.releaseClaims()).toBe(1);
    const task = await store.vectorStores.claimIngestion();
    expect(await store.vectorStores.finishIngestion(task!, done('first words'))).toBe(true);
    await store.vectorStores.attach('t', STORE, [attachment(STORE, 'file-1')]);
    expect(await search(['first'])).toEqual([]);
    const again = await store.vectorStores.claimIngestion();
    await store.vectorStores.finishIngestion(again!, done('second words'));
    expect(await store.vectorStores.fileChunks('t', STORE, 'file-1')).toEqual(['second words']);
  });

  it("searches only the tenant's stores, each with its own index, and forgets a deleted one", async () => {
    await store.vectorStores.create('t', record(OTHER), [attachment(OTHER, 'file-2')]);
    for (
      let task = await store.vectorStores.claimIngestion();
      task;
      task = await store.vectorStores.claimIngestion()
    ) {
      await store.vectorStores.finishIngestion(task, done(`shared word in ${task.fileId}`));
    }
    expect((await search(['shared'], [STORE])).map((h) => h.fileId)).toEqual(['file-1']);
    expect((await search(['shared'], [STORE, OTHER])).map((h) => h.fileId).sort()).toEqual([
      'file-1',
      'file-2',
    ]);
    expect(await search(['shared'], [STORE, OTHER], 'someone-else')).toEqual([]);
    expect(await store.vectorStores.delete('t', OTHER)).toBe(true);
    expect((await search(['shared'], [STORE, OTHER])).map((h) => h.fileId)).toEqual(['file-1']);
    // Deleting the file takes its chunks out of every store.
    await store.files.delete('t', 'file-1');
    expect(await search(['shared'])).toEqual([]);
    expect((await store.vectorStores.get('t', STORE))?.file_counts.total).toBe(0);
  });

  it('filters on attributes as JSON types them, in lexical and vector search', async () => {
    await store.vectorStores.updateAttributes('t', STORE, 'file-1', { n: 5, s: 'b', flag: true, one: '1' });
    await store.vectorStores.attach('t', STORE, [
      { ...attachment(STORE, 'file-2'), attributes: { n: 10, s: 'a', flag: false, one: 1 } },
    ]);
    for (
      let task = await store.vectorStores.claimIngestion();
      task;
      task = await store.vectorStores.claimIngestion()
    ) {
      await store.vectorStores.finishIngestion(task, {
        ...done(`common words of ${task.fileId}`),
        chunks: [
          {
            text: `common words of ${task.fileId}`,
            tokens: 4,
            embedding: Float32Array.from([1, task.fileId === 'file-1' ? 0 : 1]),
          },
        ],
        embeddingModel: 'm',
      });
    }
    const files = async (filter: AttributeFilter) => {
      const scope = { tenantId: 't', vectorStoreIds: [STORE], filter, limit: 10 };
      const lexical = (await store.vectorStores.searchText(scope, ['common'])).map((h) => h.fileId).sort();
      const vector = (await store.vectorStores.searchVector(scope, Float32Array.from([1, 0]), 'm'))
        .map((h) => h.fileId)
        .sort();
      expect(vector).toEqual(lexical);
      return lexical;
    };
    expect(await files({ type: 'eq', key: 'n', value: 5 })).toEqual(['file-1']);
    expect(await files({ type: 'ne', key: 'n', value: 5 })).toEqual(['file-2']);
    expect(await files({ type: 'gt', key: 'n', value: 5 })).toEqual(['file-2']);
    expect(await files({ type: 'gte', key: 'n', value: 5 })).toEqual(['file-1', 'file-2']);
    expect(await files({ type: 'lt', key: 's', value: 'b' })).toEqual(['file-2']);
    expect(await files({ type: 'in', key: 's', value: ['a', 'z'] })).toEqual(['file-2']);
    expect(await files({ type: 'nin', key: 's', value: ['a'] })).toEqual(['file-1']);
    expect(await files({ type: 'eq', key: 'flag', value: true })).toEqual(['file-1']);
    // A string never equals a number; a missing key fails all but ne/nin.
    expect(await files({ type: 'eq', key: 'one', value: 1 })).toEqual(['file-2']);
    expect(await files({ type: 'eq', key: 'missing', value: 1 })).toEqual([]);
    expect(await files({ type: 'ne', key: 'missing', value: 1 })).toEqual(['file-1', 'file-2']);
    expect(await files({ type: 'gt', key: 's', value: 1 })).toEqual([]);
    expect(
      await files({
        type: 'or',
        filters: [
          {
            type: 'and',
            filters: [
              { type: 'eq', key: 'flag', value: false },
              { type: 'lt', key: 'n', value: 20 },
            ],
          },
          { type: 'eq', key: 's', value: 'nope' },
        ],
      }),
    ).toEqual(['file-2']);
    // Nearest first: file-1's embedding is the query's direction.
    const nearest = await store.vectorStores.searchVector(
      { tenantId: 't', vectorStoreIds: [STORE], filter: undefined, limit: 10 },
      Float32Array.from([1, 0]),
      'm',
    );
    expect(nearest.map((h) => h.fileId)).toEqual(['file-1', 'file-2']);
    expect(nearest[0]!.raw).toBeCloseTo(1, 5);
    expect(nearest[1]!.raw).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('sweeps expired files', async () => {
    await store.files.create('t', {
      id: 'file-old',
      filename: 'old.txt',
      purpose: 'batch',
      bytes: 1,
      created_at: 1,
      expires_at: 2,
      sha256: 'old',
      media_type: 'text/plain',
    });
    expect(await store.files.get('t', 'file-old', 1)).toBeDefined();
    expect(await store.files.get('t', 'file-old', 3)).toBeUndefined();
    expect(await store.files.expired(3, 10)).toEqual([{ tenantId: 't', id: 'file-old' }]);
  });
});

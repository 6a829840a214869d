import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestGateway } from '../helpers/test-gateway.js';
import { fixture, uploadFile } from './retrieval-helpers.js';

describe('indexing across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-ingest-'));
  const db = join(dir, 'gateway.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes what was queued or half done when the process stopped', async () => {
    const first = await startTestGateway({ RGW_DB: db });
    // The indexer is stopped, as if the process ended before it got to the files.
    await first.gateway.ingestor.stop();
    const manual = await uploadFile(first, 'k7-manual.pdf', fixture('k7-manual.pdf'));
    const handbook = await uploadFile(first, 'handbook.md', fixture('handbook.md'));
    const store = await first.post('/v1/vector_stores', { file_ids: [manual.body.id, handbook.body.id] });
    expect(store.body.status).toBe('in_progress');
    await first.close();

    // One attachment claimed by a process that died mid-way.
    const crashed = new SqliteStore(db);
    const claimed = await crashed.vectorStores.claimIngestion();
    expect(claimed?.fileId).toBe(manual.body.id);
    await crashed.close();

    const second = await startTestGateway({ RGW_DB: db });
    try {
      await second.gateway.ingestor.whenIdle();
      const retrieved = await second.get(`/v1/vector_stores/${store.body.id}`);
      expect(retrieved.body).toMatchObject({
        status: 'completed',
        file_counts: { completed: 2, in_progress: 0, total: 2 },
      });
      const search = await second.post(`/v1/vector_stores/${store.body.id}/search`, {
        query: 'What does error code E42 mean?',
      });
      expect(search.body.data[0].file_id).toBe(manual.body.id);
      // The file content survived too (content-addressed beside the database).
      const content = await fetch(`${second.baseURL}/files/${handbook.body.id}/content`, {
        headers: { authorization: 'Bearer test-key' },
      });
      expect(await content.text()).toBe(fixture('handbook.md').toString());
    } finally {
      await second.close();
    }
  });

  it('answers the attach request at once, before indexing is done', async () => {
    const gw = await startTestGateway({ RGW_DB: join(dir, 'other.db') });
    try {
      const big = Array.from({ length: 20_000 }, (_, i) => `Line ${i} of a long log file with words.`).join(
        '\n',
      );
      const file = await uploadFile(gw, 'big.log', big);
      const started = performance.now();
      const store = await gw.post('/v1/vector_stores', { file_ids: [file.body.id] });
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(store.body.file_counts.in_progress).toBe(1);
      // The server keeps answering while it indexes.
      expect((await gw.get('/healthz')).status).toBe(200);
      await gw.gateway.ingestor.whenIdle();
      expect((await gw.get(`/v1/vector_stores/${store.body.id}`)).body.file_counts.completed).toBe(1);
    } finally {
      await gw.close();
    }
  });
});

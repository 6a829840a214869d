import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_PATH } from '../../src/config/load-config.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { uploadFile } from './retrieval-helpers.js';

describe('embeddings from a local GGUF model', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ RGW_EMBEDDINGS_MODEL: `local/${BUNDLED_MODEL_PATH}` });
  });
  afterAll(() => gw.close());

  it('embeds chunks in process and searches them with BM25 fused in', async () => {
    const a = await uploadFile(gw, 'a.md', 'The lighthouse keeper climbs the tower every night.');
    const b = await uploadFile(gw, 'b.md', 'Fresh bread is baked at dawn in the village.');
    const store = await gw.post('/v1/vector_stores', { file_ids: [a.body.id, b.body.id] });
    await gw.gateway.ingestor.whenIdle();
    const files = await gw.get(`/v1/vector_stores/${store.body.id}/files`);
    for (const file of files.body.data) {
      expect(file.status, JSON.stringify(file.last_error)).toBe('completed');
      // The text and 64 floats of the bundled model's embedding.
      expect(file.usage_bytes).toBeGreaterThan(64 * 4);
    }
    const search = await gw.post(`/v1/vector_stores/${store.body.id}/search`, { query: 'lighthouse keeper' });
    expect(search.body.data[0].file_id).toBe(a.body.id);
    // Both files come back: the vector ranking has every chunk.
    expect(search.body.data).toHaveLength(2);
  });
});

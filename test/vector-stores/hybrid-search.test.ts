import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import type { JsonBody } from '../helpers/json-body.js';
import { FIXTURE_FILES, fixture, holdsAnswer, QUESTIONS, uploadFile } from './retrieval-helpers.js';

describe('hybrid search with an embeddings model', () => {
  let h: Harness;
  let storeId: string;
  const names = new Map<string, string>();

  beforeAll(async () => {
    h = await startHarness({ env: { RGW_EMBEDDINGS_MODEL: 'openai/text-embedding-3-small' } });
    for (const name of FIXTURE_FILES) names.set((await uploadFile(h, name, fixture(name))).body.id, name);
    const store = await h.post('/v1/vector_stores', {
      file_ids: [...names.keys()],
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
    });
    storeId = store.body.id;
    await h.gateway.ingestor.whenIdle();
  });
  afterAll(() => h.close());

  const search = async (body: Record<string, unknown>) => {
    const res = await h.post(`/v1/vector_stores/${storeId}/search`, body);
    expect(res.status).toBe(200);
    return res.body.data as JsonBody[];
  };

  it('embeds every chunk, counting the vectors in usage_bytes', async () => {
    const store = await h.get(`/v1/vector_stores/${storeId}`);
    expect(store.body.file_counts.completed).toBe(FIXTURE_FILES.length);
    const files = await h.get(`/v1/vector_stores/${storeId}/files?limit=100`);
    for (const file of files.body.data) expect(file.usage_bytes).toBeGreaterThan(64 * 4);
  });

  it('fuses both rankings: the known answers still come first, scores in 0–1', async () => {
    let first = 0;
    for (const q of QUESTIONS) {
      const data = await search({ query: q.question });
      const top = data[0];
      if (top && names.get(top.file_id) === q.file && holdsAnswer(top.content[0].text, q.answer)) first++;
      for (const result of data) expect(result.score).toBeGreaterThan(0);
      for (const result of data) expect(result.score).toBeLessThanOrEqual(1);
    }
    expect(first / QUESTIONS.length).toBeGreaterThanOrEqual(0.85);
  });

  it('finds by vector what shares no indexed term with the query', async () => {
    // "chargers" stems to "charger" for BM25, which no document has; its embedding is near "charging".
    const data = await search({ query: 'chargers' });
    expect(data.length).toBeGreaterThan(0);
    expect(names.get(data[0].file_id)).toBe('k7-manual.pdf');
  });

  it('follows hybrid_search weights', async () => {
    const query = 'How long does it take to charge the K7 battery?';
    const textOnly = await search({
      query,
      ranking_options: { ranker: 'none', hybrid_search: { embedding_weight: 0, text_weight: 1 } },
    });
    const vectorOnly = await search({
      query,
      ranking_options: { ranker: 'none', hybrid_search: { embedding_weight: 1, text_weight: 0 } },
    });
    expect(textOnly.length).toBeGreaterThan(0);
    expect(vectorOnly.length).toBeGreaterThan(0);
    expect(holdsAnswer(textOnly[0].content[0].text, '2.5 hours')).toBe(true);
  });
});
